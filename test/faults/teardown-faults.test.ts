import { describe, expect, it } from 'vitest';
import { ROTATED_TOKEN } from '#test/support/canaries';
import { SECRET_ID } from '#test/support/janitor-harness';
import { expectBeforeDeadline, useFaultWorld } from './support/fault-world.ts';
import {
  BAD_REQUEST,
  BASELINE,
  batch,
  DELETABLE,
  DELETING_KEYS,
  expectTeardownInvariants,
  FIRST,
  type Key,
  MAX_ATTEMPTS,
  NEEDS_GET,
  onFirst,
  outcome,
  PERMANENT,
  PROXY_401,
  REFERENCED,
  REPORTED,
  RETRY,
  status,
  stoppedBatch,
  type TeardownCase,
} from './support/teardown-matrix.ts';

const MATRIX: Array<[string, TeardownCase]> = [
  ['no fault (baseline)', {}],
  ['get: latency spike', { faults: () => [{ route: 'get', kind: 'latency', ms: 200 }] }],
  ['get: 429 without Retry-After', { faults: () => [onFirst('get', 429, 2)] }],
  [
    'get: 429 with Retry-After as an HTTP date',
    {
      faults: () => [
        status('get', 429, {
          gatewayId: FIRST,
          times: 1,
          headers: { 'retry-after': new Date(Date.now() + 2_000).toUTCString() },
        }),
      ],
      check: (world) => {
        const [limited, next] = world.calls('GET', FIRST);
        expect((next?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(900);
      },
    },
  ],
  ['get: 500 twice', { faults: () => [onFirst('get', 500, 2)] }],
  ['get: 502 twice', { faults: () => [onFirst('get', 502, 2)] }],
  ['get: 503 twice', { faults: () => [onFirst('get', 503, 2)] }],
  ['get: 504 twice', { faults: () => [onFirst('get', 504, 2)] }],
  [
    'get: 503 on every attempt',
    {
      faults: () => [onFirst('get', 503)],
      outcomes: { due: RETRY },
      check: (world) => expect(world.calls('GET', FIRST)).toHaveLength(MAX_ATTEMPTS),
    },
  ],
  [
    'get: 501 is not retried, and parked',
    {
      faults: () => [onFirst('get', 501)],
      outcomes: { due: PERMANENT },
      check: (world) => expect(world.calls('GET', FIRST)).toHaveLength(1),
    },
  ],
  [
    'get: connection reset',
    { faults: () => [{ route: 'get', kind: 'reset', gatewayId: FIRST, times: 2 }] },
  ],
  [
    'get: reset mid-body',
    { faults: () => [{ route: 'get', kind: 'reset-mid-body', gatewayId: FIRST, times: 1 }] },
  ],
  [
    'get: stall past the timeout',
    { faults: () => [{ route: 'get', kind: 'stall', ms: 1_000, gatewayId: FIRST, times: 1 }] },
  ],
  [
    'get: non-JSON 200',
    { faults: () => [{ route: 'get', kind: 'malformed', gatewayId: FIRST, times: 1 }] },
  ],
  [
    'get: truncated 200',
    { faults: () => [{ route: 'get', kind: 'truncated', gatewayId: FIRST, times: 1 }] },
  ],
  [
    'get: 200 with a body that is not a gateway',
    {
      faults: () => [status('get', 200, { gatewayId: FIRST, body: { gateway: {} } })],
      outcomes: { due: RETRY },
    },
  ],
  [
    'get: non-JSON 401 from a proxy, once',
    { faults: () => [status('get', 401, { gatewayId: FIRST, times: 1, body: PROXY_401 })] },
  ],
  [
    'get: 401 on every request stops the batch; what needs no API still ends',
    { faults: () => [status('get', 401, { body: PROXY_401 })], outcomes: stoppedBatch(NEEDS_GET) },
  ],
  [
    'get: 403 for one gateway stops the batch',
    {
      faults: () => [onFirst('get', 403)],
      outcomes: stoppedBatch(['due']),
      check: (world) => {
        const record = world.records().find((r) => r.gatewayId === FIRST);
        expect(record).toMatchObject({ event: 'gateway.delete_failed', reason: 'run_stopped' });
      },
    },
  ],
  [
    'get: 403 on every request stops the batch (a batch of only such requests fails)',
    {
      faults: () => [status('get', 403)],
      outcomes: stoppedBatch(NEEDS_GET),
      check: (world) => expect(world.calls('DELETE')).toEqual([]),
    },
  ],
  [
    'get and delete: enum values as numbers',
    {
      // Only for the deletable gateways: a status number is unknown, never STATUS_DELETING.
      faults: () =>
        [...DELETABLE].map(
          (id) => ({ route: 'any', kind: 'numeric-enums', gatewayId: id }) as const,
        ),
    },
  ],
  ['delete: latency spike', { faults: () => [{ route: 'delete', kind: 'latency', ms: 200 }] }],
  [
    'delete: 429 with Retry-After: 1 (seconds)',
    {
      faults: () => [
        status('delete', 429, { gatewayId: FIRST, times: 1, headers: { 'retry-after': '1' } }),
      ],
      check: (world) => {
        const [limited, next] = world.calls('DELETE', FIRST);
        expect((next?.at ?? 0) - (limited?.at ?? 0)).toBeGreaterThanOrEqual(950);
      },
    },
  ],
  ['delete: 429 without Retry-After', { faults: () => [onFirst('delete', 429, 2)] }],
  ['delete: 500 twice', { faults: () => [onFirst('delete', 500, 2)] }],
  ['delete: 502 twice', { faults: () => [onFirst('delete', 502, 2)] }],
  ['delete: 503 twice', { faults: () => [onFirst('delete', 503, 2)] }],
  ['delete: 504 twice', { faults: () => [onFirst('delete', 504, 2)] }],
  [
    'delete: 503 on every attempt',
    {
      faults: () => [onFirst('delete', 503)],
      outcomes: { due: RETRY },
      check: (world) => expect(world.calls('DELETE', FIRST)).toHaveLength(MAX_ATTEMPTS),
    },
  ],
  [
    'delete: 501 is not retried, and parked',
    {
      faults: () => [onFirst('delete', 501)],
      outcomes: { due: PERMANENT },
      check: (world) => expect(world.calls('DELETE', FIRST)).toHaveLength(1),
    },
  ],
  [
    'delete: connection reset',
    { faults: () => [{ route: 'delete', kind: 'reset', gatewayId: FIRST, times: 2 }] },
  ],
  [
    'delete: reset mid-body after the deletion started',
    {
      faults: () => [{ route: 'delete', kind: 'reset-mid-body', gatewayId: FIRST, times: 1 }],
      check: (world) =>
        expect(world.calls('DELETE', FIRST).map((c) => c.status)).toEqual([200, 200]),
    },
  ],
  [
    'delete: stall past the timeout',
    { faults: () => [{ route: 'delete', kind: 'stall', ms: 1_000, gatewayId: FIRST, times: 1 }] },
  ],
  [
    'delete: non-JSON 200',
    { faults: () => [{ route: 'delete', kind: 'malformed', gatewayId: FIRST, times: 1 }] },
  ],
  [
    'delete: truncated 200',
    { faults: () => [{ route: 'delete', kind: 'truncated', gatewayId: FIRST, times: 1 }] },
  ],
  [
    'delete: non-JSON 401 from a proxy, once',
    { faults: () => [status('delete', 401, { gatewayId: FIRST, times: 1, body: PROXY_401 })] },
  ],
  [
    'delete: 403 stops the batch',
    { faults: () => [status('delete', 403)], outcomes: stoppedBatch(DELETING_KEYS) },
  ],
  [
    'delete: 404 is already gone',
    { faults: () => [onFirst('delete', 404)], outcomes: { due: 'gateway.already_gone:not_found' } },
  ],
  [
    'delete: 409 still referenced by deployments, parked',
    {
      faults: () => [status('delete', 409, { gatewayId: FIRST, body: REFERENCED })],
      outcomes: { due: PERMANENT },
      check: (world) => {
        const failed = world.records().find((r) => r.gatewayId === FIRST);
        expect(failed?.error?.message).toContain('referenced by deployments');
      },
    },
  ],
  [
    'delete: 400 with a CoreWeave error body, parked',
    {
      faults: () => [status('delete', 400, { gatewayId: FIRST, body: BAD_REQUEST })],
      outcomes: { due: PERMANENT },
    },
  ],
  [
    'token rotated mid-batch: 401, then the new token works',
    {
      faults: () => [{ route: 'get', kind: 'latency', ms: 150, times: 1 }],
      during: async (world) => {
        for (let i = 0; i < 400 && world.calls('GET').length === 0; i++)
          await new Promise((r) => setTimeout(r, 5));
        world.harness.simulator.rotateToken(ROTATED_TOKEN);
        world.harness.secrets.setSecret(SECRET_ID, ROTATED_TOKEN);
      },
      check: (world) => {
        expect(world.harness.simulator.requests.some((r) => r.status === 401)).toBe(true);
        expect(world.harness.secrets.calls).toHaveLength(2);
      },
    },
  ],
];

describe('teardown handler under faults (fault matrix)', () => {
  const world = useFaultWorld();

  it.each(MATRIX)('%s', async (_name, row) => {
    // Prepare
    const { records, event } = batch();
    for (const fault of row.faults?.() ?? []) world.harness.simulator.addFault(fault);
    // Act
    const running = world.teardown()(event);
    await row.during?.(world);
    const run = await running;
    // Assess
    const failures = new Set(
      run.ok ? run.value.batchItemFailures.map((f) => f.itemIdentifier) : [],
    );
    // A batch with requests that need no API never fails as a whole (the handler fails
    // only when every record comes back; teardown-handler.test.ts covers that).
    expect(run.ok ? 'returned' : run.error.message).toBe('returned');
    for (const [key, record] of Object.entries(records) as Array<[Key, (typeof records)[Key]]>) {
      const own = world.records().filter((r) => r.sqsMessageId === record.messageId);
      // Exactly one of: acknowledged with one record, or reported (at most one record).
      if (!run.ok || failures.has(record.messageId)) {
        expect(own.length, key).toBeLessThanOrEqual(1);
        if (own[0]) expect(REPORTED, key).toContain(outcome(own[0]));
      } else expect(own, key).toHaveLength(1);
      if (!run.ok) continue;
      const actual = failures.has(record.messageId) ? RETRY : outcome(own[0]);
      const expected = row.outcomes?.[key] ?? BASELINE[key];
      if (Array.isArray(expected)) expect(expected, key).toContain(actual);
      else expect(actual, key).toBe(expected);
    }
    expectTeardownInvariants(world, records);
    expectBeforeDeadline(run);
    row.check?.(world);
  });
});
