import type { Message } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testId } from '#test/fixtures/gateway-builder';
import { SCHEDULED_EVENT } from '#test/fixtures/scheduled-event';
import { janitorRecord, sqsRecord } from '#test/fixtures/sqs-event';
import { ago, TEST_POLICY, wire } from '#test/fixtures/wire-fleet';
import { lambdaContext } from '#test/support/janitor-harness';
import { toLambdaEvent } from '#test/support/local-sqs';
import {
  dynamoDbSubject,
  memorySubject,
  type RegistryUnderTest,
} from '#test/support/registry-subjects';
import { startTeardownRig, type TeardownRig } from '#test/support/teardown-rig';
import { createSweepHandler } from '../../functions/sweep.ts';

// Thursday 26 November 2026, 12:00 UTC (13:00 in Berlin); every run reads this clock.
const NOW = Date.parse('2026-11-26T12:00:00Z');
const clock = { now: () => NOW };
const aged = (n: number, name: string, hours: number) =>
  wire(n, name, hours, { createdAt: ago(hours, NOW), updatedAt: ago(hours, NOW) });
/** Five expired gateways (1-5) and five young ones (11-15) that only requests delete. */
const FLEET = [
  ...[1, 2, 3, 4, 5].map((n) => aged(n, `pr-${n}`, 100)),
  ...[11, 12, 13, 14, 15].map((n) => aged(n, `exp-${n}`, 1)),
];
const POLICY = { ...TEST_POLICY, limits: { maxDeletesPerRun: 25, maxDeletePercent: 100 } };
const budgetOf = (max: number) => ({
  ...POLICY,
  limits: { ...POLICY.limits, maxDeletesPer24h: max },
});
const WEEKEND_ONLY = {
  ...POLICY,
  windows: [{ days: ['sat', 'sun'], from: '09:00', to: '17:00', timeZone: 'Europe/Berlin' }],
};
const SATURDAY_OPENING = '2026-11-28T08:00:00.000Z';

describe.each([memorySubject, dynamoDbSubject()])(
  'pause, windows and budget on the %s registry',
  (subject) => {
    let rig: TeardownRig;
    let reg: RegistryUnderTest;
    beforeAll(() => subject.start());
    afterAll(() => subject.stop());
    beforeEach(async () => {
      rig = await startTeardownRig({ gateways: FLEET });
      reg = await subject.make();
    });
    afterEach(() => rig.close());

    const sweep = (policy: object = POLICY, runId = 'sweep-1') =>
      createSweepHandler({
        env: { ...rig.env({}, policy), TEARDOWN_QUEUE_URL: rig.sqs.queueUrl },
        clock,
        registry: reg.registry,
      })(SCHEDULED_EVENT, lambdaContext(60_000, runId));
    const teardown = (records: ReturnType<typeof sqsRecord>[], policy: object = POLICY) =>
      rig.handler({}, policy, { clock, registry: reg.registry })(
        { Records: records },
        lambdaContext(60_000),
      );
    const request = (n: number) => sqsRecord(JSON.stringify({ gatewayId: testId(n) }));
    const deleted = () =>
      rig.harness.simulator.requests.filter((r) => r.method === 'DELETE').map((r) => r.gatewayId);
    const records = (event: string) => rig.audit().filter((r) => r.event === event);
    const summaries = () => records('run.summary');
    const pause = () => reg.registry.pause({ reason: 'incident 42', by: 'ops' }, NOW - 60_000);

    describe('pause', () => {
      it('stops a live sweep: each would-be deletion is skipped as paused, and resume lets them through', async () => {
        // Prepare
        await pause();
        // Act
        const paused = await sweep();
        // Assess
        expect(deleted()).toEqual([]);
        expect(records('gateway.skipped').map((r) => r.reason)).toEqual(Array(5).fill('paused'));
        expect(paused).toMatchObject({ status: 'completed', counts: { 'gateway.skipped': 5 } });
        // Act
        await reg.registry.resume({ by: 'ops' }, NOW);
        await sweep(POLICY, 'sweep-2');
        // Assess
        expect(deleted().sort()).toEqual([1, 2, 3, 4, 5].map(testId));
      });

      it('stops a teardown batch with nothing lost: requests deferred, none in the DLQ, confirmations served', async () => {
        // Prepare
        await reg.registry.pause({ reason: 'incident 42', by: 'ops', until: NOW + 1_000 }, NOW);
        const confirmation = janitorRecord({
          gatewayId: testId(40),
          confirm: {
            deletedAt: new Date(NOW - 600_000).toISOString(),
            runId: '7d1f0c8e-5b7a-4d38-9f5e-2a9c41b0e6d3',
          },
        });
        // Act
        const response = await teardown([request(11), request(12), confirmation]);
        // Assess
        expect(response.batchItemFailures).toEqual([]);
        expect(deleted()).toEqual([]);
        expect(records('gateway.deferred')).toEqual([
          expect.objectContaining({ gatewayId: testId(11), reason: 'paused' }),
          expect.objectContaining({ gatewayId: testId(12), reason: 'paused' }),
        ]);
        expect(records('gateway.delete_confirmed')).toHaveLength(1);
        expect(await rig.sqs.count(rig.sqs.dlqUrl)).toMatchObject({ visible: 0, delayed: 0 });
        // Act: resume, and serve the deferred requests when the queue delivers them again.
        await reg.registry.resume({ by: 'ops' }, NOW);
        const again = await receiveAll(rig, 2);
        const served = await rig.handler({}, POLICY, { clock, registry: reg.registry })(
          toLambdaEvent(again),
          lambdaContext(60_000),
        );
        // Assess
        expect(served.batchItemFailures).toEqual([]);
        expect(deleted().sort()).toEqual([testId(11), testId(12)]);
      });
    });

    describe('change windows', () => {
      it('deletes nothing outside every window, and names the next opening', async () => {
        // Act
        await sweep(WEEKEND_ONLY);
        const response = await teardown([request(11)], WEEKEND_ONLY);
        // Assess
        expect(deleted()).toEqual([]);
        expect(records('gateway.skipped')).toHaveLength(5);
        for (const skipped of records('gateway.skipped'))
          expect(skipped).toMatchObject({ reason: 'outside_window', dueAt: SATURDAY_OPENING });
        expect(response.batchItemFailures).toEqual([]);
        expect(records('gateway.deferred')).toEqual([
          expect.objectContaining({ reason: 'outside_window', dueAt: SATURDAY_OPENING }),
        ]);
        expect(await rig.sqs.count(rig.sqs.queueUrl)).toMatchObject({ delayed: 1 });
        expect(await rig.sqs.count(rig.sqs.dlqUrl)).toMatchObject({ visible: 0, delayed: 0 });
      });
    });

    describe('limits.maxDeletesPer24h', () => {
      it('gives five expired gateways under a budget of 3 three deletions, then none on the next run', async () => {
        // Act
        await sweep(budgetOf(3));
        await sweep(budgetOf(3), 'sweep-2');
        // Assess
        expect(deleted()).toHaveLength(3);
        const [first, second] = summaries();
        expect(first).toMatchObject({
          counts: { 'gateway.deleted': 3, 'gateway.skipped': 2 },
          budget: { max: 3, used: 3, left: 0, taken: 3 },
        });
        // The three deleted are now deleting: the next run finds the other two, and no budget.
        expect(second).toMatchObject({
          counts: { 'gateway.skipped': 2 },
          budget: { max: 3, used: 3, left: 0, taken: 0 },
        });
        expect(records('gateway.skipped').map((r) => r.reason)).toEqual(
          Array(4).fill('daily_limit'),
        );
        expect(await reg.registry.readLastRuns()).toEqual([
          expect.objectContaining({ kind: 'sweep', runId: 'sweep-2', deleted: 0 }),
        ]);
      });

      it('defers a teardown request past the budget (daily_limit), never dropping it', async () => {
        // Act
        const response = await teardown([request(11), request(12)], budgetOf(1));
        // Assess
        expect(response.batchItemFailures).toEqual([]);
        expect(deleted()).toHaveLength(1);
        expect(records('gateway.deferred')).toEqual([
          expect.objectContaining({ reason: 'daily_limit' }),
        ]);
        expect(await rig.sqs.count(rig.sqs.dlqUrl)).toMatchObject({ visible: 0, delayed: 0 });
        expect(summaries()[0]).toMatchObject({ budget: { max: 1, left: 0, taken: 1 } });
      });

      it('never lets two concurrent sweeps exceed the budget together', async () => {
        // Act
        await Promise.all([sweep(budgetOf(3), 'sweep-a'), sweep(budgetOf(3), 'sweep-b')]);
        // Assess
        expect(deleted()).toHaveLength(3);
        expect(records('gateway.skipped').map((r) => r.reason)).toEqual(
          Array(7).fill('daily_limit'),
        );
      });

      it('never lets a sweep and a teardown batch exceed the budget together', async () => {
        // Act
        await Promise.all([
          sweep(budgetOf(3)),
          teardown([11, 12, 13, 14, 15].map(request), budgetOf(3)),
        ]);
        // Assess
        expect(deleted()).toHaveLength(3);
        const refused = [...records('gateway.skipped'), ...records('gateway.deferred')];
        expect(refused.map((r) => r.reason)).toEqual(Array(7).fill('daily_limit'));
      });
    });
  },
);

/** Receives `count` messages from the teardown queue, waiting for their delay (bounded). */
async function receiveAll(rig: TeardownRig, count: number): Promise<Message[]> {
  const got: Message[] = [];
  for (let attempt = 0; attempt < 10 && got.length < count; attempt += 1)
    got.push(...(await rig.sqs.receive(rig.sqs.queueUrl, 10, 1)));
  return got;
}
