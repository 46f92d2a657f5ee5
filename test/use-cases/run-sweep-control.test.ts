import { describe, expect, it } from 'vitest';
import { createMemoryRegistry } from '#adapters/memory-registry';
import type { Deployment, Gateway } from '#core/model';
import { compilePolicy } from '#core/policy/compile-policy';
import { parsePolicy } from '#core/policy/policy';
import { runSweep } from '#core/sweep/run-sweep';
import { MemoryAuditSink } from '#test/fakes/memory-audit-sink';
import { MemoryGatewayApi } from '#test/fakes/memory-gateway-api';
import { aGateway, hoursAgo, NOW, testId } from '#test/fixtures/gateway-builder';
import { deploymentId } from '#test/fixtures/wire-deployment';

const policyWith = (maxDeletesPer24h: number) =>
  compilePolicy(
    parsePolicy({
      rules: [{ id: 'load-tests', match: { name: 'lt-*' }, maxAge: '2d', deleteDeployments: true }],
      limits: { maxDeletesPerRun: 10, maxDeletePercent: 100, maxDeletesPer24h },
    }),
  );
const gateway = (n: number): Gateway =>
  aGateway({ id: testId(n), name: `lt-${n}`, createdAt: hoursAgo(100) });
const deployment = (n: number, gatewayId: string): Deployment => ({
  id: deploymentId(n),
  name: `model-${n}`,
  gatewayIds: [gatewayId],
  status: 'STATUS_READY',
});

function sweepOf(gateways: Gateway[], deployments: Deployment[], max: number, dryRun = false) {
  const api = new MemoryGatewayApi(gateways, deployments);
  const sink = new MemoryAuditSink();
  const { registry, store } = createMemoryRegistry();
  const run = () =>
    runSweep({
      api,
      sink,
      clock: { now: () => NOW },
      deadline: { budgetMs: () => 60_000 },
      policy: policyWith(max),
      concurrency: 1,
      run: { runId: 'run-1', trigger: 'schedule', dryRun },
      registry,
    });
  return { api, sink, store, run };
}

describe('runSweep under the rolling budget', () => {
  it("counts a cascade's deployments: two units go to them, and the gateway waits (daily_limit)", async () => {
    // Prepare
    const { api, sink, run } = sweepOf(
      [gateway(1)],
      [deployment(1, testId(1)), deployment(2, testId(1))],
      2,
    );
    // Act
    const summary = await run();
    // Assess
    expect(api.calls.filter((call) => call.startsWith('DELETE'))).toHaveLength(2);
    expect(sink.events('deployment.deleted')).toHaveLength(2);
    expect(sink.events('gateway.skipped')).toEqual([
      expect.objectContaining({ gatewayId: testId(1), reason: 'daily_limit' }),
    ]);
    expect(summary.budget).toEqual({ max: 2, used: 2, left: 0, taken: 2 });
  });

  it('in a dry run takes no unit, yet shows where the budget would stop a live run', async () => {
    // Prepare
    const { api, sink, store, run } = sweepOf([gateway(1), gateway(2), gateway(3)], [], 2, true);
    // Act
    const summary = await run();
    // Assess
    expect(api.calls.filter((call) => call.startsWith('DELETE'))).toEqual([]);
    expect(store.items()).toEqual([]);
    expect(sink.events('gateway.would_delete')).toHaveLength(2);
    expect(sink.events('gateway.skipped')).toEqual([
      expect.objectContaining({ reason: 'daily_limit' }),
    ]);
    expect(summary.budget).toEqual({ max: 2, used: 0, left: 2, taken: 2 });
  });
});
