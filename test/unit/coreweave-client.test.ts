import { describe, expect, it } from 'vitest';
import { CoreWeaveClient } from '#adapters/coreweave/client';
import { AdaptiveRate } from '#adapters/coreweave/retry';
import { ApiError } from '#core/errors';
import type { TokenSource } from '#core/ports';
import { useMockAgent } from '#test/support/mock-agent';

const ORIGIN = 'https://api.coreweave.test';
const ID = '6f1c2a9e-3b7d-4c1e-9a52-0d8e4f7b21aa';
const PATH = `/v1alpha1/inference/gateways/${ID}`;
const CANARY = 'CW-SECRET-canary-token-0001';
const forever = { budgetMs: () => 60_000 };
const deleting = {
  gateway: {
    spec: {
      id: ID,
      name: 'ci-gw',
      zones: ['US-EAST-04A'],
      organizationId: 'a1b2c3',
      weightsAndBiasesAuth: { serverUrl: 'https://w.invalid', apiKey: 'wandb-canary-key' },
      pathBasedRouting: {},
      surprise: { x: 1 },
    },
    status: {
      createdAt: '2026-08-21T15:48:38Z',
      updatedAt: '2026-08-22T03:00:01Z',
      status: 'STATUS_DELETING',
    },
  },
};

class CountingTokens implements TokenSource {
  refreshes = 0;
  token: string;
  readonly next: string;
  constructor(token: string, next: string = token) {
    this.token = token;
    this.next = next;
  }
  get() {
    return Promise.resolve(this.token);
  }
  refresh() {
    this.refreshes += 1;
    this.token = this.next;
    return Promise.resolve(this.token);
  }
}

describe('CoreWeaveClient', () => {
  const agent = useMockAgent();
  const client = (tokens: TokenSource = new CountingTokens(CANARY)) =>
    new CoreWeaveClient({
      baseUrl: ORIGIN,
      tokens,
      dispatcher: agent(),
      retry: { baseDelayMs: 1, maxDelayMs: 2 },
    });
  const pool = () => agent().get(ORIGIN);

  it('returns the final state from DELETE, normalised and without secrets or unknown fields', async () => {
    pool()
      .intercept({ path: PATH, method: 'DELETE', headers: { authorization: `Bearer ${CANARY}` } })
      .reply(200, deleting);
    const result = await client().delete(ID, forever);
    expect(result.kind).toBe('deleted');
    if (result.kind !== 'deleted') return;
    expect(result.gateway).toMatchObject({
      id: ID,
      name: 'ci-gw',
      status: 'STATUS_DELETING',
      authKind: 'weightsAndBiasesAuth',
      routingKind: 'pathBasedRouting',
    });
    expect(JSON.stringify(result.gateway)).not.toContain('wandb-canary-key');
    expect(JSON.stringify(result.gateway)).not.toContain('surprise');
    expect(result.http).toMatchObject({ status: 200, attempts: 1 });
  });

  it('treats 404 on DELETE as already gone, without retrying', async () => {
    pool()
      .intercept({ path: PATH, method: 'DELETE' })
      .reply(404, { code: 5, message: 'gateway not found' });
    expect(await client().delete(ID, forever)).toMatchObject({
      kind: 'already_gone',
      http: { status: 404, attempts: 1 },
    });
  });

  it('retries 503 and 429 then succeeds, counting attempts', async () => {
    pool().intercept({ path: PATH, method: 'DELETE' }).reply(503, 'upstream down');
    pool()
      .intercept({ path: PATH, method: 'DELETE' })
      .reply(429, { code: 8, message: 'slow down' }, { headers: { 'retry-after': '0' } });
    pool().intercept({ path: PATH, method: 'DELETE' }).reply(200, deleting);
    expect(await client().delete(ID, forever)).toMatchObject({
      kind: 'deleted',
      http: { status: 200, attempts: 3 },
    });
  });

  it('gives up on a permanent 409 with the API message and no token in the error', async () => {
    pool()
      .intercept({ path: PATH, method: 'DELETE' })
      .reply(409, { code: 'failed_precondition', message: 'gateway is referenced by deployments' });
    const error = await client()
      .delete(ID, forever)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      code: 'API_PERMANENT',
      status: 409,
      method: 'DELETE',
      path: PATH,
      apiMessage: 'gateway is referenced by deployments',
    });
    expect(String((error as Error).message) + String((error as Error).stack)).not.toContain(CANARY);
  });

  it('redacts the token from an error message that echoes the request', async () => {
    pool()
      .intercept({ path: PATH, method: 'DELETE' })
      .reply(400, { message: `bad request: Authorization: Bearer ${CANARY} rejected` });
    const error = (await client()
      .delete(ID, forever)
      .catch((e: unknown) => e)) as ApiError;
    expect(error.apiMessage).toBe('bad request: Authorization: Bearer [REDACTED] rejected');
    expect(`${error.message}${error.stack}`).not.toContain(CANARY);
  });

  it.each([
    ['is being deleted', 200, deleting],
    ['is gone', 404, { code: 5, message: 'gateway not found' }],
  ])('treats a 409 on DELETE as already gone when the gateway %s', async (_title, status, body) => {
    pool()
      .intercept({ path: PATH, method: 'DELETE' })
      .reply(409, { code: 9, message: 'deletion in progress' });
    pool().intercept({ path: PATH, method: 'GET' }).reply(status, body);
    expect(await client().delete(ID, forever)).toMatchObject({
      kind: 'already_gone',
      http: { status: 409 },
    });
  });

  it('keeps a 409 on DELETE a failure when the gateway is still there', async () => {
    pool()
      .intercept({ path: PATH, method: 'DELETE' })
      .reply(409, { message: 'referenced by deployments' });
    pool()
      .intercept({ path: PATH, method: 'GET' })
      .reply(200, {
        gateway: {
          ...deleting.gateway,
          status: { ...deleting.gateway.status, status: 'STATUS_READY' },
        },
      });
    await expect(client().delete(ID, forever)).rejects.toMatchObject({
      code: 'API_PERMANENT',
      status: 409,
    });
  });

  it('refreshes the token once on 401 and retries with the new one', async () => {
    const tokens = new CountingTokens('CW-SECRET-old', 'CW-SECRET-new');
    pool()
      .intercept({
        path: PATH,
        method: 'DELETE',
        headers: { authorization: 'Bearer CW-SECRET-old' },
      })
      .reply(401, { code: 16, message: 'unauthenticated' });
    pool()
      .intercept({
        path: PATH,
        method: 'DELETE',
        headers: { authorization: 'Bearer CW-SECRET-new' },
      })
      .reply(200, deleting);
    expect((await client(tokens).delete(ID, forever)).kind).toBe('deleted');
    expect(tokens.refreshes).toBe(1);
  });

  it('stops with API_UNAUTHENTICATED when the refreshed token is rejected too', async () => {
    const tokens = new CountingTokens(CANARY);
    pool()
      .intercept({ path: PATH, method: 'DELETE' })
      .reply(401, '<html>proxy says no</html>')
      .times(2);
    const error = (await client(tokens)
      .delete(ID, forever)
      .catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe('API_UNAUTHENTICATED');
    expect(error.stopsRun).toBe(true);
    expect(error.apiMessage).toBe('non-JSON error body');
    expect(tokens.refreshes).toBe(1);
  });

  it('stops with API_FORBIDDEN on 403 without refreshing', async () => {
    const tokens = new CountingTokens(CANARY);
    pool()
      .intercept({ path: PATH, method: 'DELETE' })
      .reply(403, { code: 7, message: 'permission denied' });
    const error = (await client(tokens)
      .delete(ID, forever)
      .catch((e: unknown) => e)) as ApiError;
    expect(error).toMatchObject({ code: 'API_FORBIDDEN', stopsRun: true });
    expect(tokens.refreshes).toBe(0);
  });

  it('does not retry 501', async () => {
    pool().intercept({ path: PATH, method: 'DELETE' }).reply(501, {});
    const error = (await client()
      .delete(ID, forever)
      .catch((e: unknown) => e)) as ApiError;
    expect(error).toMatchObject({ code: 'API_PERMANENT', http: { attempts: 1 } });
  });

  it('reports a transient failure once the deadline leaves no time to retry', async () => {
    pool().intercept({ path: PATH, method: 'DELETE' }).reply(503, 'busy');
    const error = (await client()
      .delete(ID, { budgetMs: () => 0 })
      .catch((e: unknown) => e)) as ApiError;
    expect(error).toMatchObject({ code: 'API_TRANSIENT', status: 503, http: { attempts: 1 } });
  });

  it('does not pace a request past the deadline after a 429', async () => {
    const rate = new AdaptiveRate({ now: () => 0 });
    rate.observe(429);
    rate.reserve(); // the next slot is now 200 ms away (5 requests/s)
    const paced = new CoreWeaveClient({
      baseUrl: ORIGIN,
      tokens: new CountingTokens(CANARY),
      dispatcher: agent(),
      adaptiveRate: rate,
    });
    const error = (await paced
      .delete(ID, { budgetMs: () => 100 })
      .catch((e: unknown) => e)) as ApiError;
    expect(error).toMatchObject({ code: 'API_TRANSIENT', http: { attempts: 1 } });
    expect(error.message).toContain('rate-limited');
  });

  it('refuses an id that is not a uuid before building a URL', async () => {
    const error = (await client()
      .delete('../parameters', forever)
      .catch((e: unknown) => e)) as ApiError;
    expect(error).toMatchObject({ code: 'API_PERMANENT', http: { attempts: 0 } });
  });

  it.each([
    ['{}', {}, []],
    ['an empty items array', { items: [] }, []],
    [
      'an undocumented status number as unknown, showing the number',
      { items: [{ spec: { id: ID, name: 'n' }, status: { status: 6 } }] },
      ['STATUS_UNKNOWN(6)'],
    ],
    [
      'the proto3 zero number as STATUS_UNSPECIFIED',
      { items: [{ spec: { id: ID, name: 'n' }, status: { status: 0 } }] },
      ['STATUS_UNSPECIFIED'],
    ],
    [
      'unknown status strings',
      { items: [{ spec: { id: ID }, status: { status: 'STATUS_HIBERNATING' } }] },
      ['STATUS_UNKNOWN(STATUS_HIBERNATING)'],
    ],
    ['an omitted status', { items: [{ spec: { id: ID } }] }, ['STATUS_UNSPECIFIED']],
  ])('lists %s', async (_title, body, statuses) => {
    pool().intercept({ path: '/v1alpha1/inference/gateways', method: 'GET' }).reply(200, body);
    const gateways = await client().list(forever);
    expect(gateways.map((g) => g.status)).toEqual(statuses);
  });

  it('reads a list item without an id as a blank id, for the policy to keep', async () => {
    pool()
      .intercept({ path: '/v1alpha1/inference/gateways', method: 'GET' })
      .reply(200, { items: [{ spec: { name: 'x' } }] });
    const gateways = await client().list(forever);
    expect(gateways.map((g) => [g.id, g.name])).toEqual([['', 'x']]);
  });

  it('refuses a GET body whose gateway has no id', async () => {
    pool()
      .intercept({ path: `/v1alpha1/inference/gateways/${ID}`, method: 'GET' })
      .reply(200, { gateway: { spec: { name: 'x' } } });
    await expect(client().get(ID, forever)).rejects.toMatchObject({ code: 'API_BAD_RESPONSE' });
  });

  it('fails with API_NOT_FOUND when the list answers 404, without retrying', async () => {
    pool()
      .intercept({ path: '/v1alpha1/inference/gateways', method: 'GET' })
      .reply(404, { code: 5, message: 'not found' });
    const error = (await client()
      .list(forever)
      .catch((e: unknown) => e)) as ApiError;
    expect(error).toMatchObject({ code: 'API_NOT_FOUND', http: { status: 404, attempts: 1 } });
    expect(error.message).toContain('COREWEAVE_API_URL');
  });

  it('retries a 200 whose body is not JSON', async () => {
    pool()
      .intercept({ path: '/v1alpha1/inference/gateways', method: 'GET' })
      .reply(200, '{"items": [');
    pool()
      .intercept({ path: '/v1alpha1/inference/gateways', method: 'GET' })
      .reply(200, { items: [] });
    expect(await client().list(forever)).toEqual([]);
  });
});
