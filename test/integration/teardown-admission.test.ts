import { randomUUID } from 'node:crypto';
import type { SQSEvent } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testId } from '#test/fixtures/gateway-builder';
import { janitorRecord, sqsEvent, sqsRecord } from '#test/fixtures/sqs-event';
import { mixedFleet, wire } from '#test/fixtures/wire-fleet';
import { lambdaContext } from '#test/support/janitor-harness';
import { LOCAL_QUEUE_ARN, toLambdaEvent } from '#test/support/local-sqs';
import { startTeardownRig, type TeardownRig } from '#test/support/teardown-rig';
import { createTeardownHandler } from '../../functions/teardown.ts';

const RUN_ID = '5b0f7a2e-8c1d-4e3f-9a6b-1c2d3e4f5a6b';
const MINUTE = 60_000;

describe('teardown admission: only the queue, and only the janitor for its own fields', () => {
  let rig: TeardownRig;
  beforeEach(async () => {
    rig = await startTeardownRig({ gateways: mixedFleet().gateways });
  });
  afterEach(() => rig.close());

  /** The handler invoked directly, as anyone with lambda:InvokeFunction can. */
  const invokeDirectly = (event: SQSEvent) =>
    createTeardownHandler({ env: rig.env() })(event, lambdaContext(60_000));
  const outcomes = () =>
    rig
      .audit()
      .filter((r) => r.event !== 'run.summary')
      .map((r) => `${r.event}:${r.reason}`);
  const apiCalls = () => rig.harness.simulator.requests;
  const confirmation = (n: number, deletedAt: string) => ({
    gatewayId: testId(n),
    confirm: { deletedAt, runId: RUN_ID },
  });
  const agoMs = (ms: number) => new Date(Date.now() - ms).toISOString();
  /** Nothing reached the queue or the dead-letter queue: nothing re-sent, nothing parked. */
  const expectNothingSent = async () => {
    expect(await rig.sqs.count(rig.sqs.queueUrl)).toMatchObject({ visible: 0, delayed: 0 });
    expect(await rig.sqs.count(rig.sqs.dlqUrl)).toEqual({ visible: 0, delayed: 0, inFlight: 0 });
  };

  describe('only the queue feeds the teardown', () => {
    it('serves no hand-made event: no DELETE, nothing re-sent under its own role, nothing parked', async () => {
      // Prepare: the review's exploit, a forged event that cascaded and was then re-sent.
      const event = sqsEvent(
        { gatewayId: testId(3), deleteDeployments: true },
        { gatewayId: testId(1), expiresAt: new Date(Date.now() + 3_600_000).toISOString() },
      );
      // Act
      const response = await invokeDirectly(event);
      // Assess
      expect(apiCalls()).toEqual([]);
      expect(outcomes()).toEqual([
        'request.rejected:not_from_queue',
        'request.rejected:not_from_queue',
      ]);
      expect(rig.audit()[0]).toMatchObject({
        sqsMessageId: event.Records[0]?.messageId,
        error: { field: 'eventSourceARN' },
      });
      // Handed back, not acknowledged: a genuine message whose proof failed stays in its queue.
      expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(
        event.Records.map((r) => r.messageId),
      );
      await expectNothingSent();
    });

    it('refuses a real receipt handle under another queue ARN (not_from_queue, eventSourceARN)', async () => {
      // Prepare
      const delivered = await rig.sqs.deliver(sqsEvent({ gatewayId: testId(3) }));
      const record = delivered.Records[0] as SQSEvent['Records'][number];
      const elsewhere = {
        ...record,
        eventSourceARN: 'arn:aws:sqs:us-east-1:999999999999:teardown',
      };
      // Act
      await invokeDirectly({ Records: [elsewhere] });
      // Assess
      expect(apiCalls()).toEqual([]);
      expect(rig.audit()[0]).toMatchObject({
        event: 'request.rejected',
        reason: 'not_from_queue',
        error: { field: 'eventSourceARN' },
      });
    });

    it('refuses the right queue ARN with a forged receipt handle (not_from_queue, receiptHandle)', async () => {
      // Prepare
      const forged = sqsRecord(JSON.stringify({ gatewayId: testId(3) }), {
        eventSourceARN: LOCAL_QUEUE_ARN,
        receiptHandle: `AQEB${randomUUID()}`,
      });
      const genuine = (await rig.sqs.deliver(sqsEvent({ gatewayId: testId(11) }))).Records;
      // Act
      const response = await invokeDirectly({ Records: [forged, ...genuine] });
      // Assess: the genuine record beside it is served.
      expect(
        apiCalls()
          .filter((r) => r.method === 'DELETE')
          .map((r) => r.gatewayId),
      ).toEqual([testId(11)]);
      expect(rig.audit().find((r) => r.sqsMessageId === forged.messageId)).toMatchObject({
        event: 'request.rejected',
        reason: 'not_from_queue',
        error: { field: 'receiptHandle' },
      });
      expect(response.batchItemFailures).toEqual([{ itemIdentifier: forged.messageId }]);
      expect(await rig.sqs.count(rig.sqs.dlqUrl)).toMatchObject({ visible: 0 });
    });

    it('proves a genuine batch with exactly one extra SQS call', async () => {
      // Prepare: three confirmations of gateways that are gone, which need no other SQS call.
      for (const n of [401, 402, 403])
        await rig.sqs.sendAsJanitor(JSON.stringify(confirmation(n, agoMs(5 * MINUTE))));
      const messages = await rig.sqs.receive(rig.sqs.queueUrl, 10, 1);
      const before = rig.sqs.actions().length;
      // Act
      const response = await invokeDirectly(toLambdaEvent(messages));
      // Assess
      expect(messages).toHaveLength(3);
      expect(response.batchItemFailures).toEqual([]);
      expect(outcomes()).toEqual(Array(3).fill('gateway.delete_confirmed:gone'));
      expect(rig.sqs.actions().slice(before)).toEqual(['ChangeMessageVisibilityBatch']);
    });
  });

  describe('fields only the janitor may write', () => {
    it.each([
      ['confirm', confirmation(6, agoMs(MINUTE))],
      ['deferredSince', { gatewayId: testId(3), deferredSince: agoMs(MINUTE) }],
    ])(
      'refuses %s from another sender (forged_field): not served, not parked',
      async (field, body) => {
        // Act
        const response = await rig.handler()(sqsEvent(body), lambdaContext(60_000));
        // Assess
        expect(apiCalls()).toEqual([]);
        expect(rig.audit()[0]).toMatchObject({
          event: 'request.rejected',
          reason: 'forged_field',
          gatewayId: body.gatewayId,
          error: { field },
        });
        expect(response.batchItemFailures).toEqual([]);
        await expectNothingSent();
      },
    );

    it('writes no false delete_confirmed for a live protected gateway (deletedAt 1970), whoever sends it', async () => {
      // Prepare: prod-api (testId 6) is live and protected.
      const body = confirmation(6, '1970-01-01T00:00:00Z');
      // Act
      await rig.handler()(sqsEvent(body), lambdaContext(60_000));
      await rig.handler()({ Records: [janitorRecord(body)] }, lambdaContext(60_000));
      // Assess
      expect(outcomes()).toEqual([
        'request.rejected:forged_field',
        'request.rejected:invalid_request',
      ]);
      const [, fromJanitor] = rig.audit().filter((r) => r.event === 'request.rejected');
      expect(fromJanitor).toMatchObject({ error: { field: 'confirm.deletedAt' } });
      expect(apiCalls()).toEqual([]);
    });

    it('pages nobody with a false delete_stuck for a live gateway another sender names', async () => {
      // Act
      await rig.handler()(sqsEvent(confirmation(3, agoMs(2 * MINUTE))), lambdaContext(60_000));
      // Assess
      expect(outcomes()).toEqual(['request.rejected:forged_field']);
      expect(apiCalls()).toEqual([]);
    });

    it.each([
      ['confirm.deletedAt', confirmation(7, '9999-12-31T00:00:00Z')],
      ['deferredSince', { gatewayId: testId(3), deferredSince: '9999-12-31T00:00:00Z' }],
    ])(
      'loops nothing for ever: %s in year 9999 is refused, even from the janitor',
      async (field, body) => {
        // Act
        const response = await rig.handler()(
          { Records: [janitorRecord(body)] },
          lambdaContext(60_000),
        );
        // Assess
        expect(outcomes()).toEqual(['request.rejected:invalid_request']);
        expect(rig.audit()[0]).toMatchObject({ error: { field } });
        expect(response.batchItemFailures).toEqual([]);
        expect(apiCalls()).toEqual([]);
        expect(await rig.sqs.count(rig.sqs.queueUrl)).toMatchObject({ visible: 0, delayed: 0 });
      },
    );
  });

  describe('a confirmation is about the gateway it names', () => {
    const deletedAt = new Date(Date.now() - 10 * MINUTE);
    const createdAfter = (ms: number) =>
      new Date(deletedAt.getTime() + ms).toISOString().replace(/\.\d+Z$/, 'Z');

    it.each([
      ['30 s', 'gateway.delete_stuck:not_deleting', 30_000],
      ['2 min', 'gateway.delete_confirmed:id_reused', 2 * MINUTE],
    ])('counts a live gateway created %s after deletedAt as %s', async (_after, outcome, ms) => {
      // Prepare
      rig.harness.simulator.seed([wire(40, 'pr-140-again', 0, { createdAt: createdAfter(ms) })]);
      const body = confirmation(40, deletedAt.toISOString());
      // Act
      await rig.handler()({ Records: [janitorRecord(body)] }, lambdaContext(60_000));
      // Assess
      expect(outcomes()).toEqual([outcome]);
    });

    it('never confirms a deletion from a GET that describes another id', async () => {
      // Prepare: the API answers the GET of a deleted gateway with another, newer one.
      rig.harness.simulator.addFault({
        route: 'get',
        gatewayId: testId(3),
        kind: 'describe-other',
        otherId: testId(5),
      });
      const body = confirmation(3, agoMs(10 * 3_600_000 + MINUTE));
      // Act
      const response = await rig.handler()(
        { Records: [janitorRecord(body)] },
        lambdaContext(60_000),
      );
      // Assess
      expect(outcomes()).toEqual(['gateway.skipped:stale_request']);
      expect(rig.audit()[0]?.gatewayName).toBeUndefined();
      expect(response.batchItemFailures).toEqual([]);
    });
  });
});
