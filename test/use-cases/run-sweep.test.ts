import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '#core/audit/audit-vocabulary';
import { compilePolicy } from '#core/policy/compile-policy';
import { parsePolicy } from '#core/policy/policy';
import { ApiError } from '#core/shared/errors';
import type { Gateway } from '#core/shared/gateway';
import type { PlanEntry } from '#core/sweep/plan-cleanup';
import { runSweep, type SweepDeps } from '#core/sweep/run-sweep';
import type { SweepExecutor } from '#core/sweep/sweep-executor';
import { MemoryAuditSink } from '#test/fakes/memory-audit-sink';
import { MemoryGatewayApi } from '#test/fakes/memory-gateway-api';
import { aGateway, hoursAgo, NOW } from '#test/fixtures/gateway-builder';

const POLICY = compilePolicy(
  parsePolicy({
    rules: [{ id: 'pr-previews', match: { name: 'pr-*' }, maxAge: '72h' }],
    protect: { names: ['prod-*'] },
    limits: { maxDeletesPerRun: 3, maxDeletePercent: 100 },
  }),
);

const expired = (name: string) => aGateway({ name, createdAt: hoursAgo(100) });
const young = (name: string) => aGateway({ name, createdAt: hoursAgo(1) });

/** A sweep over an in-memory fleet; budget in ms left before the deadline. */
function sweepOf(gateways: Gateway[], overrides: Partial<SweepDeps> & { budgetMs?: number } = {}) {
  const api = new MemoryGatewayApi(gateways);
  const sink = new MemoryAuditSink();
  const { budgetMs = 60_000, ...rest } = overrides;
  const deps: SweepDeps = {
    api,
    sink,
    clock: { now: () => NOW },
    deadline: { budgetMs: () => budgetMs },
    policy: POLICY,
    concurrency: 2,
    run: { runId: 'run-1', trigger: 'schedule', dryRun: false },
    ...rest,
  };
  return { api, sink, deps, events: () => sink.records.map((r) => r.event) };
}

/** An executor that only notes what it was handed, as a queue or a confirmation step would. */
function handingOn(options: { spendsBudget?: boolean } = {}) {
  const handed: string[] = [];
  const settled: number[] = [];
  const executor: SweepExecutor = {
    spendsBudget: options.spendsBudget ?? true,
    async execute(entry: PlanEntry) {
      handed.push(entry.gateway.name);
      return { event: 'gateway.deferred', gatewayId: entry.gateway.id, reason: 'not_due' };
    },
    async settle() {
      settled.push(handed.length);
    },
  };
  return { executor, handed, settled };
}

describe('runSweep with an executor', () => {
  it('hands every expired gateway to the executor and sends no DELETE itself', async () => {
    // Prepare
    const { executor, handed } = handingOn();
    const { api, deps, events } = sweepOf(
      [expired('pr-1'), young('pr-2'), expired('prod-3'), expired('pr-4')],
      { executor },
    );
    // Act
    const summary = await runSweep(deps);
    // Assess
    expect(handed.sort()).toEqual(['pr-1', 'pr-4']);
    expect(api.calls).toEqual(['LIST']);
    expect(events()).toEqual(['gateway.deferred', 'gateway.deferred', 'run.summary']);
    expect(summary.counts).toEqual({ 'gateway.deferred': 2 });
  });

  it('hands nothing to the executor when the blast radius is exceeded', async () => {
    // Prepare
    const { executor, handed } = handingOn();
    const fleet = ['pr-1', 'pr-2', 'pr-3', 'pr-4'].map(expired);
    const { deps, sink } = sweepOf(fleet, { executor });
    // Act
    const summary = await runSweep(deps);
    // Assess
    expect(handed).toEqual([]);
    expect(summary.status).toBe('aborted');
    expect(sink.events('gateway.skipped').map((r) => r.reason)).toEqual(
      Array(4).fill('blast_radius'),
    );
  });

  it('settles the executor after the last gateway and before the summary', async () => {
    // Prepare
    const { executor, settled } = handingOn();
    const { deps, events } = sweepOf([expired('pr-1'), expired('pr-2')], {
      executor: {
        ...executor,
        settle: async () => {
          await executor.settle?.();
          settledBeforeSummary = !events().includes('run.summary');
        },
      },
    });
    let settledBeforeSummary = false;
    // Act
    await runSweep(deps);
    // Assess
    expect(settled).toEqual([2]);
    expect(settledBeforeSummary).toBe(true);
  });

  it('lets an executor that spends no API time run past the deadline', async () => {
    // Prepare
    const { executor, handed } = handingOn({ spendsBudget: false });
    const { deps } = sweepOf([expired('pr-1'), expired('pr-2')], { executor, budgetMs: 0 });
    // Act
    const summary = await runSweep(deps);
    // Assess
    expect(handed).toHaveLength(2);
    expect(summary.status).toBe('completed');
  });

  it('stops handing gateways on once an outcome carries an error that stops the run', async () => {
    // Prepare
    const forbidden = new ApiError('API_FORBIDDEN', {
      method: 'DELETE',
      path: '/x',
      status: 403,
      http: { status: 403, attempts: 1, durationMs: 1 },
    });
    const handed: string[] = [];
    const executor: SweepExecutor = {
      spendsBudget: true,
      async execute(entry) {
        handed.push(entry.gateway.name);
        return {
          event: 'gateway.delete_failed',
          gatewayId: entry.gateway.id,
          reason: 'permanent',
          error: forbidden,
        };
      },
    };
    const { deps, sink } = sweepOf([expired('pr-1'), expired('pr-2'), expired('pr-3')], {
      executor,
      concurrency: 1,
    });
    // Act
    const run = runSweep(deps);
    // Assess
    await expect(run).rejects.toBe(forbidden);
    expect(handed).toEqual(['pr-1']);
    const ends: AuditEvent[] = sink.records.map((r) => r.event);
    expect(ends).toEqual([
      'gateway.delete_failed',
      'gateway.skipped',
      'gateway.skipped',
      'run.summary',
    ]);
    expect(sink.events('run.summary')[0]?.reason).toBe('stopped');
  });
});
