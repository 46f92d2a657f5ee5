import { afterEach, describe, expect, it } from 'vitest';
import { seedFleet } from '#simulator/fleet';
import { type Simulator, type SimulatorOptions, startSimulator } from '#simulator/server';
import type { WireGateway } from '#simulator/wire';

const NOW = Date.parse('2026-09-01T12:00:00Z');
const BASE = '/v1alpha1/inference/gateways';
const fleet = seedFleet({ seed: 11, now: new Date(NOW) });
const ready = fleet.find((g) => g.status?.status === 'STATUS_READY') as WireGateway;
const readyId = ready.spec.id;

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(options: SimulatorOptions = {}) {
  const time = { now: NOW };
  sim = await startSimulator({ gateways: fleet, clock: () => time.now, ...options });
  return { sim, time };
}

type CallOptions = { method?: string; token?: string | null; body?: unknown };
async function call(s: Simulator, path: string, { method = 'GET', token, body }: CallOptions = {}) {
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token ?? s.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
}

const validCreate = {
  name: 'ci-gw-new',
  zones: ['us-east-04a'],
  coreWeaveAuth: {},
  bodyBasedRouting: { apiType: 'API_TYPE_OPENAI' },
};

describe('simulator read routes', () => {
  it('lists the seeded fleet as items and an empty fleet as {}', async () => {
    // Prepare
    const { sim } = await start();
    // Act
    const full = await call(sim, BASE);
    sim.seed([]);
    const empty = await call(sim, BASE);
    // Assess
    expect(full.status).toBe(200);
    expect(full.json().items).toHaveLength(fleet.length);
    expect(empty.text).toBe('{}');
  });

  it('filters the list by updatedAfter and rejects a bad timestamp', async () => {
    // Prepare
    const { sim } = await start();
    const after = new Date(NOW - 60 * 60_000).toISOString();
    // Act
    const recent = await call(sim, `${BASE}?updatedAfter=${after}`);
    const bad = await call(sim, `${BASE}?updatedAfter=yesterday`);
    // Assess
    const expected = fleet.filter((g) => Date.parse(g.status?.updatedAt ?? '') > Date.parse(after));
    expect(recent.json().items.map((g: WireGateway) => g.spec.id)).toEqual(
      expected.map((g) => g.spec.id),
    );
    expect(bad.status).toBe(400);
    expect(bad.json().code).toBe(3);
  });

  it('gets one gateway, and answers 404 with code 5 for an unknown id', async () => {
    // Prepare
    const { sim } = await start();
    // Act
    const found = await call(sim, `${BASE}/${readyId}`);
    const missing = await call(sim, `${BASE}/00000000-0000-4000-8000-000000000000`);
    // Assess
    expect(found.json().gateway.spec.id).toBe(readyId);
    expect(missing.status).toBe(404);
    expect(missing.json()).toEqual({ code: 5, message: 'gateway not found' });
  });

  it('routes /gateways/parameters before /gateways/{id}', async () => {
    // Prepare
    const { sim } = await start();
    // Act
    const res = await call(sim, `${BASE}/parameters`);
    // Assess
    expect(res.json()).toEqual({ zones: ['US-EAST-04A', 'US-WEST-04A'] });
    expect(sim.requests.at(-1)?.route).toBe('parameters');
  });

  it('answers 404 for an unknown route and 405 for a wrong method', async () => {
    // Prepare
    const { sim } = await start();
    // Act
    const unknown = await call(sim, '/v1alpha1/inference/capacity-claims');
    const wrong = await call(sim, `${BASE}/parameters`, { method: 'DELETE' });
    // Assess
    expect(unknown.status).toBe(404);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
  });

  it('never returns the W&B apiKey unless echoApiKey is set', async () => {
    // Prepare
    const { sim } = await start();
    const wandb = fleet.find((g) => g.spec.weightsAndBiasesAuth) as WireGateway;
    // Act
    const list = await call(sim, BASE);
    const one = await call(sim, `${BASE}/${wandb.spec.id}`);
    // Assess
    expect(list.text).not.toContain('wandb-canary-');
    expect(one.text).not.toContain('apiKey');
    expect(one.json().gateway.spec.weightsAndBiasesAuth.serverUrl).toBeTruthy();
  });

  it('echoes the stored apiKey when echoApiKey is true', async () => {
    // Prepare
    const { sim } = await start({ echoApiKey: true });
    // Act
    const list = await call(sim, BASE);
    // Assess
    expect(list.text).toContain('"apiKey":"wandb-canary-');
  });
});

describe('simulator delete lifecycle', () => {
  it('answers DELETING twice, then 404 once deleteDelayMs has passed', async () => {
    // Prepare
    const { sim, time } = await start({ deleteDelayMs: 50 });
    const path = `${BASE}/${readyId}`;
    // Act
    time.now += 1000;
    const first = await call(sim, path, { method: 'DELETE' });
    time.now += 10;
    const second = await call(sim, path, { method: 'DELETE' });
    const during = await call(sim, path);
    time.now += 50;
    const after = await call(sim, path);
    const again = await call(sim, path, { method: 'DELETE' });
    // Assess
    const deleting = first.json().gateway;
    expect(first.status).toBe(200);
    expect(deleting.status.status).toBe('STATUS_DELETING');
    expect(deleting.status.updatedAt).toBe(new Date(NOW + 1000).toISOString());
    expect(second.json()).toEqual(first.json());
    expect(during.json().gateway.status.status).toBe('STATUS_DELETING');
    expect(after.status).toBe(404);
    expect(again.json()).toEqual({ code: 5, message: 'gateway not found' });
    expect(sim.deletes()).toEqual([readyId, readyId]);
    expect(sim.list().some((g) => g.spec.id === readyId)).toBe(false);
  });

  it('lets a gateway seeded as DELETING vanish after the delay', async () => {
    // Prepare
    const { sim, time } = await start({ deleteDelayMs: 50 });
    const seeded = fleet.find((g) => g.status?.status === 'STATUS_DELETING') as WireGateway;
    // Act
    const before = sim.get(seeded.spec.id);
    time.now += 50;
    // Assess
    expect(before?.status?.status).toBe('STATUS_DELETING');
    expect(sim.get(seeded.spec.id)).toBeUndefined();
  });

  it('keeps a gateway whose deletion was made to stick in STATUS_DELETING', async () => {
    // Prepare
    const { sim, time } = await start({ deleteDelayMs: 50, stuckDeletions: [ready.spec.name] });
    const path = `${BASE}/${readyId}`;
    // Act
    const deleted = await call(sim, path, { method: 'DELETE' });
    time.now += 60_000;
    const later = await call(sim, path);
    // Assess
    expect(deleted.status).toBe(200);
    expect(later.status).toBe(200);
    expect(later.json().gateway.status.status).toBe('STATUS_DELETING');
    expect(later.json().gateway.status.updatedAt).toBe(new Date(NOW).toISOString());
  });

  it('puts a gateway whose deletion sticks as STATUS_ERROR back in that state after the delay', async () => {
    // Prepare
    const { sim, time } = await start({ deleteDelayMs: 50 });
    sim.stickDeletion(readyId, 'STATUS_ERROR');
    const path = `${BASE}/${readyId}`;
    // Act
    await call(sim, path, { method: 'DELETE' });
    time.now += 10;
    const during = await call(sim, path);
    time.now += 40;
    const after = await call(sim, path);
    const listed = await call(sim, BASE);
    // Assess
    expect(during.json().gateway.status.status).toBe('STATUS_DELETING');
    expect(after.status).toBe(200);
    expect(after.json().gateway.status.status).toBe('STATUS_ERROR');
    expect(after.json().gateway.status.updatedAt).toBe(new Date(NOW + 50).toISOString());
    expect(listed.json().items.map((g: WireGateway) => g.spec.id)).toContain(readyId);
  });

  it('applies a changed time to vanish to deletions already in progress', async () => {
    // Prepare
    const { sim, time } = await start({ deleteDelayMs: 60_000 });
    const path = `${BASE}/${readyId}`;
    await call(sim, path, { method: 'DELETE' });
    // Act
    time.now += 100;
    const before = await call(sim, path);
    sim.setDeleteDelay(100);
    const after = await call(sim, path);
    // Assess
    expect(before.status).toBe(200);
    expect(after.status).toBe(404);
  });
});

describe('simulator writes', () => {
  it('creates a gateway as CREATING that turns READY with endpoints', async () => {
    // Prepare
    const { sim, time } = await start({ readyDelayMs: 100 });
    // Act
    const created = (await call(sim, BASE, { method: 'POST', body: validCreate })).json().gateway;
    time.now += 100;
    const later = (await call(sim, `${BASE}/${created.spec.id}`)).json().gateway;
    // Assess
    expect(created.status.status).toBe('STATUS_CREATING');
    expect(created.spec.zones).toEqual(['US-EAST-04A']);
    expect(created.spec.organizationId).toBe('a1b2c3');
    expect(later.status.status).toBe('STATUS_READY');
    expect(later.status.endpoints[0]).toContain('ci-gw-new');
  });

  it.each([
    ['a name over 38 characters', { ...validCreate, name: 'x'.repeat(39) }, 'name'],
    ['two auths', { ...validCreate, weightsAndBiasesAuth: {} }, 'auth'],
    ['no routing', { ...validCreate, bodyBasedRouting: undefined }, 'routing'],
    [
      'an empty header name',
      { ...validCreate, bodyBasedRouting: undefined, headerBasedRouting: { headerName: '' } },
      'headerBasedRouting.headerName',
    ],
    [
      'an apiKey without serverUrl',
      { ...validCreate, coreWeaveAuth: undefined, weightsAndBiasesAuth: { apiKey: 'k' } },
      'weightsAndBiasesAuth.serverUrl',
    ],
    ['an unknown zone', { ...validCreate, zones: ['EU-NORTH-01A'] }, 'zones'],
  ])('rejects %s with code 3 and a field violation', async (_, body, field) => {
    // Prepare
    const { sim } = await start();
    // Act
    const res = await call(sim, BASE, { method: 'POST', body });
    // Assess
    expect(res.status).toBe(400);
    expect(res.json().code).toBe(3);
    expect(res.json().details[0].fieldViolations.map((v: { field: string }) => v.field)).toContain(
      field,
    );
  });

  it('updates a gateway to UPDATING with PATCH', async () => {
    // Prepare
    const { sim } = await start();
    const body = { ...validCreate, name: ready.spec.name, zones: ['US-WEST-04A'] };
    // Act
    const res = await call(sim, `${BASE}/${readyId}`, { method: 'PATCH', body });
    // Assess
    expect(res.json().gateway.status.status).toBe('STATUS_UPDATING');
    expect(res.json().gateway.spec.zones).toEqual(['US-WEST-04A']);
  });
});

describe('simulator auth', () => {
  it('answers 401 code 16 without or with a wrong token and never records the header', async () => {
    // Prepare
    const { sim } = await start();
    // Act
    const missing = await call(sim, BASE, { token: null });
    const wrong = await call(sim, BASE, { token: 'CW-SECRET-wrong' });
    // Assess
    expect(missing.status).toBe(401);
    expect(wrong.json()).toEqual({ code: 16, message: 'unauthenticated' });
    expect(sim.requests.map((r) => r.authorized)).toEqual([false, false]);
    expect(JSON.stringify(sim.requests)).not.toContain('CW-SECRET');
  });

  it('rejects the old token after rotateToken and accepts the new one', async () => {
    // Prepare
    const { sim } = await start({ token: 'CW-SECRET-old' });
    // Act
    const next = sim.rotateToken('CW-SECRET-new');
    const old = await call(sim, BASE, { token: 'CW-SECRET-old' });
    const fresh = await call(sim, BASE, { token: next });
    // Assess
    expect(sim.token).toBe('CW-SECRET-new');
    expect(old.status).toBe(401);
    expect(fresh.status).toBe(200);
  });

  it('lets a viewer token read but answers 403 code 7 on DELETE without deleting', async () => {
    // Prepare
    const { sim } = await start({ viewerTokens: ['CW-SECRET-viewer'] });
    // Act
    const read = await call(sim, BASE, { token: 'CW-SECRET-viewer' });
    const del = await call(sim, `${BASE}/${readyId}`, {
      method: 'DELETE',
      token: 'CW-SECRET-viewer',
    });
    // Assess
    expect(read.status).toBe(200);
    expect(del.status).toBe(403);
    expect(del.json().code).toBe(7);
    expect(sim.get(readyId)?.status?.status).toBe('STATUS_READY');
    expect(sim.deletes()).toEqual([]);
  });

  it('rate limits per token with 429, an integer Retry-After and code 8', async () => {
    // Prepare
    const { sim } = await start({ rateLimit: { rps: 0.5, burst: 2 } });
    // Act
    const statuses = [];
    for (let n = 0; n < 3; n += 1) statuses.push(await call(sim, BASE));
    // Assess
    const limited = statuses[2];
    expect(statuses.map((r) => r.status)).toEqual([200, 200, 429]);
    expect(limited?.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(limited?.json().code).toBe(8);
    expect(sim.stats().rateLimited).toBe(1);
  });
});
