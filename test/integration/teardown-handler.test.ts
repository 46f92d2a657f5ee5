import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testId } from '#test/fixtures/gateway-builder';
import { sqsEvent, sqsRecord } from '#test/fixtures/sqs-event';
import { ago, mixedFleet } from '#test/fixtures/wire-fleet';
import { lambdaContext } from '#test/support/janitor-harness';
import { startTeardownRig, type TeardownRig } from '#test/support/teardown-rig';
import { createTeardownHandler } from '../../functions/teardown.ts';

describe('teardown handler against the simulator and a local SQS', () => {
  let rig: TeardownRig;
  beforeEach(async () => {
    rig = await startTeardownRig({ gateways: mixedFleet().gateways, echoApiKey: true });
  });
  afterEach(() => rig.close());

  const handler = (env: Record<string, string> = {}) => rig.handler(env);
  const audit = () => rig.audit();
  const deleteCalls = () =>
    rig.harness.simulator.requests.filter((r) => r.method === 'DELETE').map((r) => r.gatewayId);

  it('serves a mixed batch: exact failures, exact DELETEs, one record per message', async () => {
    // Prepare
    const alwaysFailing = testId(12);
    rig.harness.simulator.addFault({
      route: 'get',
      gatewayId: alwaysFailing,
      kind: 'status',
      status: 503,
    });
    const records = {
      due: sqsRecord(
        JSON.stringify({ gatewayId: testId(3), requestedBy: 'ci/pr-103', reason: 'PR closed' }),
      ),
      pastExpiry: sqsRecord(JSON.stringify({ gatewayId: testId(11), expiresAt: ago(1) })),
      future: sqsRecord(
        JSON.stringify({
          gatewayId: testId(5),
          expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
        }),
      ),
      malformed: sqsRecord('{"gatewayId": "not-a-uuid"}'),
      notJson: sqsRecord('tear down pr-101 please'),
      protectedGw: sqsRecord(JSON.stringify({ gatewayId: testId(6) })),
      stale: sqsRecord(JSON.stringify({ gatewayId: testId(1), expectedName: 'pr-101-recreated' })),
      missing: sqsRecord(JSON.stringify({ gatewayId: testId(404) })),
      unavailable: sqsRecord(JSON.stringify({ gatewayId: alwaysFailing })),
      upperCase: sqsRecord(
        JSON.stringify({
          gatewayId: testId(2).toUpperCase(),
          expectedCreatedAt: rig.harness.simulator.get(testId(2))?.status?.createdAt,
        }),
      ),
    };
    // Act
    const response = await handler()({ Records: Object.values(records) }, lambdaContext(60_000));
    // Assess
    expect(response).toEqual({
      batchItemFailures: [{ itemIdentifier: records.unavailable.messageId }],
    });
    expect(deleteCalls().sort()).toEqual([testId(2), testId(3), testId(11)]);
    const byMessage = Object.fromEntries(
      Object.entries(records).map(([key, record]) => [
        key,
        audit()
          .filter((r) => r.sqsMessageId === record.messageId)
          .map((r) => `${r.event}:${r.reason}`),
      ]),
    );
    expect(byMessage).toEqual({
      due: ['gateway.deleted:requested'],
      pastExpiry: ['gateway.deleted:requested'],
      future: ['gateway.deferred:not_due'],
      malformed: ['request.rejected:invalid_request'],
      notJson: ['request.rejected:invalid_request'],
      protectedGw: ['gateway.skipped:protected'],
      stale: ['gateway.skipped:stale_request'],
      missing: ['gateway.already_gone:not_found'],
      unavailable: ['gateway.delete_failed:transient'],
      upperCase: ['gateway.deleted:requested'],
    });
    const deleted = audit().find((r) => r.sqsMessageId === records.due.messageId);
    expect(deleted).toMatchObject({
      trigger: 'sqs',
      requestedBy: 'ci/pr-103',
      gatewayName: 'pr-103-young',
      finalState: { status: { status: 'STATUS_DELETING' } },
    });
    expect(
      audit().find((r) => r.sqsMessageId === records.malformed.messageId)?.error,
    ).toMatchObject({ field: 'gatewayId' });
    // The deferred request and the confirmations of the 3 deletions wait in the queue;
    // the rejected ones wait in the DLQ.
    expect(await rig.sqs.count(rig.sqs.queueUrl)).toMatchObject({ delayed: 4 });
    expect(await rig.sqs.count(rig.sqs.dlqUrl)).toMatchObject({ visible: 2 });
  });

  it('ends duplicates for one gateway as one deletion and one already gone', async () => {
    const body = JSON.stringify({ gatewayId: testId(3) });
    const event = sqsEvent(body, body, body);
    const response = await handler()(event, lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
    expect(deleteCalls()).toEqual([testId(3)]);
    expect(
      audit()
        .filter((r) => r.gatewayId === testId(3))
        .map((r) => `${r.event}:${r.reason}`),
    ).toEqual([
      'gateway.deleted:requested',
      'gateway.already_gone:already_deleting',
      'gateway.already_gone:already_deleting',
    ]);
    // A later batch sees the same.
    await handler()(sqsEvent(body), lambdaContext());
    expect(deleteCalls()).toEqual([testId(3)]);
  });

  it('honours DRY_RUN: deletes nothing, calls nothing, and hands a due request back', async () => {
    const event = sqsEvent({ gatewayId: testId(3) });
    const response = await handler({ DRY_RUN: 'true' })(event, lambdaContext());
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }]);
    expect(rig.harness.simulator.requests).toEqual([]);
    expect(audit().some((r) => r.event === 'gateway.would_delete')).toBe(false);
  });

  it('reports every record not started for lack of time, and starts nothing', async () => {
    const event = sqsEvent({ gatewayId: testId(3) }, { gatewayId: testId(11) });
    const response = await handler()(event, lambdaContext(3_000));
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(
      event.Records.map((r) => r.messageId),
    );
    expect(rig.harness.simulator.requests).toEqual([]);
  });

  it('hands a rejected message back to SQS when no dead-letter queue is configured', async () => {
    const event = sqsEvent('not json');
    const response = await handler({ TEARDOWN_DLQ_URL: '' })(event, lambdaContext());
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }]);
    expect(audit().map((r) => r.event)).toContain('request.rejected');
  });

  it('parks a permanently failing deletion in the dead-letter queue', async () => {
    rig.harness.simulator.addFault({
      route: 'delete',
      kind: 'status',
      status: 409,
      body: { code: 9, message: 'gateway is referenced by deployments' },
    });
    const response = await handler()(sqsEvent({ gatewayId: testId(3) }), lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
    expect(audit().find((r) => r.event === 'gateway.delete_failed')).toMatchObject({
      reason: 'permanent',
      http: { status: 409 },
    });
    expect(await rig.sqs.count(rig.sqs.dlqUrl)).toMatchObject({ visible: 1 });
  });

  it('fails the invocation when the token is refused for every record', async () => {
    rig.harness.simulator.addFault({
      route: 'get',
      kind: 'status',
      status: 403,
      body: { code: 7, message: 'permission denied' },
    });
    await expect(
      handler()(sqsEvent({ gatewayId: testId(3) }, { gatewayId: testId(11) }), lambdaContext()),
    ).rejects.toMatchObject({
      code: 'API_FORBIDDEN',
    });
    expect(deleteCalls()).toEqual([]);
  });

  it('rejects an event that is not from SQS before any call', async () => {
    await expect(
      createTeardownHandler({ env: rig.env() })({ detail: {} }, lambdaContext()),
    ).rejects.toMatchObject({
      code: 'EVENT_INVALID',
      field: 'event.Records',
    });
    expect(rig.harness.simulator.requests).toEqual([]);
  });
});
