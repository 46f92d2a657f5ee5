import { describe, expect, it } from 'vitest';
import { createMemoryRegistry } from '#adapters/memory-registry';
import { RegistryError } from '#core/errors';
import type { Deployment, Gateway } from '#core/model';
import { compilePolicy } from '#core/policy/compile-policy';
import { parsePolicy } from '#core/policy/policy';
import type { Registry } from '#core/registry-port';
import { runSweep } from '#core/sweep/run-sweep';
import { MemoryAuditSink } from '#test/fakes/memory-audit-sink';
import { MemoryGatewayApi } from '#test/fakes/memory-gateway-api';
import { AT_NOW } from '#test/fakes/memory-run';
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

/** A sweep over an in-memory fleet and registry (or the registry given), its clock at NOW. */
function sweepOf(
  gateways: Gateway[],
  deployments: Deployment[],
  max: number,
  options: { dryRun?: boolean; registry?: Registry; runId?: string } = {},
) {
  const api = new MemoryGatewayApi(gateways, deployments);
  const sink = new MemoryAuditSink();
  const memory = createMemoryRegistry();
  const registry = options.registry ?? memory.registry;
  const run = () =>
    runSweep({
      api,
      sink,
      ...AT_NOW,
      policy: policyWith(max),
      concurrency: 1,
      run: {
        runId: options.runId ?? 'run-1',
        trigger: 'schedule',
        dryRun: options.dryRun ?? false,
      },
      registry,
    });
  return { api, sink, store: memory.store, registry, run };
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
    const { api, sink, store, run } = sweepOf([gateway(1), gateway(2), gateway(3)], [], 2, {
      dryRun: true,
    });
    // Act
    const summary = await run();
    // Assess
    expect(api.calls.filter((call) => call.startsWith('DELETE'))).toEqual([]);
    // Nothing but its last-run record, which status shows.
    expect(store.items().map((item) => item.pk)).toEqual(['run']);
    expect(sink.events('gateway.would_delete')).toHaveLength(2);
    expect(sink.events('gateway.skipped')).toEqual([
      expect.objectContaining({ reason: 'daily_limit' }),
    ]);
    expect(summary.budget).toEqual({ max: 2, used: 0, left: 2, taken: 2 });
  });
});

describe('runSweep: the last-run record', () => {
  it('records a live sweep, a dry one and a paused one, each with what it deleted and why not', async () => {
    // Prepare
    const { registry } = createMemoryRegistry();
    const fleet = [gateway(1), gateway(2)];
    const last = async () => (await registry.readLastRuns())[0];
    // Act, Assess
    await sweepOf(fleet, [], 10, { dryRun: true, registry, runId: 'dry' }).run();
    expect(await last()).toMatchObject({
      kind: 'sweep',
      runId: 'dry',
      dryRun: true,
      outcome: 'completed',
      deleted: 2,
      failed: 0,
      at: NOW,
    });
    await registry.pause({ reason: 'incident', by: 'ops' }, NOW - 1);
    await sweepOf(fleet, [], 10, { registry, runId: 'paused' }).run();
    expect(await last()).toMatchObject({ runId: 'paused', deleted: 0, reason: 'paused' });
    await registry.resume({ by: 'ops' }, NOW);
    await sweepOf(fleet, [], 10, { registry, runId: 'live' }).run();
    expect(await last()).toMatchObject({ runId: 'live', dryRun: false, deleted: 2 });
  });

  it('fails nothing when the record cannot be written', async () => {
    // Prepare
    const { registry } = createMemoryRegistry();
    const failing: Registry = {
      ...registry,
      recordLastRun: async () => {
        throw new RegistryError('REGISTRY_UNAVAILABLE', 'throttled');
      },
    };
    // Act
    const summary = await sweepOf([gateway(1)], [], 10, { registry: failing }).run();
    // Assess
    expect(summary).toMatchObject({ status: 'completed', counts: { 'gateway.deleted': 1 } });
  });
});
