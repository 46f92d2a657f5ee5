import { afterEach, describe, expect, it } from 'vitest';
import type { SimulatorOptions } from '#simulator/server';
import { testId } from '#test/fixtures/gateway-builder';
import { SCHEDULED_EVENT } from '#test/fixtures/scheduled-event';
import { deploymentId, wireDeployment } from '#test/fixtures/wire-deployment';
import { TEST_POLICY, wire } from '#test/fixtures/wire-fleet';
import { auditLines, captureOutput } from '#test/support/capture-output';
import {
  closeChecked,
  type Harness,
  lambdaContext,
  startHarness,
} from '#test/support/janitor-harness';
import { createSweepHandler } from '../../functions/sweep.ts';

/** TEST_POLICY plus a load-test rule that opts into cascading; no percentage limit. */
const POLICY = {
  ...TEST_POLICY,
  limits: { maxDeletesPerRun: 25, maxDeletePercent: 100 },
  rules: [
    ...TEST_POLICY.rules,
    { id: 'load-tests', match: { name: 'loadtest-*' }, maxAge: '2d', deleteDeployments: true },
  ],
};

/**
 * Ten gateways, six expired: pr-1 (a deployment, no cascade), pr-2 (none), loadtest-3
 * (its own deployment, cascades), loadtest-4 (a deployment shared with the young pr-5),
 * loadtest-6 and loadtest-7 (one deployment for both, both cascade).
 */
const gateways = [
  wire(1, 'pr-1-old', 100),
  wire(2, 'pr-2-old', 100),
  wire(3, 'loadtest-3', 100),
  wire(4, 'loadtest-4', 100),
  wire(5, 'pr-5-young', 1),
  wire(6, 'loadtest-6', 100),
  wire(7, 'loadtest-7', 100),
  wire(8, 'prod-8', 100),
  wire(9, 'young-9', 1),
  wire(10, 'young-10', 1),
];
const deployments = [
  wireDeployment(1, 'serves-pr-1', [testId(1)]),
  wireDeployment(3, 'bench-3', [testId(3)]),
  wireDeployment(4, 'shared-4-5', [testId(4), testId(5)]),
  wireDeployment(6, 'bench-6-7', [testId(6), testId(7)]),
];

describe('sweep handler with deployments', () => {
  let harness: Harness;
  let output: ReturnType<typeof captureOutput>;

  const start = async (options: SimulatorOptions = {}) => {
    harness = await startHarness({ gateways, deployments, ...options });
    output = captureOutput();
  };
  afterEach(async () => {
    await closeChecked(harness, output);
  });

  const sweep = (env: Record<string, string> = {}) =>
    createSweepHandler({ env: { ...harness.env, JANITOR_POLICY: JSON.stringify(POLICY), ...env } })(
      SCHEDULED_EVENT,
      lambdaContext(),
    );
  const audit = () => auditLines(output.lines());
  const recordOf = (gatewayId: string) =>
    audit().find((r) => r.gatewayId === gatewayId && String(r.event).startsWith('gateway.'));
  const deleteRequests = () =>
    harness.simulator.requests
      .filter((r) => r.method === 'DELETE' && r.status === 200)
      .map((r) => r.gatewayId ?? r.deploymentId);

  it('keeps an expired gateway a deployment serves, naming the deployment', async () => {
    // Prepare
    await start();
    // Act
    await sweep({ DRY_RUN: 'false' });
    // Assess
    expect(recordOf(testId(1))).toMatchObject({
      event: 'gateway.skipped',
      reason: 'has_deployments',
      ruleId: 'pr-previews',
      deployments: [{ id: deploymentId(1), name: 'serves-pr-1' }],
    });
    expect(harness.simulator.deletes()).not.toContain(testId(1));
    expect(harness.simulator.deploymentDeletes()).not.toContain(deploymentId(1));
    expect(recordOf(testId(2))?.event).toBe('gateway.deleted');
  });

  it("deletes a cascading gateway's deployment first, then the gateway in the same run", async () => {
    // Prepare: deployments vanish at once, so the API allows the gateway straight after.
    await start({ deploymentDeleteDelayMs: 0 });
    // Act
    await sweep({ DRY_RUN: 'false' });
    // Assess
    const order = deleteRequests();
    expect(order.indexOf(deploymentId(3))).toBeGreaterThanOrEqual(0);
    expect(order.indexOf(deploymentId(3))).toBeLessThan(order.indexOf(testId(3)));
    expect(order.indexOf(deploymentId(6))).toBeLessThan(order.indexOf(testId(6)));
    expect(order.indexOf(deploymentId(6))).toBeLessThan(order.indexOf(testId(7)));
    const deployment = audit().find((r) => r.deploymentId === deploymentId(3));
    expect(deployment).toMatchObject({
      event: 'deployment.deleted',
      reason: 'expired',
      ruleId: 'load-tests',
      deploymentName: 'bench-3',
      gatewayIds: [testId(3)],
      finalState: {
        spec: { id: deploymentId(3), name: 'bench-3' },
        status: { status: 'STATUS_DELETING' },
      },
    });
    expect(recordOf(testId(3))).toMatchObject({
      event: 'gateway.deleted',
      deployments: [{ id: deploymentId(3), name: 'bench-3' }],
    });
    expect(recordOf(testId(7))?.event).toBe('gateway.deleted');
  });

  it('never deletes a deployment that also serves a kept gateway, and keeps its expired gateway', async () => {
    // Prepare
    await start({ deploymentDeleteDelayMs: 0 });
    // Act
    await sweep({ DRY_RUN: 'false' });
    // Assess
    expect(harness.simulator.deploymentDeletes()).not.toContain(deploymentId(4));
    expect(harness.simulator.requests.some((r) => r.deploymentId === deploymentId(4))).toBe(false);
    expect(recordOf(testId(4))).toMatchObject({
      event: 'gateway.skipped',
      reason: 'has_deployments',
      deployments: [{ id: deploymentId(4), name: 'shared-4-5' }],
    });
  });

  it('skips the gateway while its deployments are deleting and deletes it on the next run', async () => {
    // Prepare: deployments stay DELETING for a minute, so the API refuses the gateway.
    await start({ deploymentDeleteDelayMs: 60_000 });
    // Act
    const first = await sweep({ DRY_RUN: 'false' });
    const skipped = recordOf(testId(3));
    harness.simulator.seedDeployments(deployments.filter((d) => d.spec.id === deploymentId(1)));
    output.restore();
    output = captureOutput();
    await sweep({ DRY_RUN: 'false' });
    // Assess
    expect(skipped).toMatchObject({ event: 'gateway.skipped', reason: 'deployments_deleting' });
    expect(first.counts['deployment.deleted']).toBe(2);
    expect(recordOf(testId(3))?.event).toBe('gateway.deleted');
    expect(harness.simulator.deletes()).toContain(testId(3));
  });

  it('keeps every gateway and fails the run when deployments cannot be listed', async () => {
    // Prepare
    await start();
    harness.simulator.addFault({ route: 'deployment-list', kind: 'status', status: 500 });
    // Act
    const error = await sweep({ DRY_RUN: 'false' }).catch((e: unknown) => e);
    // Assess
    expect(error).toMatchObject({ code: 'API_TRANSIENT', path: '/v1alpha1/inference/deployments' });
    expect(harness.simulator.requests.filter((r) => r.method === 'DELETE')).toEqual([]);
    expect(audit().filter((r) => String(r.event).startsWith('gateway.'))).toEqual([]);
  });

  it('reads a 404 on the deployment list as no deployments', async () => {
    // Prepare
    await start({ deployments: [] });
    harness.simulator.addFault({ route: 'deployment-list', kind: 'status', status: 404 });
    // Act
    const result = await sweep({ DRY_RUN: 'false' });
    // Assess
    const listed = harness.simulator.requests.filter((r) => r.route === 'deployment-list');
    expect(listed.map((r) => r.status)).toEqual([404]);
    expect(recordOf(testId(1))?.event).toBe('gateway.deleted');
    expect(result.counts['gateway.deleted']).toBe(6);
  });

  it('shows in a dry run the cascade it would do, and deletes nothing', async () => {
    // Prepare
    await start();
    // Act
    const result = await sweep();
    // Assess
    expect(harness.simulator.requests.filter((r) => r.method === 'DELETE')).toEqual([]);
    expect(recordOf(testId(3))).toMatchObject({
      event: 'gateway.would_delete',
      deployments: [{ id: deploymentId(3), name: 'bench-3' }],
    });
    expect(recordOf(testId(1))).toMatchObject({
      event: 'gateway.skipped',
      reason: 'has_deployments',
    });
    expect(audit().some((r) => String(r.event).startsWith('deployment.'))).toBe(false);
    expect(result.dryRun).toBe(true);
  });

  it('counts the deployments a cascade would delete in the blast radius', async () => {
    // Prepare: 3 gateways and 2 deployments would go; 4 deletions are allowed.
    await start();
    harness.simulator.seed(gateways.filter((g) => /loadtest-[367]|young/.test(g.spec.name)));
    const limited = { ...POLICY, limits: { maxDeletesPerRun: 4, maxDeletePercent: 100 } };
    // Act
    const error = await sweep({ DRY_RUN: 'false', JANITOR_POLICY: JSON.stringify(limited) }).catch(
      (e: unknown) => e,
    );
    // Assess
    expect(error).toMatchObject({ code: 'BLAST_RADIUS_EXCEEDED' });
    expect(harness.simulator.requests.filter((r) => r.method === 'DELETE')).toEqual([]);
    expect(audit().find((r) => r.event === 'run.aborted')?.counts).toMatchObject({
      expired: 3,
      deployments: 2,
      maxDeletesPerRun: 4,
    });
  });
});
