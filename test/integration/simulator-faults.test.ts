import { afterEach, describe, expect, it } from 'vitest';
import { seedFleet } from '#simulator/fleet';
import { type Simulator, startSimulator } from '#simulator/server';
import { STATUS_NUMBERS, type WireGateway } from '#simulator/wire';

const BASE = '/v1alpha1/inference/gateways';
const fleet = seedFleet({ seed: 5, now: new Date('2026-09-01T12:00:00Z') });
const ready = fleet.find((g) => g.status?.status === 'STATUS_READY') as WireGateway;
const path = `${BASE}/${ready.spec.id}`;

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start() {
  sim = await startSimulator({ gateways: fleet });
  return sim;
}

const send = (s: Simulator, p: string, method = 'GET') =>
  fetch(`${s.url}${p}`, { method, headers: { authorization: `Bearer ${s.token}` } });

describe('simulator faults', () => {
  it('answers a status fault `times` times, leaves state alone, then serves normally', async () => {
    // Prepare
    const s = await start();
    s.addFault({ route: 'delete', kind: 'status', status: 503, times: 1 });
    // Act
    const faulted = await send(s, path, 'DELETE');
    const faultedBody = (await faulted.json()) as { code: number };
    const stateAfterFault = s.get(ready.spec.id)?.status?.status;
    const normal = await send(s, path, 'DELETE');
    await normal.text();
    // Assess
    expect(faulted.status).toBe(503);
    expect(faultedBody.code).toBe(14);
    expect(stateAfterFault).toBe('STATUS_READY');
    expect(normal.status).toBe(200);
    expect(s.requests.map((r) => [r.status, r.faults?.[0]])).toEqual([
      [503, 'status'],
      [200, undefined],
    ]);
    expect(s.deletes()).toEqual([ready.spec.id]);
  });

  it('sends the headers and body of a status fault, such as 429 Retry-After or proxy HTML', async () => {
    // Prepare
    const s = await start();
    s.addFault({
      route: 'list',
      kind: 'status',
      status: 429,
      headers: { 'retry-after': '1' },
      times: 1,
    });
    s.addFault({
      route: 'any',
      kind: 'status',
      status: 401,
      body: '<html>denied</html>',
      times: 1,
    });
    // Act
    const limited = await send(s, BASE);
    await limited.text();
    const proxy = await send(s, BASE);
    // Assess
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(proxy.status).toBe(401);
    expect(proxy.headers.get('content-type')).toBe('text/html');
    expect(await proxy.text()).toBe('<html>denied</html>');
  });

  it('applies a fault only to the gateway it names', async () => {
    // Prepare
    const s = await start();
    const other = fleet.find(
      (g) => g !== ready && g.status?.status === 'STATUS_READY',
    ) as WireGateway;
    s.addFault({ route: 'get', gatewayId: other.spec.id, kind: 'status', status: 500 });
    // Act
    const mine = await send(s, path);
    const theirs = await send(s, `${BASE}/${other.spec.id}`);
    await Promise.all([mine.text(), theirs.text()]);
    // Assess
    expect([mine.status, theirs.status]).toEqual([200, 500]);
  });

  it('delays an answer with a latency fault and records it', async () => {
    // Prepare
    const s = await start();
    s.addFault({ route: 'parameters', kind: 'latency', ms: 20 });
    // Act
    const res = await send(s, `${BASE}/parameters`);
    // Assess
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ zones: ['US-EAST-04A', 'US-WEST-04A'] });
    expect(s.requests[0]?.faults).toEqual(['latency']);
  });

  it('drops the connection on reset and stall without a response or a delete', async () => {
    // Prepare
    const s = await start();
    s.addFault({ route: 'delete', kind: 'reset', times: 1 });
    s.addFault({ route: 'delete', kind: 'stall', ms: 20, times: 1 });
    // Act
    const reset = send(s, path, 'DELETE');
    await expect(reset).rejects.toThrow(TypeError);
    const stall = send(s, path, 'DELETE');
    await expect(stall).rejects.toThrow(TypeError);
    // Assess
    expect(s.get(ready.spec.id)?.status?.status).toBe('STATUS_READY');
    expect(s.requests.map((r) => r.status)).toEqual([0, 0]);
  });

  it('breaks the body mid-way on reset-mid-body, after the delete took effect', async () => {
    // Prepare
    const s = await start();
    s.addFault({ route: 'delete', kind: 'reset-mid-body', times: 1 });
    // Act
    const res = await send(s, path, 'DELETE');
    const body = res.text();
    // Assess
    expect(res.status).toBe(200);
    await expect(body).rejects.toThrow();
    expect(s.get(ready.spec.id)?.status?.status).toBe('STATUS_DELETING');
  });

  it('answers 200 with a non-JSON body on malformed and a cut JSON body on truncated', async () => {
    // Prepare
    const s = await start();
    s.addFault({ route: 'list', kind: 'malformed', times: 1 });
    s.addFault({ route: 'delete', kind: 'truncated', times: 1 });
    // Act
    const malformed = await send(s, BASE);
    const malformedText = await malformed.text();
    const truncated = await send(s, path, 'DELETE');
    const truncatedText = await truncated.text();
    // Assess
    expect(malformed.status).toBe(200);
    expect(() => JSON.parse(malformedText)).toThrow(SyntaxError);
    expect(truncated.status).toBe(200);
    expect(truncated.headers.get('content-type')).toBe('application/json');
    expect(Number(truncated.headers.get('content-length'))).toBe(Buffer.byteLength(truncatedText));
    expect(truncatedText.startsWith('{"gateway":')).toBe(true);
    expect(() => JSON.parse(truncatedText)).toThrow(SyntaxError);
    expect(s.get(ready.spec.id)?.status?.status).toBe('STATUS_READY');
  });

  it('encodes enums as numbers on numeric-enums', async () => {
    // Prepare
    const s = await start();
    s.addFault({ route: 'get', kind: 'numeric-enums' });
    // Act
    const res = await send(s, path);
    const { gateway } = (await res.json()) as {
      gateway: { status: { status: unknown; conditions: Array<{ status: string }> } };
    };
    // Assess
    expect(gateway.status.status).toBe(STATUS_NUMBERS.STATUS_READY);
    expect(gateway.status.status).toBe(2);
    expect(gateway.status.conditions[0]?.status).toBe('True');
  });

  it('lists one id a second time, under another name, on list-duplicate', async () => {
    // Prepare
    const s = await start();
    s.addFault({ route: 'list', kind: 'list-duplicate', id: ready.spec.id, name: 'prod-twin' });
    // Act
    const res = await send(s, BASE);
    const { items } = (await res.json()) as { items: WireGateway[] };
    // Assess
    expect(items).toHaveLength(fleet.length + 1);
    expect(
      items.filter((item) => item.spec.id === ready.spec.id).map((item) => item.spec.name),
    ).toEqual([ready.spec.name, 'prod-twin']);
  });

  it('stops faulting after clearFaults', async () => {
    // Prepare
    const s = await start();
    s.addFault({ route: 'any', kind: 'status', status: 500 });
    // Act
    s.clearFaults();
    const res = await send(s, BASE);
    await res.text();
    // Assess
    expect(res.status).toBe(200);
  });

  it('answers a GET with another stored gateway on describe-other', async () => {
    // Prepare
    const s = await start();
    const other = fleet.find((g) => g.spec.id !== ready.spec.id) as WireGateway;
    s.addFault({ route: 'get', kind: 'describe-other', otherId: other.spec.id, times: 1 });
    // Act
    const res = await send(s, path);
    const { gateway } = (await res.json()) as { gateway: { spec: { id: string } } };
    const again = await send(s, path);
    const normal = (await again.json()) as { gateway: { spec: { id: string } } };
    // Assess
    expect(res.status).toBe(200);
    expect(gateway.spec.id).toBe(other.spec.id);
    expect(normal.gateway.spec.id).toBe(ready.spec.id);
    expect(s.requests.map((r) => [r.gatewayId, r.faults?.[0]])).toEqual([
      [ready.spec.id, 'describe-other'],
      [ready.spec.id, undefined],
    ]);
  });
});
