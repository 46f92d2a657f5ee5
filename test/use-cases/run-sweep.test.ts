import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '#core/audit/vocabulary';
import type { Gateway } from '#core/model';
import { compilePolicy } from '#core/policy/compile-policy';
import { parsePolicy } from '#core/policy/policy';
import { runSweep, type SweepDeps } from '#core/sweep/run-sweep';
import { MemoryConfirmationQueue } from '#test/fakes/memory-confirmation-queue';
import { memoryRun } from '#test/fakes/memory-run';
import { anApiError } from '#test/fixtures/api-error';
import { aGateway, hoursAgo } from '#test/fixtures/gateway-builder';

const POLICY = compilePolicy(
  parsePolicy({
    rules: [{ id: 'pr-previews', match: { name: 'pr-*' }, maxAge: '72h' }],
    protect: { names: ['prod-*'] },
    limits: { maxDeletesPerRun: 3, maxDeletePercent: 100 },
  }),
);

const RUN_ID = '7d1f0c8e-5b7a-4d38-9f5e-2a9c41b0e6d3';
const expired = (name: string) => aGateway({ name, createdAt: hoursAgo(100) });
const young = (name: string) => aGateway({ name, createdAt: hoursAgo(1) });

/** A sweep over an in-memory fleet, its deadline already reached when `budgetMs` is 0. */
function sweepOf(gateways: Gateway[], overrides: Partial<SweepDeps> & { budgetMs?: 0 } = {}) {
  const { budgetMs, ...rest } = overrides;
  const { api, sink, deps: run, spendBudget } = memoryRun(gateways, POLICY, 'schedule');
  if (budgetMs === 0) spendBudget();
  const deps: SweepDeps = { ...run, concurrency: 2, ...rest };
  return { api, sink, deps, events: () => sink.records.map((r) => r.event) };
}

describe('runSweep acting on the plan', () => {
  it('in a dry run records every expired gateway as would_delete and sends no DELETE', async () => {
    // Prepare
    const { api, deps, events } = sweepOf(
      [expired('pr-1'), young('pr-2'), expired('prod-3'), expired('pr-4')],
      { run: { runId: RUN_ID, trigger: 'schedule', dryRun: true } },
    );
    // Act
    const summary = await runSweep(deps);
    // Assess
    expect(api.calls).toEqual(['LIST', 'LIST DEPLOYMENTS']);
    expect(events()).toEqual(['gateway.would_delete', 'gateway.would_delete', 'run.summary']);
    expect(summary.counts).toEqual({ 'gateway.would_delete': 2 });
  });

  it('sends no DELETE when the blast radius is exceeded', async () => {
    // Prepare
    const fleet = ['pr-1', 'pr-2', 'pr-3', 'pr-4'].map(expired);
    const { api, deps, sink } = sweepOf(fleet);
    // Act
    const summary = await runSweep(deps);
    // Assess
    expect(api.calls).toEqual(['LIST', 'LIST DEPLOYMENTS']);
    expect(summary.status).toBe('aborted');
    expect(sink.events('gateway.skipped').map((r) => r.reason)).toEqual(
      Array(4).fill('blast_radius'),
    );
  });

  it('schedules the confirmations once, after the last deletion and before the summary', async () => {
    // Prepare
    let scheduledBeforeSummary = false;
    const queue = new MemoryConfirmationQueue({
      onSchedule: () => {
        scheduledBeforeSummary = !events().includes('run.summary');
      },
    });
    const { deps, events } = sweepOf([expired('pr-1'), expired('pr-2')], {
      confirm: { queue, afterMs: 300_000, withinMs: 3_600_000 },
    });
    // Act
    await runSweep(deps);
    // Assess
    expect(queue.batches).toEqual([2]);
    expect(scheduledBeforeSummary).toBe(true);
  });

  it('lets a dry run, which makes no API calls, go on past the deadline', async () => {
    // Prepare
    const { deps, sink } = sweepOf([expired('pr-1'), expired('pr-2')], {
      budgetMs: 0,
      run: { runId: RUN_ID, trigger: 'schedule', dryRun: true },
    });
    // Act
    const summary = await runSweep(deps);
    // Assess
    expect(sink.events('gateway.would_delete')).toHaveLength(2);
    expect(summary.status).toBe('completed');
  });

  it('starts no further DELETE once one is refused with an error that stops the run', async () => {
    // Prepare
    const forbidden = anApiError('API_FORBIDDEN', 403);
    const gateways = [expired('pr-1'), expired('pr-2'), expired('pr-3')];
    const { api, deps, sink } = sweepOf(gateways, { concurrency: 1 });
    api.failNext(`DELETE ${gateways[0]?.id}`, forbidden);
    // Act
    const run = runSweep(deps);
    // Assess
    await expect(run).rejects.toBe(forbidden);
    expect(api.calls.filter((call) => call.startsWith('DELETE'))).toHaveLength(1);
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

describe('runSweep', () => {
  it('deletes every expired gateway, keeps the rest, and records one outcome each', async () => {
    // Prepare
    const { api, sink, deps } = sweepOf([
      expired('pr-1'),
      young('pr-2'),
      expired('prod-3'),
      expired('pr-4'),
    ]);
    // Act
    const summary = await runSweep(deps);
    // Assess
    expect(api.names()).toEqual(['pr-2', 'prod-3']);
    expect(sink.events('gateway.deleted').map((r) => [r.gatewayName, r.ruleId, r.reason])).toEqual(
      expect.arrayContaining([
        ['pr-1', 'pr-previews', 'expired'],
        ['pr-4', 'pr-previews', 'expired'],
      ]),
    );
    expect(sink.events('gateway.deleted')[0]?.finalState?.status.status).toBe('STATUS_DELETING');
    expect(sink.events('run.summary')[0]).toMatchObject({
      reason: 'completed',
      counts: { listed: 4, expired: 2, 'gateway.deleted': 2 },
    });
    expect(summary.kept).toEqual({ too_young: 1, protected: 1 });
  });

  it('in a dry run records what it would delete and sends no DELETE, even past the deadline', async () => {
    // Prepare
    const { api, sink, deps } = sweepOf([expired('pr-1'), young('pr-2')], {
      run: { runId: 'run-1', trigger: 'direct', dryRun: true },
      budgetMs: 0,
    });
    // Act
    const summary = await runSweep(deps);
    // Assess
    expect(api.calls).toEqual(['LIST', 'LIST DEPLOYMENTS']);
    expect(sink.events('gateway.would_delete').map((r) => r.gatewayName)).toEqual(['pr-1']);
    expect(sink.records.every((r) => r.dryRun && r.trigger === 'direct')).toBe(true);
    expect(summary.status).toBe('completed');
  });

  it('records a gateway someone else deleted first as already gone', async () => {
    // Prepare
    const gateway = expired('pr-1');
    const { api, sink, deps } = sweepOf([gateway]);
    api.goneAfterListing(gateway.id);
    // Act
    await runSweep(deps);
    // Assess
    expect(sink.events('gateway.already_gone')).toMatchObject([
      { gatewayId: gateway.id, reason: 'expired', http: { status: 404 } },
    ]);
  });

  it('records a failed deletion with its error code and goes on with the others', async () => {
    // Prepare
    const failing = expired('pr-1');
    const { api, sink, deps } = sweepOf([failing, expired('pr-2')]);
    api.failNext(`DELETE ${failing.id}`, anApiError('API_TRANSIENT', 503));
    // Act
    const summary = await runSweep(deps);
    // Assess
    expect(sink.events('gateway.delete_failed')).toMatchObject([
      { gatewayId: failing.id, error: { code: 'API_TRANSIENT' }, http: { status: 503 } },
    ]);
    expect(summary.counts).toEqual({ 'gateway.delete_failed': 1, 'gateway.deleted': 1 });
    expect(summary.status).toBe('completed');
  });

  it('deletes nothing over the blast radius and says so in run.aborted', async () => {
    // Prepare
    const { api, sink, deps } = sweepOf(['pr-1', 'pr-2', 'pr-3', 'pr-4'].map(expired));
    // Act
    const summary = await runSweep(deps);
    // Assess
    expect(api.calls).toEqual(['LIST', 'LIST DEPLOYMENTS']);
    expect(summary.status).toBe('aborted');
    expect(sink.events('run.aborted')).toMatchObject([
      {
        reason: 'blast_radius',
        counts: { expired: 4, listed: 4, maxDeletesPerRun: 3, maxDeletePercent: 100 },
      },
    ]);
  });

  it('starts no deletion once the deadline is reached and records run.truncated', async () => {
    // Prepare
    const { api, sink, deps } = sweepOf([expired('pr-1'), expired('pr-2')], { budgetMs: 0 });
    // Act
    const summary = await runSweep(deps);
    // Assess
    expect(api.calls).toEqual(['LIST', 'LIST DEPLOYMENTS']);
    expect(sink.events('gateway.skipped').map((r) => r.reason)).toEqual(['deadline', 'deadline']);
    expect(sink.events('run.truncated')).toMatchObject([
      { reason: 'deadline', counts: { notStarted: 2, expired: 2 } },
    ]);
    expect(summary.status).toBe('truncated');
  });

  it('fails the run when the gateways cannot be listed, writing nothing', async () => {
    // Prepare
    const { api, sink, deps } = sweepOf([expired('pr-1')]);
    api.failNext('LIST', anApiError('API_NOT_FOUND', 404, 'GET'));
    // Act
    const run = runSweep(deps);
    // Assess
    await expect(run).rejects.toMatchObject({ code: 'API_NOT_FOUND' });
    expect(sink.records).toEqual([]);
  });
});
