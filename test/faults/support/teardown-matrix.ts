/** The teardown fault matrix: the batch every row serves, its baseline, and the invariants every row checks. */
import type { SQSEvent } from 'aws-lambda';
import { expect } from 'vitest';
import type { FaultRule } from '#simulator/server';
import { testId } from '#test/fixtures/gateway-builder';
import { sqsRecord } from '#test/fixtures/sqs-event';
import { ago } from '#test/fixtures/wire-fleet';
import { DLQ_URL, type FaultWorld, QUEUE_URL } from './fault-world.ts';

export const MAX_ATTEMPTS = 3; // TEARDOWN_RETRY.maxAttempts
export const FIRST = testId(1);

// Outcomes of one message: its audit record as `event:reason`, or RETRY when it is in
// batchItemFailures (SQS delivers it again).
export const DELETED = 'gateway.deleted:requested';
export const RETRY = 'retry';
/** The records a reported (retried) message may carry. */
export const REPORTED = [
  'gateway.delete_failed:transient',
  'gateway.delete_failed:run_stopped',
  'gateway.skipped:deadline',
];
export const PERMANENT = 'gateway.delete_failed:permanent';

/** A full batch of 10 over the mixed fleet: every kind of request a teardown can get. */
export function batch() {
  const body = (request: object | string) =>
    typeof request === 'string' ? request : JSON.stringify(request);
  const bodies = {
    due: { gatewayId: FIRST, requestedBy: 'ci/pr-101' },
    pastExpiry: { gatewayId: testId(2), expiresAt: ago(1) },
    identityMatches: { gatewayId: testId(3), expectedName: 'pr-103-young' },
    wandb: { gatewayId: testId(10).toUpperCase() },
    protectedGw: { gatewayId: testId(6) },
    stale: { gatewayId: testId(11), expectedName: 'demo-recreated' },
    // Pinned already (expectedCreatedAt), so deferring it needs no API call.
    notDue: {
      gatewayId: testId(5),
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      expectedCreatedAt: ago(2),
    },
    deleting: { gatewayId: testId(7) },
    missing: { gatewayId: testId(404) },
    malformed: '{"gatewayId": "../../v1alpha1/inference/gateways"}',
  };
  const records = Object.fromEntries(
    Object.entries(bodies).map(([key, request]) => [key, sqsRecord(body(request))]),
  ) as Record<keyof typeof bodies, SQSEvent['Records'][number]>;
  return { records, event: { Records: Object.values(records) } };
}
export type Key = keyof ReturnType<typeof batch>['records'];

export const BASELINE: Record<Key, string> = {
  due: DELETED,
  pastExpiry: DELETED,
  identityMatches: DELETED,
  wandb: DELETED,
  protectedGw: 'gateway.skipped:protected',
  stale: 'gateway.skipped:stale_request',
  notDue: 'gateway.deferred:not_due',
  deleting: 'gateway.already_gone:already_deleting',
  missing: 'gateway.already_gone:not_found',
  malformed: 'request.rejected:invalid_request',
};
/** Gateways the batch may delete; every other id must never see a DELETE. */
export const DELETABLE = new Set([FIRST, testId(2), testId(3), testId(10)]);
export const DELETING_KEYS: Key[] = ['due', 'pastExpiry', 'identityMatches', 'wandb'];

export interface TeardownCase {
  faults?: () => FaultRule[];
  during?: (world: FaultWorld) => Promise<void>;
  /** outcomes that differ from BASELINE; an array allows any of its members */
  outcomes?: Partial<Record<Key, string | string[]>>;
  check?: (world: FaultWorld) => void;
}

export const status = (route: FaultRule['route'], code: number, extra: Partial<FaultRule> = {}) =>
  ({ route, kind: 'status', status: code, ...extra }) as FaultRule;
export const onFirst = (route: FaultRule['route'], code: number, times?: number) =>
  status(route, code, { gatewayId: FIRST, ...(times ? { times } : {}) });
export const PROXY_401 = '<html><body><h1>401 Unauthorized</h1>nginx</body></html>';
export const REFERENCED = {
  code: 'failed_precondition',
  message: 'gateway is referenced by deployments',
};
export const BAD_REQUEST = { code: 3, message: 'id: must be a gateway uuid' };
/** After a stop, a message already served keeps its outcome; any other comes back. */
export const stoppedBatch = (reported: Key[]) => ({
  ...Object.fromEntries(Object.entries(BASELINE).map(([key, outcome]) => [key, [outcome, RETRY]])),
  ...Object.fromEntries(reported.map((key) => [key, RETRY])),
});
export const NEEDS_GET: Key[] = [
  'due',
  'pastExpiry',
  'identityMatches',
  'wandb',
  'protectedGw',
  'stale',
  'deleting',
  'missing',
];

export function outcome(record: { event: string; reason?: string } | undefined): string {
  return record ? `${record.event}:${record.reason}` : 'no record';
}

/**
 * Whatever the fault: only requested, unprotected, current gateways get a DELETE; a
 * `gateway.deleted` is backed by a 200; attempts are bounded per call; rejected and
 * permanently failing messages are parked in the DLQ, not-due ones re-sent, never both.
 */
export function expectTeardownInvariants(
  world: FaultWorld,
  records: ReturnType<typeof batch>['records'],
): void {
  for (const request of world.harness.simulator.requests) {
    if (request.method === 'DELETE') expect(DELETABLE.has(request.gatewayId ?? '')).toBe(true);
  }
  for (const id of DELETABLE) {
    // Each message makes at most one GET and one DELETE call; +1 for the 401 refresh.
    expect(world.calls('GET', id).length).toBeLessThanOrEqual(MAX_ATTEMPTS + 1);
    expect(world.calls('DELETE', id).length).toBeLessThanOrEqual(MAX_ATTEMPTS + 1);
  }
  for (const record of world.records().filter((r) => r.event === 'gateway.deleted')) {
    expect(world.calls('DELETE', record.gatewayId).map((c) => c.status)).toContain(200);
  }
  const parked = world
    .records()
    .filter((r) => r.event === 'request.rejected' || outcome(r) === PERMANENT);
  expect(world.sent.filter((m) => m.queueUrl === DLQ_URL)).toHaveLength(parked.length);
  const deferred = world.records().filter((r) => r.event === 'gateway.deferred');
  expect(world.sent.filter((m) => m.queueUrl === QUEUE_URL)).toHaveLength(deferred.length);
  for (const record of deferred) expect(record.sqsMessageId).toBe(records.notDue.messageId);
  expect(world.calls('GET', testId(5))).toEqual([]);
}
