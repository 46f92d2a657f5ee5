import type { SQSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { WireGateway } from '#simulator/server';
import { testId } from '#test/fixtures/gateway-builder';
import { sqsEvent } from '#test/fixtures/sqs-event';
import { wire } from '#test/fixtures/wire-fleet';
import {
  expectBeforeDeadline,
  type FaultWorld,
  type Invocation,
  useFaultWorld,
} from './support/fault-world.ts';

const BATCHES = 100;
const UNIQUE_PER_BATCH = 8; // plus two in-batch duplicates: 10 messages per batch
const GATEWAYS = BATCHES * UNIQUE_PER_BATCH;
/** Every tenth gateway is protected (prod-*): it must never see a DELETE. */
const isProtected = (n: number) => n % 10 === 0;

function fleet(): WireGateway[] {
  return Array.from({ length: GATEWAYS }, (_, i) =>
    wire(i + 1, isProtected(i + 1) ? `prod-${i + 1}` : `pr-${i + 1}`, 100),
  );
}

/** Batch b: its 8 gateways, then the first again (upper-cased) and the second again. */
function batches(): SQSEvent[] {
  return Array.from({ length: BATCHES }, (_, b) => {
    const ids = Array.from({ length: UNIQUE_PER_BATCH }, (_, k) =>
      testId(b * UNIQUE_PER_BATCH + k + 1),
    );
    const [first = '', second = ''] = ids;
    return sqsEvent(
      ...ids.map((gatewayId) => ({ gatewayId, requestedBy: `load/${b}` })),
      { gatewayId: first.toUpperCase() },
      { gatewayId: second },
    );
  });
}

type Run = Invocation<{ batchItemFailures: Array<{ itemIdentifier: string }> }>;

/** Each message ends acknowledged with exactly one record, or reported with at most one. */
function expectEveryMessageAccountedFor(world: FaultWorld, events: SQSEvent[], runs: Run[]) {
  runs.forEach((run, b) => {
    expectBeforeDeadline(run);
    if (!run.ok) throw run.error;
    const reported = new Set(run.value.batchItemFailures.map((f) => f.itemIdentifier));
    for (const record of events[b]?.Records ?? []) {
      const own = world.records().filter((r) => r.sqsMessageId === record.messageId);
      if (reported.has(record.messageId)) expect(own.length).toBeLessThanOrEqual(1);
      else expect(own).toHaveLength(1);
    }
  });
}

describe('teardown handler under load with injected faults', () => {
  const world = useFaultWorld();

  it('serves 100 concurrent batches of 10 through 5% 503s and 1% resets: nothing lost, no double delete', async () => {
    // Prepare: 100 execution environments, each its own handler, token cache and pool user.
    world.seed(fleet());
    const { simulator } = world.harness;
    simulator.addFault({ route: 'any', kind: 'status', status: 503, probability: 0.05 });
    simulator.addFault({ route: 'any', kind: 'reset', probability: 0.005 });
    simulator.addFault({ route: 'any', kind: 'reset-mid-body', probability: 0.005 });
    const events = batches();
    // The production timeout: this test injects no stalls, and a 300 ms timeout would
    // expire on a busy in-process simulator after it committed a DELETE (a lost response,
    // retried and answered 200 again: see docs/reliability.md).
    const env = { COREWEAVE_HTTP_TIMEOUT_MS: '10000' };
    const handlers = events.map(() => world.teardown({ env, retry: 'production' }));

    // Act
    const runs = await Promise.all(events.map((event, b) => handlers[b]?.(event) as Promise<Run>));

    // Assess: the faults did fire, and every message is accounted for.
    const faulted = simulator.requests.filter((r) => r.faults?.length).length;
    expect(faulted).toBeGreaterThan(0);
    expectEveryMessageAccountedFor(world, events, runs);

    // No DELETE ever reached a protected gateway.
    for (const request of simulator.requests) {
      if (request.method !== 'DELETE') continue;
      const n = Number.parseInt((request.gatewayId ?? '').slice(-12), 16);
      expect(isProtected(n)).toBe(false);
    }
    // At most one successful DELETE per gateway whose first successful DELETE reached the
    // client whole; a second 200 only follows a response cut mid-body (then retried).
    const successes = new Map<string, Array<{ cut: boolean }>>();
    for (const r of simulator.requests) {
      if (r.method !== 'DELETE' || r.status !== 200) continue;
      const list = successes.get(r.gatewayId ?? '') ?? [];
      list.push({ cut: r.faults?.includes('reset-mid-body') ?? false });
      successes.set(r.gatewayId ?? '', list);
    }
    for (const [, list] of successes) {
      if (!list[0]?.cut) expect(list).toHaveLength(1);
    }
    // One gateway.deleted record at most per gateway: duplicates in a batch are serialized.
    const deleted = world.records().filter((r) => r.event === 'gateway.deleted');
    expect(new Set(deleted.map((r) => r.gatewayId)).size).toBe(deleted.length);

    // Act again: SQS redelivers what was reported, now without faults.
    simulator.clearFaults();
    const retried = events
      .map((event, b) => {
        const run = runs[b];
        const reported = new Set(
          run?.ok ? run.value.batchItemFailures.map((f) => f.itemIdentifier) : [],
        );
        return { Records: event.Records.filter((r) => reported.has(r.messageId)) };
      })
      .filter((event) => event.Records.length > 0);
    const again = await Promise.all(
      retried.map((event) => world.teardown()(event) as Promise<Run>),
    );

    // Assess: nothing is lost: every unprotected gateway is now being deleted.
    for (const run of again) expect(run.ok && run.value.batchItemFailures).toEqual([]);
    for (let n = 1; n <= GATEWAYS; n++) {
      const status = simulator.get(testId(n))?.status?.status;
      expect(status, testId(n)).toBe(isProtected(n) ? 'STATUS_READY' : 'STATUS_DELETING');
    }
  });
});

describe('teardown handler: one gateway requested in two concurrent batches', () => {
  const world = useFaultWorld();

  it('may DELETE twice (both GETs see READY) and audits both; the gateway is deleted once', async () => {
    // Prepare: both GETs answer slowly, so both finish before either DELETE is sent.
    const id = testId(3);
    world.harness.simulator.addFault({ route: 'get', kind: 'latency', ms: 100 });
    const events = [sqsEvent({ gatewayId: id }), sqsEvent({ gatewayId: id.toUpperCase() })];
    // Act: two execution environments, as SQS may hand the two messages to two of them.
    const runs = await Promise.all(events.map((event) => world.teardown()(event)));
    // Assess: documented in docs/reliability.md ("Duplicates, retries and lost responses: what
    // is acceptable").
    for (const run of runs) expect(run.ok && run.value.batchItemFailures).toEqual([]);
    expect(world.calls('DELETE', id).map((c) => c.status)).toEqual([200, 200]);
    const deleted = world.records().filter((r) => r.event === 'gateway.deleted');
    expect(deleted.map((r) => r.gatewayId)).toEqual([id, id]);
    expect(new Set(deleted.map((r) => r.sqsMessageId)).size).toBe(2);
    expect(world.harness.simulator.get(id)?.status?.status).toBe('STATUS_DELETING');
  });
});
