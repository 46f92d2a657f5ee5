/** The sweep fault matrix: its row shape, the helpers its rows use, and the invariants every row checks. */
import { expect } from 'vitest';
import type { AuditRecord } from '#core/audit/record';
import type { FaultRule, WireGateway } from '#simulator/server';
import { testId } from '#test/fixtures/gateway-builder';
import { mixedFleet, TEST_POLICY } from '#test/fixtures/wire-fleet';
import { expectBeforeDeadline, type FaultWorld } from './fault-world.ts';

export const PER_GATEWAY = new Set([
  'gateway.deleted',
  'gateway.already_gone',
  'gateway.delete_failed',
  'gateway.skipped',
  'gateway.would_delete',
]);
export const MAX_ATTEMPTS = 10; // DEFAULT_RETRY.maxAttempts
export const EXPIRED = mixedFleet().expired; // ids 1, 2, 4, 10 under TEST_POLICY
export const FIRST = testId(1);
export const ALL_DELETED = { 'gateway.deleted': 4 };
export const PROXY_401 = '<html><head><title>401 Authorization Required</title></head></html>';
export const REFERENCED = {
  code: 9,
  message: 'gateway is referenced by 2 deployments',
  details: [
    {
      '@type': 'type.googleapis.com/google.rpc.PreconditionFailure',
      violations: [{ type: 'REFERENCED', description: 'deployments still use this gateway' }],
    },
  ],
};
export const BAD_REQUEST = {
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
export interface SweepCase {
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

export const status = (route: FaultRule['route'], code: number, extra: Partial<FaultRule> = {}) =>
  ({ route, kind: 'status', status: code, ...extra }) as FaultRule;

export const httpDateIn = (ms: number) => new Date(Date.now() + ms).toUTCString();

/** The gap between a 429 answer and the next request on the same route and gateway. */
export function retryGapMs(world: FaultWorld, route: 'list' | 'delete', id?: string): number {
  const log = world.harness.simulator.requests.filter(
    (r) => r.route === route && (id === undefined || r.gatewayId === id),
  );
  const limited = log.findIndex((r) => r.status === 429);
  return (log[limited + 1]?.at ?? 0) - (log[limited]?.at ?? 0);
}

/** Runs one row of the matrix against the real handler and checks how it ended. */
export async function runSweepCase(world: FaultWorld, row: SweepCase): Promise<void> {
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
}

/**
 * The invariants of every sweep, whatever the fault: each expired gateway ends in exactly
 * one per-gateway record (or the run failed before acting and says so); only expired
 * gateways are ever sent a DELETE; a `gateway.deleted` is backed by a 200 from the API;
 * attempts are bounded; one run summary.
 */
export function expectSweepInvariants(
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

export function gatewayCounts(records: AuditRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const record of records) {
    if (PER_GATEWAY.has(record.event)) counts[record.event] = (counts[record.event] ?? 0) + 1;
  }
  return counts;
}

export function withStatus(gateway: WireGateway, value: string): WireGateway {
  return { ...gateway, status: { ...gateway.status, status: value } };
}

export function withExtraFields(gateway: WireGateway): WireGateway {
  return {
    ...gateway,
    metadata: { internalNotes: 'x' },
    spec: { ...gateway.spec, edgeProxyMode: 'EDGE_PROXY_MODE_ON' },
    status: { ...gateway.status, internalNotes: 'y', generation: 7 },
  } as WireGateway;
}

/** Polls `condition` every 5 ms for at most 2 s. */
export async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
}
