import { describe, expect, it } from 'vitest';
import { testId } from '#test/fixtures/gateway-builder';
import { sqsEvent } from '#test/fixtures/sqs-event';
import { mixedFleet } from '#test/fixtures/wire-fleet';
import { expectBeforeDeadline, HTTP_TIMEOUT_MS, useFaultWorld } from './support/fault-world.ts';

// No new work starts once remaining time < margin = timeout + 2 s (deadlineMarginMs).
const MARGIN_MS = HTTP_TIMEOUT_MS + 2_000;
const { expired: EXPIRED } = mixedFleet();

// These use the production retry delays (200 ms doubling, 5 s cap): the deadline, not
// the attempt cap, is what must stop them.
describe('sweep handler near its deadline', () => {
  const world = useFaultWorld();

  it('stops retrying a 503 storm within the deadline and reports every expired gateway', async () => {
    // Prepare
    world.harness.simulator.addFault({ route: 'delete', kind: 'status', status: 503 });
    // Act
    const run = await world.sweep({ retry: 'production', remainingMs: MARGIN_MS + 1_500 })({});
    // Assess
    expectBeforeDeadline(run);
    expect(run.ok && run.value.status).toBe('completed');
    const failed = world.records().filter((r) => r.event === 'gateway.delete_failed');
    expect(failed.map((r) => r.gatewayId).sort()).toEqual(EXPIRED);
    for (const record of failed) {
      expect(record.error?.code).toBe('API_TRANSIENT');
      // Far fewer than the 10 attempts the cap allows: the deadline stopped them.
      expect(record.http?.attempts).toBeLessThan(10);
    }
  });

  it('does not sleep through a Retry-After longer than the time left', async () => {
    world.harness.simulator.addFault({
      route: 'delete',
      kind: 'status',
      status: 429,
      headers: { 'retry-after': '30' },
    });
    const run = await world.sweep({ retry: 'production', remainingMs: MARGIN_MS + 2_000 })({});
    expectBeforeDeadline(run);
    for (const id of EXPIRED) expect(world.calls('DELETE', id)).toHaveLength(1);
    expect(world.records().filter((r) => r.event === 'gateway.delete_failed')).toHaveLength(4);
  });

  it('stops starting deletions mid-run, records run.truncated, and returns in time', async () => {
    // Prepare: one deletion at a time, each slow, with time for about two of them.
    world.harness.simulator.addFault({ route: 'delete', kind: 'latency', ms: 250 });
    // Act
    const run = await world.sweep({
      env: { DELETE_CONCURRENCY: '1' },
      remainingMs: MARGIN_MS + 400,
    })({});
    // Assess
    expectBeforeDeadline(run);
    expect(run.ok && run.value.status).toBe('truncated');
    const deleted = world.records().filter((r) => r.event === 'gateway.deleted');
    const notStarted = world
      .records()
      .filter((r) => r.event === 'gateway.skipped' && r.reason === 'deadline');
    expect(deleted.length).toBeGreaterThanOrEqual(1);
    expect(notStarted.length).toBeGreaterThanOrEqual(1);
    expect(deleted.length + notStarted.length).toBe(EXPIRED.length);
    expect(world.calls('DELETE')).toHaveLength(deleted.length);
    const truncated = world.records().find((r) => r.event === 'run.truncated');
    expect(truncated?.counts).toEqual({ notStarted: notStarted.length, expired: 4 });
  });
});

describe('teardown handler near its deadline', () => {
  const world = useFaultWorld();

  it('sends no DELETE after a GET that finished past the budget, and reports the message', async () => {
    // Prepare: 150 ms of budget; the GET answers (within the timeout) after 250 ms.
    // Before the fix the DELETE followed anyway, so with the default 10 s timeout a GET
    // and a DELETE could together outlive the 12 s margin.
    world.harness.simulator.addFault({ route: 'get', kind: 'latency', ms: 250 });
    const event = sqsEvent({ gatewayId: testId(3) });
    // Act
    const run = await world.teardown({ remainingMs: MARGIN_MS + 150 })(event);
    // Assess
    expectBeforeDeadline(run);
    expect(run.ok && run.value.batchItemFailures).toEqual([
      { itemIdentifier: event.Records[0]?.messageId },
    ]);
    expect(world.calls('GET')).toHaveLength(1);
    expect(world.calls('DELETE')).toEqual([]);
    expect(world.records()[0]).toMatchObject({ event: 'gateway.skipped', reason: 'deadline' });
  });

  it('serves what fits, reports the rest, and returns in time', async () => {
    world.harness.simulator.addFault({ route: 'get', kind: 'latency', ms: 150 });
    const ids = [1, 2, 3, 10, 11, 12].map(testId);
    const event = sqsEvent(...ids.map((gatewayId) => ({ gatewayId })));
    const run = await world.teardown({
      env: { DELETE_CONCURRENCY: '1' },
      remainingMs: MARGIN_MS + 500,
    })(event);
    expectBeforeDeadline(run);
    if (!run.ok) throw run.error;
    const reported = new Set(run.value.batchItemFailures.map((f) => f.itemIdentifier));
    const deleted = world.records().filter((r) => r.event === 'gateway.deleted');
    expect(deleted.length).toBeGreaterThanOrEqual(1);
    expect(reported.size).toBeGreaterThanOrEqual(1);
    // Every message is either deleted (acknowledged) or reported, never both, never neither.
    for (const record of event.Records) {
      const done = deleted.some((r) => r.sqsMessageId === record.messageId);
      expect(done !== reported.has(record.messageId)).toBe(true);
    }
    expect(world.calls('DELETE')).toHaveLength(deleted.length);
  });

  it('cuts off a GET whose body trickles, retries it, and returns before the deadline', async () => {
    // Prepare: one byte every 50 ms, so undici's bodyTimeout (a pause between chunks)
    // never fires; the whole body would take about a minute.
    world.harness.simulator.addFault({ route: 'get', kind: 'trickle', intervalMs: 50 });
    const event = sqsEvent({ gatewayId: testId(3) });
    // Act
    const run = await world.teardown({ retry: 'production', remainingMs: MARGIN_MS + 2_000 })(
      event,
    );
    // Assess
    expectBeforeDeadline(run);
    expect(run.ok && run.value.batchItemFailures).toEqual([
      { itemIdentifier: event.Records[0]?.messageId },
    ]);
    expect(world.calls('GET').length).toBeGreaterThan(1);
    expect(world.calls('DELETE')).toEqual([]);
    const failed = world.records().find((r) => r.event === 'gateway.delete_failed');
    expect(failed?.error?.message).toContain('TOTAL_TIMEOUT');
    expect(failed?.http?.durationMs).toBeLessThan(2_000 + HTTP_TIMEOUT_MS + 500);
  });

  it('stops retrying a 503 storm on GET within the deadline', async () => {
    world.harness.simulator.addFault({ route: 'get', kind: 'status', status: 503 });
    const event = sqsEvent({ gatewayId: testId(3) }, { gatewayId: testId(1) });
    const run = await world.teardown({ retry: 'production', remainingMs: MARGIN_MS + 250 })(event);
    expectBeforeDeadline(run);
    expect(run.ok && run.value.batchItemFailures).toHaveLength(2);
    expect(world.calls('DELETE')).toEqual([]);
    for (const record of world.records().filter((r) => r.event === 'gateway.delete_failed')) {
      expect(record.http?.attempts).toBeLessThanOrEqual(3);
    }
  });
});
