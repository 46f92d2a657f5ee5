import { describe, expect, it } from 'vitest';
import { ApiError } from '#core/errors';
import type { Deployment, Gateway } from '#core/model';
import { compilePolicy } from '#core/policy/compile-policy';
import { parsePolicy } from '#core/policy/policy';
import { runSweep } from '#core/sweep/run-sweep';
import { MemoryAuditSink } from '#test/fakes/memory-audit-sink';
import { MemoryGatewayApi } from '#test/fakes/memory-gateway-api';
import { AT_NOW } from '#test/fakes/memory-run';
import { anApiError } from '#test/fixtures/api-error';
import { aGateway, hoursAgo, testId } from '#test/fixtures/gateway-builder';
import { deploymentId } from '#test/fixtures/wire-deployment';

const POLICY = compilePolicy(
  parsePolicy({
    rules: [
      { id: 'pr-previews', match: { name: 'pr-*' }, maxAge: '72h' },
      { id: 'load-tests', match: { name: 'loadtest-*' }, maxAge: '2d', deleteDeployments: true },
    ],
    protect: { names: ['prod-*'] },
    limits: { maxDeletesPerRun: 10, maxDeletePercent: 100 },
  }),
);

/** A gateway id with letters in it, so that its upper-case spelling differs. */
const LETTERED = 'abcdef00-0000-4000-8000-00000000000a';
const gateway = (n: number, name: string, hours = 100): Gateway =>
  aGateway({ id: testId(n), name, createdAt: hoursAgo(hours) });
const deployment = (id: string, name: string, gatewayIds: string[]): Deployment => ({
  id,
  name,
  gatewayIds,
  status: 'STATUS_READY',
});

function sweepOf(gateways: Gateway[], deployments: Deployment[], dryRun = false) {
  const api = new MemoryGatewayApi(gateways, deployments);
  const sink = new MemoryAuditSink();
  const run = () =>
    runSweep({
      api,
      sink,
      ...AT_NOW,
      policy: POLICY,
      concurrency: 1,
      run: { runId: 'run-1', trigger: 'schedule', dryRun },
    });
  return { api, sink, run };
}

describe('runSweep with deployments', () => {
  it('deletes a cascading gateway only after its deployment, and records both', async () => {
    // Prepare
    const { api, sink, run } = sweepOf(
      [gateway(1, 'loadtest-1')],
      [deployment(deploymentId(1), 'bench', [testId(1)])],
    );
    // Act
    await run();
    // Assess
    expect(api.calls).toEqual([
      'LIST',
      'LIST DEPLOYMENTS',
      `DELETE DEPLOYMENT ${deploymentId(1)}`,
      `DELETE ${testId(1)}`,
    ]);
    expect(sink.records.map((r) => [r.event, r.deploymentName ?? r.gatewayName])).toEqual([
      ['deployment.deleted', 'bench'],
      ['gateway.deleted', 'loadtest-1'],
      ['run.summary', undefined],
    ]);
  });

  it('keeps a gateway whose rule does not cascade, and sends no DELETE at all', async () => {
    // Prepare
    const { api, sink, run } = sweepOf(
      [gateway(1, 'pr-1')],
      [deployment(deploymentId(1), 'preview', [testId(1)])],
    );
    // Act
    const summary = await run();
    // Assess
    expect(api.calls).toEqual(['LIST', 'LIST DEPLOYMENTS']);
    expect(sink.records[0]).toMatchObject({
      event: 'gateway.skipped',
      reason: 'has_deployments',
      ruleId: 'pr-previews',
      deployments: [{ id: deploymentId(1), name: 'preview' }],
    });
    expect(summary.kept).toMatchObject({ has_deployments: 1 });
  });

  it.each([
    [
      'protected by a name glob',
      deployment(deploymentId(1), 'prod-bench', [testId(1)]),
      'protected',
    ],
    ['listed without a name', deployment(deploymentId(1), '', [testId(1)]), 'unknown_identity'],
    [
      'listed with an id that is not a uuid',
      deployment('dep-1', 'bench', [testId(1)]),
      'unknown_identity',
    ],
  ])(
    'never deletes a deployment %s, and keeps the gateway it serves (%s)',
    async (_title, serving, reason) => {
      // Prepare
      const { api, sink, run } = sweepOf([gateway(1, 'loadtest-1')], [serving]);
      // Act
      const summary = await run();
      // Assess
      expect(api.calls).toEqual(['LIST', 'LIST DEPLOYMENTS']);
      expect(sink.records[0]).toMatchObject({
        event: 'gateway.skipped',
        reason,
        ruleId: 'load-tests',
        deployments: [{ id: serving.id, name: serving.name }],
      });
      expect(summary.kept).toMatchObject({ [reason]: 1 });
    },
  );

  it('keeps a gateway that a deployment names in upper case', async () => {
    // Prepare
    const lettered = aGateway({ id: LETTERED, name: 'pr-1', createdAt: hoursAgo(100) });
    const { api, sink, run } = sweepOf(
      [lettered],
      [deployment(deploymentId(1), 'preview', [LETTERED.toUpperCase()])],
    );
    // Act
    await run();
    // Assess
    expect(api.calls).toEqual(['LIST', 'LIST DEPLOYMENTS']);
    expect(sink.records[0]).toMatchObject({ event: 'gateway.skipped', reason: 'has_deployments' });
  });

  it('reads a deployment list that answers 404 as none, and says so in run.summary', async () => {
    // Prepare
    const { api, sink, run } = sweepOf([gateway(1, 'pr-1')], []);
    api.deploymentListNotFound();
    // Act
    await run();
    // Assess
    expect(api.calls).toEqual(['LIST', 'LIST DEPLOYMENTS', `DELETE ${testId(1)}`]);
    expect(sink.events('run.summary')[0]).toMatchObject({ deploymentList: 'not_found' });
  });

  it('keeps the gateway when its deployment could not be deleted', async () => {
    // Prepare
    const { api, sink, run } = sweepOf(
      [gateway(1, 'loadtest-1')],
      [deployment(deploymentId(1), 'bench', [testId(1)])],
    );
    const refused = new ApiError('API_PERMANENT', {
      method: 'DELETE',
      path: `/v1alpha1/inference/deployments/${deploymentId(1)}`,
      status: 422,
      http: { status: 422, attempts: 1, durationMs: 1 },
    });
    api.failNext(`DELETE DEPLOYMENT ${deploymentId(1)}`, refused);
    // Act
    await run();
    // Assess
    expect(api.calls).not.toContain(`DELETE ${testId(1)}`);
    expect(sink.records.map((r) => [r.event, r.reason])).toEqual([
      ['deployment.delete_failed', 'expired'],
      ['gateway.skipped', 'has_deployments'],
      ['run.summary', 'completed'],
    ]);
  });

  it('stops before any gateway when a deployment DELETE answers 403', async () => {
    // Prepare
    const { api, sink, run } = sweepOf(
      [gateway(1, 'loadtest-1'), gateway(2, 'pr-2')],
      [deployment(deploymentId(1), 'bench', [testId(1)])],
    );
    const forbidden = new ApiError('API_FORBIDDEN', {
      method: 'DELETE',
      path: `/v1alpha1/inference/deployments/${deploymentId(1)}`,
      status: 403,
      http: { status: 403, attempts: 1, durationMs: 1 },
    });
    api.failNext(`DELETE DEPLOYMENT ${deploymentId(1)}`, forbidden);
    // Act
    const error = await run().catch((e: unknown) => e);
    // Assess
    expect(error).toBe(forbidden);
    expect(api.calls.filter((call) => call.startsWith('DELETE '))).toEqual([
      `DELETE DEPLOYMENT ${deploymentId(1)}`,
    ]);
    expect(sink.records.find((r) => r.event === 'run.summary')?.reason).toBe('stopped');
  });

  it('sends nothing in a dry run and names the deployments it would delete first', async () => {
    // Prepare
    const { api, sink, run } = sweepOf(
      [gateway(1, 'loadtest-1')],
      [deployment(deploymentId(1), 'bench', [testId(1)])],
      true,
    );
    // Act
    await run();
    // Assess
    expect(api.calls).toEqual(['LIST', 'LIST DEPLOYMENTS']);
    expect(sink.records[0]).toMatchObject({
      event: 'gateway.would_delete',
      deployments: [{ id: deploymentId(1), name: 'bench' }],
    });
  });

  it('asks for the deployments while the gateway list is still on its way', async () => {
    // Prepare: the gateway list answers only once the deployment list was asked for.
    const { api, run } = sweepOf(
      [gateway(1, 'pr-1')],
      [deployment(deploymentId(9), 'other', [testId(9)])],
    );
    const listGateways = api.list.bind(api);
    let deploymentsAsked: () => void = () => undefined;
    const asked = new Promise<void>((resolve) => {
      deploymentsAsked = resolve;
    });
    const listDeployments = api.listDeployments.bind(api);
    api.listDeployments = () => {
      deploymentsAsked();
      return listDeployments();
    };
    api.list = async () => {
      const waited = await Promise.race([
        asked.then(() => 'asked'),
        new Promise((resolve) => setTimeout(resolve, 200, 'not asked')),
      ]);
      if (waited !== 'asked') throw new Error('the deployment list waited for the gateway list');
      return listGateways();
    };
    // Act
    const summary = await run();
    // Assess: one round trip for both lists; the run goes on as before.
    expect(summary.counts).toEqual({ 'gateway.deleted': 1 });
  });

  it('fails with the gateway list’s error only once the deployment list has settled', async () => {
    // Prepare
    const { api, sink, run } = sweepOf([gateway(1, 'pr-1')], []);
    const unavailable = anApiError('API_TRANSIENT', 503, 'GET');
    api.failNext('LIST', unavailable);
    let deploymentsSettled = false;
    api.listDeployments = async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      deploymentsSettled = true;
      return { deployments: [] };
    };
    // Act
    const error = await run().catch((e: unknown) => e);
    // Assess: nothing the run started outlives it, and nothing was decided.
    expect(error).toBe(unavailable);
    expect(deploymentsSettled).toBe(true);
    expect(api.calls).toEqual(['LIST']);
    expect(sink.records).toEqual([]);
  });

  it('fails, deleting nothing, when only the deployment list fails', async () => {
    // Prepare
    const { api, sink, run } = sweepOf([gateway(1, 'pr-1')], []);
    const unavailable = anApiError('API_TRANSIENT', 503, 'GET');
    api.failNext('LIST DEPLOYMENTS', unavailable);
    // Act
    const error = await run().catch((e: unknown) => e);
    // Assess
    expect(error).toBe(unavailable);
    expect(api.calls).toEqual(['LIST', 'LIST DEPLOYMENTS']);
    expect(sink.records).toEqual([]);
  });
});
