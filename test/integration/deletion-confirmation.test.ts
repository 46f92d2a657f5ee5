import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { flakySqsClient } from '#test/fakes/flaky-sqs-client';
import { testId } from '#test/fixtures/gateway-builder';
import { SCHEDULED_EVENT } from '#test/fixtures/scheduled-event';
import { ago, mixedFleet, wire } from '#test/fixtures/wire-fleet';
import { lambdaContext } from '#test/support/janitor-harness';
import { toLambdaEvent } from '#test/support/local-sqs';
import { startTeardownRig, type TeardownRig } from '#test/support/teardown-rig';
import { createSweepHandler } from '../../functions/sweep.ts';
import { createTeardownHandler } from '../../functions/teardown.ts';

const RUN_ID = '5b0f7a2e-8c1d-4e3f-9a6b-1c2d3e4f5a6b';

describe('deletion confirmation through the handlers, the simulator and a local SQS', () => {
  let rig: TeardownRig;
  beforeEach(async () => {
    rig = await startTeardownRig({ gateways: mixedFleet().gateways });
  });
  afterEach(() => rig.close());

  const env = (extra: Record<string, string> = {}) => rig.env(extra);
  const audit = () => rig.audit();
  const logLines = () =>
    rig.output
      .lines()
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as { level?: string; audit?: Record<string, unknown> }];
        } catch {
          return [];
        }
      })
      .filter((line) => line.audit);

  /** Lambda's event source mapping, once: receive, invoke, delete what was not reported. */
  async function pollOnce(handler: ReturnType<typeof createTeardownHandler>) {
    const messages = await rig.sqs.receive(rig.sqs.queueUrl, 10, 1);
    if (messages.length === 0) return { messages, failures: [] as string[] };
    const response = await handler(toLambdaEvent(messages), lambdaContext(60_000, randomUUID()));
    const failures = response.batchItemFailures.map((f) => f.itemIdentifier);
    for (const message of messages) {
      if (!failures.includes(message.MessageId as string))
        await rig.sqs.acknowledge(rig.sqs.queueUrl, message);
    }
    // The handler kept them invisible for the rest of its invocation: here that time passes at once.
    const handedBack = messages.filter((m) => failures.includes(m.MessageId as string));
    await rig.sqs.release(rig.sqs.queueUrl, handedBack);
    return { messages, failures };
  }

  describe('the sweep', () => {
    it('schedules exactly one delayed confirmation per DELETE that answered 200', async () => {
      // Prepare
      const { expired } = mixedFleet();
      const queue = flakySqsClient(rig.sqs);
      const sweep = createSweepHandler({
        env: env({ DELETE_CONFIRM_AFTER: '2m' }),
        sqsClient: queue.client,
      });
      // Act
      await sweep(SCHEDULED_EVENT, lambdaContext(300_000, RUN_ID));
      // Assess
      const deleted = audit().filter((r) => r.event === 'gateway.deleted');
      expect(queue.sent.map((s) => s.gatewayId).sort()).toEqual(expired);
      expect(queue.sent.every((s) => s.delaySeconds === 120)).toBe(true);
      expect(queue.batches.length).toBe(1);
      for (const record of deleted) {
        const body = JSON.parse(
          queue.sent.find((s) => s.gatewayId === record.gatewayId)?.body ?? '{}',
        );
        expect(body).toEqual({
          gatewayId: record.gatewayId,
          confirm: { deletedAt: expect.any(String), runId: RUN_ID },
        });
        expect(Date.parse(body.confirm.deletedAt)).not.toBeNaN();
      }
      expect(await rig.sqs.count(rig.sqs.queueUrl)).toEqual({
        visible: 0,
        delayed: 4,
        inFlight: 0,
      });
      expect(audit().filter((r) => r.event === 'gateway.unconfirmed')).toEqual([]);
    });

    it('sends no confirmation to the queue after a dry run of the sweep handler', async () => {
      // Prepare
      const queue = flakySqsClient(rig.sqs);
      const sweep = createSweepHandler({ env: env({ DRY_RUN: 'true' }), sqsClient: queue.client });
      // Act
      await sweep(SCHEDULED_EVENT, lambdaContext(300_000, RUN_ID));
      // Assess
      expect(audit().filter((r) => r.event === 'gateway.would_delete')).toHaveLength(4);
      expect(queue.batches.length).toBe(0);
      expect(await rig.sqs.count(rig.sqs.queueUrl)).toEqual({
        visible: 0,
        delayed: 0,
        inFlight: 0,
      });
    });

    it('retries a confirmation SQS failed once, and records one it kept failing without failing the deletion', async () => {
      // Prepare
      const flaky = testId(1);
      const broken = testId(2);
      const queue = flakySqsClient(
        rig.sqs,
        new Map([
          [flaky, { times: 1 }],
          [broken, { times: 99 }],
        ]),
      );
      const sweep = createSweepHandler({ env: env(), sqsClient: queue.client });
      // Act
      const result = await sweep(SCHEDULED_EVENT, lambdaContext(300_000, RUN_ID));
      // Assess
      expect(result.status).toBe('completed');
      expect(queue.sent.map((s) => s.gatewayId).sort()).toEqual(
        [testId(1), testId(4), testId(10)].sort(),
      );
      expect(queue.batches.length).toBe(3);
      expect(audit().filter((r) => r.event === 'gateway.deleted')).toHaveLength(4);
      const unconfirmed = audit().filter((r) => r.event === 'gateway.unconfirmed');
      expect(unconfirmed).toEqual([
        expect.objectContaining({
          gatewayId: broken,
          gatewayName: 'pr-102-old',
          reason: 'schedule_failed',
          runId: RUN_ID,
          error: expect.objectContaining({ code: 'QUEUE_SEND_FAILED' }),
        }),
      ]);
      expect(
        String((unconfirmed[0]?.error as { message?: string } | undefined)?.message),
      ).toContain('InternalError');
    });

    it('reports a listed gateway deleting for longer than DELETE_CONFIRM_WITHIN as stuck, and sends it nothing', async () => {
      // Prepare
      rig.harness.simulator.seed([
        wire(21, 'pr-121-stuck', 200, { status: 'STATUS_DELETING', updatedAt: ago(2) }),
        wire(22, 'pr-122-deleting', 200, { status: 'STATUS_DELETING', updatedAt: ago(0.25) }),
        wire(23, 'demo-kept', 1),
      ]);
      const queue = flakySqsClient(rig.sqs);
      const sweep = createSweepHandler({
        env: env({ DELETE_CONFIRM_WITHIN: '1h' }),
        sqsClient: queue.client,
      });
      // Act
      const result = await sweep(SCHEDULED_EVENT, lambdaContext(300_000, RUN_ID));
      // Assess
      const stuck = audit().filter((r) => r.event === 'gateway.delete_stuck');
      expect(stuck).toEqual([
        expect.objectContaining({
          gatewayId: testId(21),
          gatewayName: 'pr-121-stuck',
          reason: 'deleting_too_long',
          finalState: expect.objectContaining({
            status: expect.objectContaining({ status: 'STATUS_DELETING' }),
          }),
        }),
      ]);
      expect(logLines().find((l) => l.audit?.event === 'gateway.delete_stuck')?.level).toBe(
        'ERROR',
      );
      expect(rig.harness.simulator.deletes()).toEqual([]);
      expect(queue.batches.length).toBe(0);
      expect(result.counts['gateway.delete_stuck']).toBe(1);
      expect(result.status).toBe('completed');
    });
  });

  describe('the teardown function', () => {
    const confirmation = (n: number, deletedAt: string) =>
      JSON.stringify({ gatewayId: testId(n), confirm: { deletedAt, runId: RUN_ID } });

    it('ends confirmations of vanished, still-deleting and stuck gateways as confirmed, deferred and stuck', async () => {
      // Prepare
      rig.harness.simulator.seed([
        wire(32, 'pr-132-deleting', 200, { status: 'STATUS_DELETING', updatedAt: ago(0.1) }),
        wire(33, 'pr-133-stuck', 200, { status: 'STATUS_DELETING', updatedAt: ago(2) }),
        wire(34, 'pr-134-back', 200, { status: 'STATUS_ERROR', updatedAt: ago(0.05) }),
      ]);
      const handler = createTeardownHandler({
        env: env({ DELETE_CONFIRM_AFTER: '1m', DELETE_CONFIRM_WITHIN: '1h' }),
      });
      const deletedAt = new Date(Date.now() - 120_000).toISOString();
      await rig.sqs.sendAsJanitor(confirmation(31, deletedAt));
      await rig.sqs.sendAsJanitor(confirmation(32, deletedAt));
      await rig.sqs.sendAsJanitor(confirmation(33, ago(2)));
      await rig.sqs.sendAsJanitor(confirmation(34, deletedAt));
      // Act
      const { messages, failures } = await pollOnce(handler);
      // Assess
      expect(messages).toHaveLength(4);
      expect(failures).toEqual([]);
      const byId = (n: number) => audit().find((r) => r.gatewayId === testId(n));
      expect(byId(31)).toMatchObject({
        event: 'gateway.delete_confirmed',
        reason: 'gone',
        deletedAt,
        trigger: 'sqs',
      });
      expect(byId(31)?.secondsToGone).toBeGreaterThanOrEqual(120);
      expect(byId(32)).toMatchObject({ event: 'gateway.deferred', reason: 'confirm_pending' });
      expect(byId(33)).toMatchObject({
        event: 'gateway.delete_stuck',
        reason: 'deleting_too_long',
        gatewayName: 'pr-133-stuck',
        finalState: { status: { status: 'STATUS_DELETING' } },
      });
      expect(byId(34)).toMatchObject({
        event: 'gateway.delete_stuck',
        reason: 'not_deleting',
        finalState: { status: { status: 'STATUS_ERROR' } },
      });
      const levels = logLines()
        .filter((l) => l.audit?.event === 'gateway.delete_stuck')
        .map((l) => l.level);
      expect(levels).toEqual(['ERROR', 'ERROR']);
      expect(rig.harness.simulator.deletes()).toEqual([]);
      expect(rig.harness.simulator.requests.filter((r) => r.method === 'DELETE')).toEqual([]);
      // The deferred confirmation went back to the queue, delayed; the rest were acknowledged.
      expect(await rig.sqs.count(rig.sqs.queueUrl)).toEqual({
        visible: 0,
        delayed: 1,
        inFlight: 0,
      });
    });

    it('schedules a confirmation after a live teardown DELETE, and serves it when it comes back', async () => {
      // Prepare
      rig.harness.simulator.setDeleteDelay(500);
      const handler = createTeardownHandler({ env: env({ DELETE_CONFIRM_AFTER: '1s' }) });
      await rig.sqs.send(JSON.stringify({ gatewayId: testId(3), requestedBy: 'ci' }));
      // Act
      await pollOnce(handler);
      const started = Date.now();
      while (
        !audit().some((r) => r.event === 'gateway.delete_confirmed') &&
        Date.now() - started < 8_000
      ) {
        await pollOnce(handler);
        await sleep(200);
      }
      // Assess
      const events = audit()
        .filter((r) => r.gatewayId === testId(3))
        .map((r) => r.event);
      expect(events).toEqual(['gateway.deleted', 'gateway.delete_confirmed']);
      const confirmed = audit().find((r) => r.event === 'gateway.delete_confirmed');
      expect(confirmed?.deletedAt).toEqual(expect.any(String));
      expect(rig.harness.simulator.deletes()).toEqual([testId(3)]);
      expect(await rig.sqs.count(rig.sqs.queueUrl)).toEqual({
        visible: 0,
        delayed: 0,
        inFlight: 0,
      });
    });

    it('rejects a confirmation that also carries request fields, and parks it', async () => {
      // Prepare
      const handler = createTeardownHandler({ env: env() });
      const body = JSON.stringify({
        gatewayId: testId(3),
        expiresAt: ago(1),
        confirm: { deletedAt: ago(1), runId: RUN_ID },
      });
      await rig.sqs.send(body);
      // Act
      await pollOnce(handler);
      // Assess
      expect(audit().find((r) => r.event === 'request.rejected')).toMatchObject({
        error: { code: 'REQUEST_INVALID', field: 'body' },
      });
      expect((await rig.sqs.receive(rig.sqs.dlqUrl)).map((m) => m.Body)).toEqual([body]);
      expect(rig.harness.simulator.requests).toEqual([]);
    });

    it('hands a confirmation back when its GET fails for now, without a record of a failed deletion', async () => {
      // Prepare
      rig.harness.simulator.addFault({ route: 'get', kind: 'status', status: 503 });
      const handler = createTeardownHandler({ env: env() });
      await rig.sqs.sendAsJanitor(confirmation(3, ago(0.1)));
      // Act
      const { failures, messages } = await pollOnce(handler);
      // Assess
      expect(failures).toEqual([messages[0]?.MessageId]);
      expect(audit().filter((r) => r.event === 'gateway.delete_failed')).toEqual([]);
      expect(rig.harness.simulator.requests.filter((r) => r.method === 'DELETE')).toEqual([]);
    });
  });
});
