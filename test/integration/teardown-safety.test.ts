import { setTimeout as sleep } from 'node:timers/promises';
import type { Message } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testId } from '#test/fixtures/gateway-builder';
import { sqsEvent, sqsRecord } from '#test/fixtures/sqs-event';
import { mixedFleet, TEST_POLICY, wire } from '#test/fixtures/wire-fleet';
import { lambdaContext } from '#test/support/janitor-harness';
import { toLambdaEvent } from '#test/support/local-sqs';
import { startTeardownRig, type TeardownRig } from '#test/support/teardown-rig';

/** Deletion safety of the teardown (docs/reliability.md "Teardown: deletion safety"). */
describe('teardown deletion safety, through the handler, the simulator and a local SQS', () => {
  let rig: TeardownRig;
  beforeEach(async () => {
    rig = await startTeardownRig({ gateways: mixedFleet().gateways, echoApiKey: true });
  });
  afterEach(() => rig.close());

  const handler = (env: Record<string, string> = {}, policy: object = TEST_POLICY) =>
    rig.handler(env, policy);
  const audit = () => rig.audit();
  const outcomes = () =>
    audit()
      .filter((r) => r.event !== 'run.summary')
      .map((r) => `${r.gatewayId ?? '-'} ${r.event}:${r.reason}`);
  const deleteCalls = () =>
    rig.harness.simulator.requests.filter((r) => r.method === 'DELETE').map((r) => r.gatewayId);
  const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1_000).toISOString();
  /** Receives from the queue until `count` messages arrived (bounded: ~6 s). */
  const receiveAll = async (url: string, count: number): Promise<Message[]> => {
    const received: Message[] = [];
    for (let i = 0; i < 6 && received.length < count; i++)
      received.push(...(await rig.sqs.receive(url, 10, 1)));
    return received;
  };

  describe('the gateway asked for is the gateway deleted', () => {
    it('deletes nothing when the GET describes another gateway (stale_request)', async () => {
      // Prepare
      rig.harness.simulator.addFault({
        route: 'get',
        gatewayId: testId(3),
        kind: 'describe-other',
        otherId: testId(1),
      });
      // Act
      const response = await handler()(sqsEvent({ gatewayId: testId(3) }), lambdaContext());
      // Assess
      expect(response.batchItemFailures).toEqual([]);
      expect(deleteCalls()).toEqual([]);
      expect(outcomes()).toEqual([`${testId(3)} gateway.skipped:stale_request`]);
      // The record does not lend the other gateway's name to the requested id.
      expect(audit()[0]?.gatewayName).toBeUndefined();
    });

    it('keeps a gateway protected by id even when the GET describes an unprotected one', async () => {
      // Prepare
      const policy = { ...TEST_POLICY, protect: { ids: [testId(3)], names: ['prod-*'] } };
      rig.harness.simulator.addFault({
        route: 'get',
        gatewayId: testId(3),
        kind: 'describe-other',
        otherId: testId(1),
      });
      // Act
      const response = await handler({}, policy)(
        sqsEvent({ gatewayId: testId(3) }),
        lambdaContext(),
      );
      // Assess
      expect(response.batchItemFailures).toEqual([]);
      expect(deleteCalls()).toEqual([]);
      expect(outcomes()).toEqual([`${testId(3)} gateway.skipped:protected`]);
    });
    it('parks a refused DELETE when the follow-up GET describes another, deleting gateway', async () => {
      // Prepare: the DELETE is refused (409); the client's follow-up GET, which decides
      // whether the refusal only means "already being deleted", describes testId(7).
      rig.harness.simulator.addFault({
        route: 'delete',
        gatewayId: testId(3),
        kind: 'latency',
        ms: 200,
      });
      rig.harness.simulator.addFault({
        route: 'delete',
        gatewayId: testId(3),
        kind: 'status',
        status: 409,
        body: { code: 9, message: 'gateway is referenced by deployments' },
      });
      // Act
      const running = handler()(sqsEvent({ gatewayId: testId(3) }), lambdaContext());
      for (let i = 0; i < 200 && deleteCalls().length === 0; i++) await sleep(5);
      rig.harness.simulator.addFault({
        route: 'get',
        gatewayId: testId(3),
        kind: 'describe-other',
        otherId: testId(7),
      });
      const response = await running;
      // Assess: the request is parked for an operator, not acknowledged as already gone.
      expect(response.batchItemFailures).toEqual([]);
      const gatewayCalls = rig.harness.simulator.requests.filter(
        (r) => r.route !== 'deployment-list',
      );
      expect(gatewayCalls.map((r) => `${r.method} ${r.status}`)).toEqual([
        'GET 200',
        'DELETE 409',
        'GET 200',
      ]);
      expect(outcomes()).toEqual([`${testId(3)} gateway.delete_failed:permanent`]);
      expect(await rig.sqs.count(rig.sqs.dlqUrl)).toMatchObject({ visible: 1 });
    });
  });

  describe('ids can be reused', () => {
    it('pins a deferred request to the gateway holding its id, and skips the one that reused it', async () => {
      // Prepare
      const original = rig.harness.simulator.get(testId(3));
      await rig.sqs.send(
        JSON.stringify({ gatewayId: testId(3), expiresAt: inSeconds(1), requestedBy: 'ci' }),
      );
      const first = await receiveAll(rig.sqs.queueUrl, 1);
      // Act: the first delivery is not due and is re-sent, pinned to the live gateway.
      const deferred = await handler()(toLambdaEvent(first), lambdaContext());
      await rig.sqs.acknowledge(rig.sqs.queueUrl, first[0] as Message);
      const resent = await receiveAll(rig.sqs.queueUrl, 1);
      // The id is reused by a new gateway (same name, created now) before the request is due.
      rig.harness.simulator.seed(
        mixedFleet().gateways.map((g) =>
          g.spec.id === testId(3) ? wire(3, 'pr-103-young', 0) : g,
        ),
      );
      await sleep(
        Math.max(0, Date.parse(JSON.parse(resent[0]?.Body ?? '{}').expiresAt) - Date.now()),
      );
      const due = await handler()(toLambdaEvent(resent), lambdaContext());
      // Assess
      expect(deferred.batchItemFailures).toEqual([]);
      expect(due.batchItemFailures).toEqual([]);
      expect(JSON.parse(resent[0]?.Body ?? '{}')).toMatchObject({
        gatewayId: testId(3),
        expectedCreatedAt: original?.status?.createdAt,
        expectedName: 'pr-103-young',
        requestedBy: 'ci',
      });
      expect(deleteCalls()).toEqual([]);
      expect(outcomes()).toEqual([
        `${testId(3)} gateway.deferred:not_due`,
        `${testId(3)} gateway.skipped:stale_request`,
      ]);
    });

    it('records a not-due request as already gone when its gateway is gone at deferral', async () => {
      // Act
      const response = await handler()(
        sqsEvent({ gatewayId: testId(404), expiresAt: inSeconds(600) }),
        lambdaContext(),
      );
      // Assess
      expect(response.batchItemFailures).toEqual([]);
      expect(outcomes()).toEqual([`${testId(404)} gateway.already_gone:not_found`]);
      expect(await rig.sqs.count(rig.sqs.queueUrl)).toEqual({
        visible: 0,
        delayed: 0,
        inFlight: 0,
      });
    });
  });

  describe('ids can be reused: the API cannot describe the gateway at deferral', () => {
    it('parks a not-due request when the GET is refused for good (501), and re-sends nothing', async () => {
      // Prepare
      rig.harness.simulator.addFault({
        route: 'get',
        gatewayId: testId(3),
        kind: 'status',
        status: 501,
      });
      // Act
      const response = await handler()(
        sqsEvent({ gatewayId: testId(3), expiresAt: inSeconds(600) }),
        lambdaContext(),
      );
      // Assess
      expect(response.batchItemFailures).toEqual([]);
      expect(outcomes()).toEqual([`${testId(3)} gateway.delete_failed:permanent`]);
      expect(await rig.sqs.count(rig.sqs.dlqUrl)).toMatchObject({ visible: 1 });
      expect(await rig.sqs.count(rig.sqs.queueUrl)).toEqual({
        visible: 0,
        delayed: 0,
        inFlight: 0,
      });
    });
  });

  describe('nothing detached', () => {
    it('reports a message it could not park and serves, records and settles the rest before returning', async () => {
      // Prepare: the DLQ refuses sends; the API is slow, so deletions are still in flight
      // when the parking fails.
      rig.sqs.refuseSends(rig.sqs.dlqUrl);
      rig.harness.simulator.addFault({ route: 'any', kind: 'latency', ms: 300 });
      const records = {
        due: sqsRecord(JSON.stringify({ gatewayId: testId(3) })),
        alsoDue: sqsRecord(JSON.stringify({ gatewayId: testId(1) })),
        malformed: sqsRecord('{"gatewayId": "not-a-uuid"}'),
      };
      // Act
      const response = await handler()({ Records: Object.values(records) }, lambdaContext());
      const requestsWhenResolved = rig.harness.simulator.requests.length;
      await sleep(800);
      // Assess
      expect(response.batchItemFailures).toEqual([{ itemIdentifier: records.malformed.messageId }]);
      expect(rig.sqs.refused()).toBe(1);
      expect(rig.harness.simulator.requests.length).toBe(requestsWhenResolved);
      expect(deleteCalls().sort()).toEqual([testId(1), testId(3)]);
      expect(audit().map((r) => `${r.sqsMessageId ?? r.event} ${r.event}:${r.reason}`)).toEqual(
        expect.arrayContaining([
          `${records.due.messageId} gateway.deleted:requested`,
          `${records.alsoDue.messageId} gateway.deleted:requested`,
          `${records.malformed.messageId} request.rejected:invalid_request`,
          'run.summary run.summary:completed',
        ]),
      );
      expect(audit()).toHaveLength(4);
    });
  });

  describe('a bounded horizon', () => {
    it.each([
      ['year 9999 under the default 30d', {}, '9999-12-31T23:59:59Z', '30d'],
      ['2h ahead under TEARDOWN_MAX_HORIZON=1h', { TEARDOWN_MAX_HORIZON: '1h' }, 'in 2h', '1h'],
    ])(
      'rejects and parks a request due %s (expires_too_far)',
      async (_title, env, expiresAt, horizon) => {
        // Prepare
        const body = JSON.stringify({
          gatewayId: testId(3),
          expiresAt: expiresAt === 'in 2h' ? inSeconds(7_200) : expiresAt,
        });
        // Act
        const response = await handler(env)(sqsEvent(body), lambdaContext());
        // Assess
        expect(response.batchItemFailures).toEqual([]);
        expect(outcomes()).toEqual(['- request.rejected:expires_too_far']);
        expect(audit()[0]?.error).toEqual({
          code: 'REQUEST_INVALID',
          field: 'expiresAt',
          message: `more than ${horizon} ahead (TEARDOWN_MAX_HORIZON)`,
        });
        expect(rig.harness.simulator.requests).toEqual([]);
        expect((await receiveAll(rig.sqs.dlqUrl, 1)).map((m) => m.Body)).toEqual([body]);
        expect(await rig.sqs.count(rig.sqs.queueUrl)).toMatchObject({ delayed: 0 });
      },
    );
  });

  describe('dry run consumes nothing', () => {
    it('hands a due request back unserved, with one record on its first delivery only', async () => {
      // Prepare
      const body = JSON.stringify({ gatewayId: testId(3), requestedBy: 'ci/pr-103' });
      const first = sqsRecord(body);
      const redelivery = sqsRecord(body, {
        attributes: { ...first.attributes, ApproximateReceiveCount: '2' },
      });
      const dryRun = handler({ DRY_RUN: 'true' });
      // Act
      const firstResponse = await dryRun({ Records: [first] }, lambdaContext());
      const againResponse = await dryRun({ Records: [redelivery] }, lambdaContext());
      // Assess
      expect(firstResponse.batchItemFailures).toEqual([{ itemIdentifier: first.messageId }]);
      expect(againResponse.batchItemFailures).toEqual([{ itemIdentifier: redelivery.messageId }]);
      expect(rig.harness.simulator.requests).toEqual([]);
      expect(outcomes()).toEqual([`${testId(3)} gateway.deferred:dry_run`]);
      expect(
        audit()
          .filter((r) => r.event === 'run.summary')
          .map((r) => r.counts),
      ).toEqual([
        { messages: 1, retried: 1, 'gateway.deferred': 1 },
        { messages: 1, retried: 1 },
      ]);
    });

    it('serves a request that arrived in dry run once the stack goes live', async () => {
      // Prepare
      await rig.sqs.send(JSON.stringify({ gatewayId: testId(3) }));
      const inDryRun = await receiveAll(rig.sqs.queueUrl, 1);
      // Act: dry run hands it back to the queue; after the visibility timeout a live
      // invocation receives it again and deletes.
      const dry = await handler({ DRY_RUN: 'true' })(toLambdaEvent(inDryRun), lambdaContext());
      await rig.sqs.release(rig.sqs.queueUrl, inDryRun);
      const live = await receiveAll(rig.sqs.queueUrl, 1);
      const served = await handler()(toLambdaEvent(live), lambdaContext());
      // Assess
      expect(dry.batchItemFailures).toHaveLength(1);
      expect(live.map((m) => m.Body)).toEqual(inDryRun.map((m) => m.Body));
      expect(served.batchItemFailures).toEqual([]);
      expect(deleteCalls()).toEqual([testId(3)]);
      expect(outcomes()).toEqual([
        `${testId(3)} gateway.deferred:dry_run`,
        `${testId(3)} gateway.deleted:requested`,
      ]);
      expect(audit().some((r) => r.event === 'gateway.would_delete')).toBe(false);
    });
  });

  describe('teardown.allow', () => {
    it('skips a queue request for a gateway outside teardown.allow (not_allowed) and serves the rest', async () => {
      // Prepare
      const policy = { ...TEST_POLICY, teardown: { allow: { names: ['pr-*'] } } };
      const event = sqsEvent({ gatewayId: testId(11) }, { gatewayId: testId(3) });
      // Act
      const response = await handler({}, policy)(event, lambdaContext());
      // Assess
      expect(response.batchItemFailures).toEqual([]);
      expect(deleteCalls()).toEqual([testId(3)]);
      expect(outcomes().sort()).toEqual([
        `${testId(3)} gateway.deleted:requested`,
        `${testId(11)} gateway.skipped:not_allowed`,
      ]);
      expect(audit().find((r) => r.gatewayId === testId(11))?.gatewayName).toBe('demo');
    });
  });
});
