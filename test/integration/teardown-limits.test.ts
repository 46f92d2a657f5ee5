import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testId } from '#test/fixtures/gateway-builder';
import { sqsRecord } from '#test/fixtures/sqs-event';
import { deploymentId, wireDeployment } from '#test/fixtures/wire-deployment';
import { TEST_POLICY, wire } from '#test/fixtures/wire-fleet';
import { lambdaContext } from '#test/support/janitor-harness';
import { startTeardownRig, type TeardownRig } from '#test/support/teardown-rig';

const gateways = [1, 2, 3, 4].map((n) => wire(n, `pr-${n}`, 100));
const deployments = [
  wireDeployment(1, 'preview-1', [testId(1)]),
  wireDeployment(2, 'preview-1b', [testId(1)]),
];
/** Two DELETEs per teardown invocation. */
const LIMITED = { ...TEST_POLICY, limits: { maxDeletesPerRun: 2, maxDeletePercent: 50 } };
/** The same, with cascades allowed. */
const CASCADING = { ...LIMITED, teardown: { allow: { deleteDeployments: true } } };

describe('teardown handler: limits.maxDeletesPerRun', () => {
  let rig: TeardownRig;
  beforeEach(async () => {
    rig = await startTeardownRig({ gateways, deployments, deploymentDeleteDelayMs: 0 });
  });
  afterEach(() => rig.close());

  const teardownUnder = (policy: object, ...bodies: object[]) =>
    rig.handler({ DELETE_CONCURRENCY: '4' }, policy)(
      { Records: bodies.map((body) => sqsRecord(JSON.stringify(body))) },
      lambdaContext(60_000),
    );
  const deletes = () =>
    rig.harness.simulator.requests
      .filter((r) => r.method === 'DELETE')
      .map((r) => r.gatewayId ?? r.deploymentId);

  it('deletes up to the limit in one batch and defers the rest on the queue (run_limit), parking nothing', async () => {
    // Act
    const response = await teardownUnder(
      LIMITED,
      { gatewayId: testId(2) },
      { gatewayId: testId(3) },
      { gatewayId: testId(4) },
    );
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(deletes()).toHaveLength(2);
    const deferred = rig.audit().filter((r) => r.event === 'gateway.deferred');
    expect(deferred).toEqual([expect.objectContaining({ reason: 'run_limit' })]);
    expect(deletes()).not.toContain(deferred[0]?.gatewayId);
    // Two confirmations of the deletions, and the deferred request.
    expect(await rig.sqs.count(rig.sqs.queueUrl)).toMatchObject({ delayed: 3 });
    expect(await rig.sqs.count(rig.sqs.dlqUrl)).toMatchObject({ visible: 0, delayed: 0 });
  });

  it("counts a cascade's deployments with its gateway, and gives each invocation its own limit", async () => {
    // Prepare
    await teardownUnder(CASCADING, { gatewayId: testId(2) }, { gatewayId: testId(3) });
    // Act: a fresh invocation has a fresh limit, but the cascade needs 3 DELETEs.
    const cascade = { gatewayId: testId(1), deleteDeployments: true };
    const refused = await teardownUnder(CASCADING, cascade);
    const wider = { ...CASCADING, limits: { maxDeletesPerRun: 3, maxDeletePercent: 50 } };
    const served = await teardownUnder(wider, cascade);
    // Assess
    expect(refused.batchItemFailures).toEqual([]);
    expect(served.batchItemFailures).toEqual([]);
    const [first, second, ...rest] = deletes();
    expect([first, second].sort()).toEqual([testId(2), testId(3)]);
    expect(rest.slice(0, 2).sort()).toEqual([deploymentId(1), deploymentId(2)]);
    expect(rest[2]).toBe(testId(1));
    expect(rig.audit().filter((r) => r.reason === 'run_limit')).toHaveLength(1);
  });
});
