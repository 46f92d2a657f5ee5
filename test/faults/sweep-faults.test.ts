import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '#core/audit/record';
import { largeFleet } from '#simulator/fleet';
import type { FaultRule, WireGateway } from '#simulator/server';
import { testId } from '#test/fixtures/gateway-builder';
import { mixedFleet, TEST_POLICY, wire } from '#test/fixtures/wire-fleet';
import { ROTATED_TOKEN } from '#test/support/canaries';
import { SECRET_ID } from '#test/support/janitor-harness';
import { expectBeforeDeadline, type FaultWorld, useFaultWorld } from './support/fault-world.ts';

const PER_GATEWAY = new Set([
  'gateway.deleted',
  'gateway.already_gone',
  'gateway.delete_failed',
  'gateway.skipped',
  'gateway.would_delete',
]);
const MAX_ATTEMPTS = 10; // DEFAULT_RETRY.maxAttempts
const EXPIRED = mixedFleet().expired; // ids 1, 2, 4, 10 under TEST_POLICY
const FIRST = testId(1);
const ALL_DELETED = { 'gateway.deleted': 4 };
const PROXY_401 = '<html><head><title>401 Authorization Required</title></head></html>';
const REFERENCED = {
  code: 9,
  message: 'gateway is referenced by 2 deployments',
  details: [
    {
      '@type': 'type.googleapis.com/google.rpc.PreconditionFailure',
      violations: [{ type: 'REFERENCED', description: 'deployments still use this gateway' }],
    },
  ],
};
const BAD_REQUEST = {
  code: 3,
  message: 'invalid gateway id',
  details: [
    {
      '@type': 'type.googleapis.com/google.rpc.BadRequest',
      fieldViolations: [{ field: 'id', description: 'bad' }],
    },
  ],
};

/** One row of the matrix: faults to inject, and how the run must end. */
interface SweepCase {
  faults?: () => FaultRule[];
  fleet?: () => { gateways: WireGateway[]; expired: string[] };
  policy?: object;
  /** what the test does while the run is in flight */
  during?: (world: FaultWorld) => Promise<void>;
  /** the run fails with this code (and, for a stopped run, these per-gateway counts) */
  error?: string;
  counts?: Record<string, number>;
  check?: (world: FaultWorld) => void;
}

const status = (route: FaultRule['route'], code: number, extra: Partial<FaultRule> = {}) =>
  ({ route, kind: 'status', status: code, ...extra }) as FaultRule;

const httpDateIn = (ms: number) => new Date(Date.now() + ms).toUTCString();

/** The gap between a 429 answer and the next request on the same route and gateway. */
function retryGapMs(world: FaultWorld, route: 'list' | 'delete', id?: string): number {
  const log = world.harness.simulator.requests.filter(
    (r) => r.route === route && (id === undefined || r.gatewayId === id),
  );
  const limited = log.findIndex((r) => r.status === 429);
  return (log[limited + 1]?.at ?? 0) - (log[limited]?.at ?? 0);
}

// Each row is a fault on list or delete (the sweep makes no GET); rows that need time
// (Retry-After, stalls) are few and short. Faults named by gateway hit an expired one.
const MATRIX: Array<[string, SweepCase]> = [
  ['no fault (baseline)', { counts: ALL_DELETED }],
  [
    'list: latency spike',
    { faults: () => [{ route: 'list', kind: 'latency', ms: 200 }], counts: ALL_DELETED },
  ],
  [
    'list: 429 without Retry-After, twice',
    { faults: () => [status('list', 429, { times: 2 })], counts: ALL_DELETED },
  ],
  [
    'list: 429 with Retry-After: 1 (seconds)',
    {
      faults: () => [status('list', 429, { times: 1, headers: { 'retry-after': '1' } })],
      counts: ALL_DELETED,
      check: (world) => expect(retryGapMs(world, 'list')).toBeGreaterThanOrEqual(950),
    },
  ],
  ['list: 500 twice', { faults: () => [status('list', 500, { times: 2 })], counts: ALL_DELETED }],
  ['list: 502 twice', { faults: () => [status('list', 502, { times: 2 })], counts: ALL_DELETED }],
  ['list: 503 twice', { faults: () => [status('list', 503, { times: 2 })], counts: ALL_DELETED }],
  ['list: 504 twice', { faults: () => [status('list', 504, { times: 2 })], counts: ALL_DELETED }],
  ['list: 503 on every attempt', { faults: () => [status('list', 503)], error: 'API_TRANSIENT' }],
  ['list: 501 is not retried', { faults: () => [status('list', 501)], error: 'API_PERMANENT' }],
  [
    'list: connection reset',
    { faults: () => [{ route: 'list', kind: 'reset', times: 2 }], counts: ALL_DELETED },
  ],
  [
    'list: reset mid-body',
    { faults: () => [{ route: 'list', kind: 'reset-mid-body', times: 1 }], counts: ALL_DELETED },
  ],
  [
    'list: stall past the timeout',
    { faults: () => [{ route: 'list', kind: 'stall', ms: 1_000, times: 1 }], counts: ALL_DELETED },
  ],
  [
    'list: non-JSON 200',
    { faults: () => [{ route: 'list', kind: 'malformed', times: 1 }], counts: ALL_DELETED },
  ],
  [
    'list: truncated 200',
    { faults: () => [{ route: 'list', kind: 'truncated', times: 1 }], counts: ALL_DELETED },
  ],
  [
    'list: non-JSON 200 on every attempt',
    { faults: () => [{ route: 'list', kind: 'malformed' }], error: 'API_BAD_RESPONSE' },
  ],
  [
    'list: non-JSON 401 from a proxy, once (token fetched again)',
    {
      faults: () => [status('list', 401, { times: 1, body: PROXY_401 })],
      counts: ALL_DELETED,
      check: (world) => expect(world.harness.secrets.calls).toHaveLength(2),
    },
  ],
  [
    'list: non-JSON 401 from a proxy, always',
    { faults: () => [status('list', 401, { body: PROXY_401 })], error: 'API_UNAUTHENTICATED' },
  ],
  ['list: 403', { faults: () => [status('list', 403)], error: 'API_FORBIDDEN' }],
  [
    'list: 404 is a wrong URL, not an empty fleet',
    { faults: () => [status('list', 404)], error: 'API_NOT_FOUND', counts: {} },
  ],
  ['list: {}', { faults: () => [status('list', 200, { body: {} })], counts: {} }],
  [
    'list: {"items": null}',
    { faults: () => [status('list', 200, { body: { items: null } })], counts: {} },
  ],
  [
    'list: an array instead of an object',
    { faults: () => [status('list', 200, { body: [] })], error: 'API_BAD_RESPONSE' },
  ],
  [
    'list: an item without an id is kept (unknown_identity)',
    {
      faults: () => [
        status('list', 200, {
          body: { items: [{ spec: { name: 'pr-1' }, status: { status: 'STATUS_FAILED' } }] },
        }),
      ],
      counts: {},
      check: (world) => expect(world.calls('DELETE')).toEqual([]),
    },
  ],
  [
    'list: a failed gateway without a name is kept (unknown_identity)',
    {
      fleet: () => {
        const { gateways, expired } = mixedFleet();
        return {
          gateways: [...gateways, wire(30, '', 100, { status: 'STATUS_FAILED' })],
          expired,
        };
      },
      counts: ALL_DELETED,
    },
  ],
  [
    'list: one id twice, once under a protected name (duplicate_id)',
    {
      faults: () => [{ route: 'list', kind: 'list-duplicate', id: FIRST, name: 'prod-api-2' }],
      fleet: () => ({
        gateways: mixedFleet().gateways,
        expired: [testId(2), testId(4), testId(10)],
      }),
      counts: { 'gateway.deleted': 3 },
    },
  ],
  [
    'list and delete: enum values as numbers (a status rule never matches a number)',
    {
      faults: () => [{ route: 'any', kind: 'numeric-enums' }],
      // failed-gw (4) is matched only by its status: kept. pr-107-deleting (7) is matched by
      // name once its status is unknown; deleting it again is harmless.
      fleet: () => ({
        gateways: mixedFleet().gateways,
        expired: [testId(1), testId(2), testId(7), testId(10)],
      }),
      check: (world) => {
        expect(world.calls('DELETE', testId(4))).toEqual([]);
        expect(world.records().filter((r) => r.event === 'gateway.delete_failed')).toEqual([]);
      },
    },
  ],
  [
    'list: unknown status strings',
    {
      fleet: () => {
        const { gateways } = mixedFleet();
        const renamed = gateways.map((g) =>
          g.spec.id === testId(1)
            ? withStatus(g, 'STATUS_HIBERNATING') // matched by name: still expired
            : g.spec.id === testId(4)
              ? withStatus(g, 'STATUS_QUARANTINED') // matched only by status: no rule now
              : g,
        );
        return { gateways: renamed, expired: [testId(1), testId(2), testId(10)] };
      },
      counts: { 'gateway.deleted': 3 },
    },
  ],
  [
    'list and delete: unknown extra fields',
    {
      fleet: () => {
        const { gateways, expired } = mixedFleet();
        return { gateways: gateways.map(withExtraFields), expired };
      },
      counts: ALL_DELETED,
      check: (world) => {
        const text = JSON.stringify(world.records());
        expect(text).not.toContain('edgeProxyMode');
        expect(text).not.toContain('internalNotes');
      },
    },
  ],
  [
    'list: extra top-level fields and an echoed apiKey in a raw body',
    {
      faults: () => [
        status('list', 200, {
          body: { items: mixedFleet().gateways, nextPageToken: '', totalSize: 12 },
        }),
      ],
      counts: ALL_DELETED,
    },
  ],
  [
    'list: 10,000 gateways',
    {
      fleet: () => {
        const now = new Date();
        const gateways = largeFleet({ count: 10_000, expiredShare: 0.001, now });
        const cutoff = now.getTime() - 30 * 86_400_000;
        const expired = gateways
          .filter((g) => Date.parse(g.status?.createdAt ?? '') <= cutoff)
          .map((g) => g.spec.id);
        return { gateways, expired };
      },
      policy: { rules: [{ id: 'bench', match: { name: 'bench-*' }, maxAge: '30d' }] },
      counts: { 'gateway.deleted': 10 },
    },
  ],
  [
    'delete: latency spike',
    { faults: () => [{ route: 'delete', kind: 'latency', ms: 200 }], counts: ALL_DELETED },
  ],
  [
    'delete: 429 without Retry-After',
    { faults: () => [status('delete', 429, { gatewayId: FIRST, times: 2 })], counts: ALL_DELETED },
  ],
  [
    'delete: 429 with Retry-After as an HTTP date',
    {
      faults: () => [
        status('delete', 429, {
          gatewayId: FIRST,
          times: 1,
          headers: { 'retry-after': httpDateIn(2_000) },
        }),
      ],
      counts: ALL_DELETED,
      // An HTTP date has whole seconds: the wait is at least one of them.
      check: (world) => expect(retryGapMs(world, 'delete', FIRST)).toBeGreaterThanOrEqual(900),
    },
  ],
  [
    'delete: 500 twice',
    { faults: () => [status('delete', 500, { gatewayId: FIRST, times: 2 })], counts: ALL_DELETED },
  ],
  [
    'delete: 502 twice',
    { faults: () => [status('delete', 502, { gatewayId: FIRST, times: 2 })], counts: ALL_DELETED },
  ],
  [
    'delete: 503 twice',
    { faults: () => [status('delete', 503, { gatewayId: FIRST, times: 2 })], counts: ALL_DELETED },
  ],
  [
    'delete: 504 twice',
    { faults: () => [status('delete', 504, { gatewayId: FIRST, times: 2 })], counts: ALL_DELETED },
  ],
  [
    'delete: 503 on every attempt for one gateway',
    {
      faults: () => [status('delete', 503, { gatewayId: FIRST })],
      counts: { 'gateway.deleted': 3, 'gateway.delete_failed': 1 },
      check: (world) => expect(world.calls('DELETE', FIRST)).toHaveLength(MAX_ATTEMPTS),
    },
  ],
  [
    'delete: 501 is not retried',
    {
      faults: () => [status('delete', 501)],
      counts: { 'gateway.delete_failed': 4 },
      check: (world) => {
        for (const id of EXPIRED) expect(world.calls('DELETE', id)).toHaveLength(1);
      },
    },
  ],
  [
    'delete: connection reset',
    {
      faults: () => [{ route: 'delete', kind: 'reset', gatewayId: FIRST, times: 2 }],
      counts: ALL_DELETED,
    },
  ],
  [
    'delete: reset mid-body after the deletion started',
    {
      faults: () => [{ route: 'delete', kind: 'reset-mid-body', gatewayId: FIRST, times: 1 }],
      counts: ALL_DELETED,
      // The retry finds the gateway DELETING and the API answers 200 again: one record.
      check: (world) =>
        expect(world.calls('DELETE', FIRST).map((c) => c.status)).toEqual([200, 200]),
    },
  ],
  [
    'delete: stall past the timeout',
    {
      faults: () => [{ route: 'delete', kind: 'stall', ms: 1_000, gatewayId: FIRST, times: 1 }],
      counts: ALL_DELETED,
    },
  ],
  [
    'delete: non-JSON 200',
    {
      faults: () => [{ route: 'delete', kind: 'malformed', gatewayId: FIRST, times: 1 }],
      counts: ALL_DELETED,
    },
  ],
  [
    'delete: truncated 200',
    {
      faults: () => [{ route: 'delete', kind: 'truncated', gatewayId: FIRST, times: 1 }],
      counts: ALL_DELETED,
    },
  ],
  [
    'delete: non-JSON 401 from a proxy, once',
    {
      faults: () => [status('delete', 401, { gatewayId: FIRST, times: 1, body: PROXY_401 })],
      counts: ALL_DELETED,
    },
  ],
  [
    'delete: 401 after the token is fetched again stops the run',
    {
      faults: () => [status('delete', 401)],
      error: 'API_UNAUTHENTICATED',
      counts: { 'gateway.delete_failed': 4 },
    },
  ],
  [
    'delete: 403 stops the run',
    {
      faults: () => [status('delete', 403)],
      error: 'API_FORBIDDEN',
      counts: { 'gateway.delete_failed': 4 },
    },
  ],
  [
    'delete: 404 is already gone, not retried',
    {
      faults: () => [status('delete', 404, { gatewayId: FIRST })],
      counts: { 'gateway.deleted': 3, 'gateway.already_gone': 1 },
      check: (world) => expect(world.calls('DELETE', FIRST)).toHaveLength(1),
    },
  ],
  [
    'delete: 409 still referenced by deployments',
    {
      faults: () => [status('delete', 409, { gatewayId: FIRST, body: REFERENCED })],
      counts: { 'gateway.deleted': 3, 'gateway.delete_failed': 1 },
      check: (world) => {
        const failed = world.records().find((r) => r.event === 'gateway.delete_failed');
        expect(failed).toMatchObject({ gatewayId: FIRST, http: { status: 409, attempts: 1 } });
        expect(failed?.error?.message).toContain('referenced by 2 deployments');
      },
    },
  ],
  [
    'delete: 400 with a google.rpc.BadRequest body',
    {
      faults: () => [status('delete', 400, { gatewayId: FIRST, body: BAD_REQUEST })],
      counts: { 'gateway.deleted': 3, 'gateway.delete_failed': 1 },
      check: (world) => expect(world.calls('DELETE', FIRST)).toHaveLength(1),
    },
  ],
  [
    'token rotated mid-run: 401, then the new token works',
    {
      faults: () => [{ route: 'delete', kind: 'latency', ms: 150, times: 1 }],
      during: async (world) => {
        await until(() => world.calls('DELETE').length > 0);
        world.harness.simulator.rotateToken(ROTATED_TOKEN);
        world.harness.secrets.setSecret(SECRET_ID, ROTATED_TOKEN);
      },
      counts: ALL_DELETED,
      check: (world) => {
        expect(world.harness.simulator.requests.some((r) => r.status === 401)).toBe(true);
        expect(world.harness.secrets.calls).toHaveLength(2);
      },
    },
  ],
];

describe('sweep handler under faults (fault matrix)', () => {
  const world = useFaultWorld();

  it.each(MATRIX)('%s', async (_name, row) => {
    // Prepare
    const fleet = row.fleet?.() ?? mixedFleet();
    world.seed(fleet.gateways);
    for (const fault of row.faults?.() ?? []) world.harness.simulator.addFault(fault);
    const sweep = world.sweep({
      env: { JANITOR_POLICY: JSON.stringify(row.policy ?? TEST_POLICY) },
    });
    // Act
    const running = sweep({});
    await row.during?.(world);
    const run = await running;
    // Assess
    if (row.error) {
      expect(run.ok ? 'completed' : (run.error as { code?: string }).code).toBe(row.error);
    } else {
      expect(run.ok ? 'completed' : run.error.message).toBe('completed');
    }
    if (row.counts) expect(gatewayCounts(world.records())).toEqual(row.counts);
    expectSweepInvariants(world, fleet);
    expectBeforeDeadline(run);
    row.check?.(world);
  });
});

/**
 * The invariants of every sweep, whatever the fault: each expired gateway ends in exactly
 * one per-gateway record (or the run failed before acting and says so); only expired
 * gateways are ever sent a DELETE; a `gateway.deleted` is backed by a 200 from the API;
 * attempts are bounded; one run summary.
 */
function expectSweepInvariants(
  world: FaultWorld,
  fleet: { gateways: WireGateway[]; expired: string[] },
): void {
  const records = world.records();
  const perGateway = records.filter((r) => PER_GATEWAY.has(r.event));
  const expired = new Set(fleet.expired);
  if (perGateway.length > 0) {
    expect(perGateway.map((r) => r.gatewayId).sort()).toEqual([...expired].sort());
  }
  expect(world.calls('DELETE').length).toBeLessThanOrEqual(expired.size * (MAX_ATTEMPTS + 1));
  for (const request of world.harness.simulator.requests) {
    if (request.method === 'DELETE') expect(expired.has(request.gatewayId ?? '')).toBe(true);
  }
  for (const id of expired) {
    expect(world.calls('DELETE', id).length).toBeLessThanOrEqual(MAX_ATTEMPTS + 1);
  }
  for (const record of perGateway.filter((r) => r.event === 'gateway.deleted')) {
    const answers = world.calls('DELETE', record.gatewayId).map((c) => c.status);
    expect(answers).toContain(200);
    expect(record.http?.attempts ?? 0).toBeLessThanOrEqual(MAX_ATTEMPTS + 1);
  }
  const lists = world.harness.simulator.requests.filter((r) => r.route === 'list');
  expect(lists.length).toBeLessThanOrEqual(MAX_ATTEMPTS + 1);
  expect(records.filter((r) => r.event === 'run.summary').length).toBeLessThanOrEqual(1);
}

function gatewayCounts(records: AuditRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const record of records) {
    if (PER_GATEWAY.has(record.event)) counts[record.event] = (counts[record.event] ?? 0) + 1;
  }
  return counts;
}

function withStatus(gateway: WireGateway, value: string): WireGateway {
  return { ...gateway, status: { ...gateway.status, status: value } };
}

function withExtraFields(gateway: WireGateway): WireGateway {
  return {
    ...gateway,
    metadata: { internalNotes: 'x' },
    spec: { ...gateway.spec, edgeProxyMode: 'EDGE_PROXY_MODE_ON' },
    status: { ...gateway.status, internalNotes: 'y', generation: 7 },
  } as WireGateway;
}

/** Polls `condition` every 5 ms for at most 2 s. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
}
