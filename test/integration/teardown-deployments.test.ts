import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testId } from '#test/fixtures/gateway-builder';
import { janitorRecord, sqsRecord } from '#test/fixtures/sqs-event';
import { deploymentId, wireDeployment } from '#test/fixtures/wire-deployment';
import { TEST_POLICY, wire } from '#test/fixtures/wire-fleet';
import { lambdaContext } from '#test/support/janitor-harness';
import { startTeardownRig, type TeardownRig } from '#test/support/teardown-rig';

const gateways = [wire(1, 'pr-1', 100), wire(2, 'pr-2', 100), wire(3, 'pr-3', 1)];
/** The test policy, letting a request's deleteDeployments take its deployments along. */
const CASCADING = { ...TEST_POLICY, teardown: { allow: { deleteDeployments: true } } };
const deployments = [
  wireDeployment(1, 'preview-1', [testId(1)]),
  wireDeployment(2, 'shared-2-3', [testId(2), testId(3)]),
];

describe('teardown handler with deployments', () => {
  let rig: TeardownRig;
  beforeEach(async () => {
    rig = await startTeardownRig({ gateways, deployments, deploymentDeleteDelayMs: 0 });
  });
  afterEach(() => rig.close());

  const teardown = (
    body: object,
    policy: object = CASCADING,
    record = sqsRecord(JSON.stringify(body)),
  ) => rig.handler({}, policy)({ Records: [record] }, lambdaContext(60_000));
  const audit = () => rig.audit();
  const deletes = () =>
    rig.harness.simulator.requests
      .filter((r) => r.method === 'DELETE')
      .map((r) => r.gatewayId ?? r.deploymentId);

  it('defers a request for a gateway a deployment serves, naming it, and sends no DELETE', async () => {
    // Act
    const response = await teardown({ gatewayId: testId(1), requestedBy: 'ci/pr-1' });
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(deletes()).toEqual([]);
    expect(audit()[0]).toMatchObject({
      event: 'gateway.deferred',
      reason: 'has_deployments',
      gatewayId: testId(1),
      requestedBy: 'ci/pr-1',
      deployments: [{ id: deploymentId(1), name: 'preview-1' }],
    });
    expect(await rig.sqs.count(rig.sqs.queueUrl)).toMatchObject({ delayed: 1 });
  });

  it('holds a request that says deleteDeployments when the policy does not allow it, deleting nothing', async () => {
    // Act
    const response = await teardown({ gatewayId: testId(1), deleteDeployments: true }, TEST_POLICY);
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(deletes()).toEqual([]);
    expect(audit()[0]).toMatchObject({
      event: 'gateway.deferred',
      reason: 'has_deployments',
      deployments: [{ id: deploymentId(1), name: 'preview-1' }],
    });
    expect(await rig.sqs.count(rig.sqs.queueUrl)).toMatchObject({ delayed: 1 });
  });

  it('deletes the deployment before the gateway when the request says deleteDeployments and the policy allows it', async () => {
    // Act
    const response = await teardown({ gatewayId: testId(1), deleteDeployments: true });
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(deletes()).toEqual([deploymentId(1), testId(1)]);
    expect(audit().map((r) => r.event)).toEqual([
      'deployment.deleted',
      'gateway.deleted',
      'run.summary',
    ]);
    expect(audit()[0]).toMatchObject({
      deploymentId: deploymentId(1),
      deploymentName: 'preview-1',
      gatewayIds: [testId(1)],
      finalState: { status: { status: 'STATUS_DELETING' } },
    });
  });

  it('defers a request whose deployment also serves another gateway, sending no DELETE, even when asked to cascade', async () => {
    // Act
    await teardown({ gatewayId: testId(2), deleteDeployments: true });
    // Assess
    expect(deletes()).toEqual([]);
    expect(audit()[0]).toMatchObject({
      event: 'gateway.deferred',
      reason: 'has_deployments',
      deployments: [{ id: deploymentId(2), name: 'shared-2-3' }],
    });
  });

  it('skips and acknowledges a request held back for longer than the horizon', async () => {
    const held = {
      gatewayId: testId(1),
      // The last hold was re-sent just before the 30d horizon passed, and arrives after it.
      deferredSince: new Date(Date.now() - 30 * 86_400_000 - 600_000).toISOString(),
    };
    // Act
    const response = await teardown(held, CASCADING, janitorRecord(held));
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(audit()[0]).toMatchObject({ event: 'gateway.skipped', reason: 'has_deployments' });
    expect(await rig.sqs.count(rig.sqs.queueUrl)).toMatchObject({ delayed: 0, visible: 0 });
  });

  it('hands the message back when deployments cannot be listed, and deletes nothing', async () => {
    // Prepare
    rig.harness.simulator.addFault({ route: 'deployment-list', kind: 'status', status: 503 });
    // Act
    const response = await teardown({ gatewayId: testId(1), deleteDeployments: true });
    // Assess
    expect(response.batchItemFailures).toHaveLength(1);
    expect(deletes()).toEqual([]);
  });
});
