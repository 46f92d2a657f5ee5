import type { RunContext } from '../audit/audit-record.ts';
import type { EventCounts, RunStatus, StopReason } from '../audit/audit-vocabulary.ts';
import type { GatewayOutcome, RecordFields } from '../audit/outcome.ts';
import { createRunRecorder } from '../audit/run-recorder.ts';
import type { VerdictReason } from '../policy/evaluate-gateway.ts';
import { ApiError } from '../shared/errors.ts';
import { mapBounded } from '../shared/map-bounded.ts';
import type { RunDeps } from '../shared/ports.ts';
import { type CleanupPlan, type PlanEntry, planCleanup } from './plan-cleanup.ts';

/** Everything a sweep needs, as ports and plain values. */
export interface SweepDeps extends RunDeps {
  /** Told about each outcome as it happens (the CLI's progress line). */
  onOutcome?: (outcome: GatewayOutcome) => void;
}

/** The result of a sweep, returned by the Lambda and printed by the CLI. */
export interface SweepSummary {
  runId: string;
  trigger: RunContext['trigger'];
  dryRun: boolean;
  status: RunStatus;
  listed: number;
  expired: number;
  counts: EventCounts;
  kept: Partial<Record<VerdictReason, number>>;
  durationMs: number;
  plan: CleanupPlan;
}

/**
 * Lists once, plans, then deletes (or, in a dry run, would delete) every expired
 * gateway with bounded concurrency. Every expired gateway ends in exactly one audit
 * record; the run ends with `run.summary`, preceded by `run.aborted` or `run.truncated`
 * when the blast radius or the deadline stopped it. A 401-after-refresh or 403 stops
 * starting new deletions and is rethrown after the summary is written.
 */
export async function runSweep(deps: SweepDeps): Promise<SweepSummary> {
  const { api, sink, clock, deadline, run } = deps;
  const started = clock.now();
  const recorder = createRunRecorder({ sink, clock, context: run, onOutcome: deps.onOutcome });
  const record = (outcome: GatewayOutcome) => recorder.outcome(outcome);
  const emit = (fields: RecordFields) => recorder.write(fields);

  const gateways = await api.list(deadline);
  const plan = planCleanup(gateways, deps.policy, clock.now());
  const kept: SweepSummary['kept'] = {};
  for (const entry of plan.entries) {
    if (entry.verdict.action === 'keep')
      kept[entry.verdict.reason] = (kept[entry.verdict.reason] ?? 0) + 1;
  }
  let status: SweepSummary['status'] = 'completed';
  let stopError: ApiError | undefined;

  if (plan.blastRadius.exceeded) {
    status = 'aborted';
    for (const entry of plan.expired) record(skip(entry, 'blast_radius'));
    emit({ event: 'run.aborted', reason: 'blast_radius', counts: blastCounts(plan) });
  } else {
    let notStarted = 0;
    await mapBounded(
      plan.expired,
      deps.concurrency,
      async (entry) => record(await actOn(entry, deps, (error) => (stopError ??= error))),
      () => stopError === undefined && (run.dryRun || deadline.budgetMs() > 0),
      (entry) => {
        notStarted += 1;
        record(skip(entry, stopError ? 'run_stopped' : 'deadline'));
      },
    );
    if (stopError) status = 'stopped';
    else if (notStarted > 0) {
      status = 'truncated';
      emit({
        event: 'run.truncated',
        reason: 'deadline',
        counts: { notStarted, expired: plan.expired.length },
      });
    }
  }

  const durationMs = clock.now() - started;
  const counts = recorder.counts();
  emit({
    event: 'run.summary',
    reason: status,
    counts: { listed: plan.entries.length, expired: plan.expired.length, ...counts },
    durationMs,
  });
  if (stopError) throw stopError;
  return {
    runId: run.runId,
    trigger: run.trigger,
    dryRun: run.dryRun,
    status,
    listed: plan.entries.length,
    expired: plan.expired.length,
    counts,
    kept,
    durationMs,
    plan,
  };
}

async function actOn(
  entry: PlanEntry,
  deps: SweepDeps,
  onStop: (error: ApiError) => void,
): Promise<GatewayOutcome> {
  const { gateway, verdict } = entry;
  const base = { gatewayId: gateway.id, gateway, ruleId: verdict.ruleId, reason: verdict.reason };
  if (deps.run.dryRun) return { event: 'gateway.would_delete', ...base };
  try {
    const result = await deps.api.delete(gateway.id, deps.deadline);
    // 404 on DELETE: someone else got there first; the gateway is gone either way.
    if (result.kind === 'already_gone')
      return { event: 'gateway.already_gone', ...base, http: result.http };
    return { event: 'gateway.deleted', ...base, http: result.http, finalState: result.gateway };
  } catch (error) {
    if (error instanceof ApiError && error.stopsRun) onStop(error);
    const http = error instanceof ApiError ? error.http : undefined;
    return { event: 'gateway.delete_failed', ...base, http, error };
  }
}

function skip(entry: PlanEntry, reason: StopReason): GatewayOutcome {
  return {
    event: 'gateway.skipped',
    gatewayId: entry.gateway.id,
    gateway: entry.gateway,
    ruleId: entry.verdict.ruleId,
    reason,
  };
}

function blastCounts(plan: CleanupPlan): Record<string, number> {
  const { expired, listed, maxDeletesPerRun, maxDeletePercent } = plan.blastRadius;
  return { expired, listed, maxDeletesPerRun, maxDeletePercent };
}
