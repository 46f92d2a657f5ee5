import type { RunContext } from '../audit/audit-record.ts';
import type { EventCounts, RunStatus, StopReason } from '../audit/audit-vocabulary.ts';
import type { GatewayOutcome } from '../audit/outcome.ts';
import { createRunRecorder, type RunRecorder } from '../audit/run-recorder.ts';
import { ApiError } from '../common/errors.ts';
import { mapBounded } from '../common/map-bounded.ts';
import type { RunDeps } from '../common/ports.ts';
import {
  type ConfirmSettings,
  DEFAULT_CONFIRM_AFTER_MS,
  DEFAULT_CONFIRM_WITHIN_MS,
} from '../confirmation/confirm-settings.ts';
import { withConfirmations } from '../confirmation/confirming-executor.ts';
import {
  reportStuckDeletions,
  reportStuckDeployments,
} from '../confirmation/report-stuck-deletions.ts';
import {
  type CascadeResults,
  deleteDeploymentsFirst,
} from '../deployments/delete-deployments-first.ts';
import { heldByDeployments, holdForDeployments } from '../deployments/hold-for-deployments.ts';
import { withCascade } from '../deployments/with-cascade.ts';
import type { VerdictReason } from '../policy/evaluate-gateway.ts';
import { createDeletingExecutor } from './deleting-executor.ts';
import { createDryRunExecutor } from './dry-run-executor.ts';
import { listFleet } from './list-fleet.ts';
import { type CleanupPlan, type PlanEntry, planCleanup } from './plan-cleanup.ts';
import { plannedFields, type SweepExecutor } from './sweep-executor.ts';

/** Everything a sweep needs, as ports and plain values. */
export interface SweepDeps extends RunDeps {
  /** Told about each outcome as it happens (the CLI's progress line). */
  onOutcome?: (outcome: GatewayOutcome) => void;
  /** What is done with each expired gateway; by default it is deleted, or in a dry run would be. */
  executor?: SweepExecutor;
  /** How deletions are confirmed; defaults apply when absent, and nothing is scheduled. */
  confirm?: ConfirmSettings;
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
 * Lists once, plans, checks the blast radius, then hands every expired gateway to the
 * executor with bounded concurrency. Every expired gateway ends in exactly one audit
 * record; the run ends with `run.summary`, preceded by `run.aborted` or `run.truncated`
 * when the blast radius or the deadline stopped it. A 401-after-refresh or 403 stops
 * starting new work and is rethrown after the summary is written.
 */
export async function runSweep(deps: SweepDeps): Promise<SweepSummary> {
  const { api, sink, clock, deadline, run } = deps;
  const started = clock.now();
  const recorder = createRunRecorder({ sink, clock, context: run, onOutcome: deps.onOutcome });

  const { gateways, deployments, deploymentListNotFound } = await listFleet(api, deadline);
  const plan = holdForDeployments(
    planCleanup(gateways, deps.policy, clock.now()),
    deployments,
    deps.policy,
  );
  for (const entry of heldByDeployments(plan)) recorder.outcome(held(entry));
  const withinMs = deps.confirm?.withinMs ?? DEFAULT_CONFIRM_WITHIN_MS;
  for (const stuck of reportStuckDeletions(plan.entries, clock.now(), withinMs))
    recorder.outcome(stuck);
  for (const stuck of reportStuckDeployments(deployments, clock.now(), withinMs))
    recorder.write(stuck);
  const executor = deps.executor ?? defaultExecutor(deps);
  const acted = plan.blastRadius.exceeded
    ? abort(plan, recorder)
    : await execute(plan, executor, deps, recorder);

  const durationMs = clock.now() - started;
  const counts = recorder.counts();
  recorder.write({
    event: 'run.summary',
    reason: acted.status,
    counts: { listed: plan.entries.length, expired: plan.expired.length, ...counts },
    durationMs,
    // Read as none, as the provider does, but visible: a wrong URL looks just like this.
    ...(deploymentListNotFound ? { deploymentList: 'not_found' as const } : {}),
  });
  if (acted.stopError) throw acted.stopError;
  return {
    runId: run.runId,
    trigger: run.trigger,
    dryRun: run.dryRun,
    status: acted.status,
    listed: plan.entries.length,
    expired: plan.expired.length,
    counts,
    kept: keptReasons(plan),
    durationMs,
    plan,
  };
}

interface Acted {
  status: RunStatus;
  stopError?: ApiError;
}

/** Over the blast radius: nothing is acted on, and each expired gateway says why. */
function abort(plan: CleanupPlan, recorder: RunRecorder): Acted {
  for (const entry of plan.expired) recorder.outcome(skip(entry, 'blast_radius'));
  const { expired, listed, maxDeletesPerRun, maxDeletePercent, deployments } = plan.blastRadius;
  recorder.write({
    event: 'run.aborted',
    reason: 'blast_radius',
    counts: {
      expired,
      listed,
      maxDeletesPerRun,
      maxDeletePercent,
      ...(deployments > 0 ? { deployments } : {}),
    },
  });
  return { status: 'aborted' };
}

/** Hands the expired gateways to the executor until they are done, the run stops or time is up. */
async function execute(
  plan: CleanupPlan,
  executor: SweepExecutor,
  deps: SweepDeps,
  recorder: RunRecorder,
): Promise<Acted> {
  // Deployments go before the gateways they serve; a dry run only names them.
  const cascade: CascadeResults = deps.run.dryRun
    ? { results: new Map() }
    : await deleteDeploymentsFirst(
        plan.deployments.map((planned) => ({ ...planned, reason: 'expired' as const })),
        deps,
        recorder,
      );
  const acting = withCascade(executor, cascade.results);
  let stopError: ApiError | undefined = cascade.stopError;
  let notStarted = 0;
  await mapBounded(
    plan.expired,
    deps.concurrency,
    async (entry) => {
      const outcome = await acting.execute(entry);
      if (outcome.error instanceof ApiError && outcome.error.stopsRun) stopError ??= outcome.error;
      recorder.outcome(outcome);
    },
    () => stopError === undefined && (!executor.spendsBudget || deps.deadline.budgetMs() > 0),
    (entry) => {
      notStarted += 1;
      recorder.outcome(skip(entry, stopError ? 'run_stopped' : 'deadline'));
    },
  );
  await acting.settle?.((outcome) => recorder.outcome(outcome));
  if (stopError) return { status: 'stopped', stopError };
  if (notStarted === 0) return { status: 'completed' };
  recorder.write({
    event: 'run.truncated',
    reason: 'deadline',
    counts: { notStarted, expired: plan.expired.length },
  });
  return { status: 'truncated' };
}

function held(entry: PlanEntry): GatewayOutcome {
  return {
    event: 'gateway.skipped',
    ...plannedFields(entry),
    deployments: entry.verdict.deployments,
  };
}

/** Deletes (scheduling a confirmation of each deletion when a queue is given), or in a dry run would. */
function defaultExecutor(deps: SweepDeps): SweepExecutor {
  const { api, deadline, run, clock } = deps;
  if (run.dryRun) return createDryRunExecutor();
  const deleting = createDeletingExecutor(api, deadline);
  const queue = deps.confirm?.queue;
  if (!queue) return deleting;
  const afterMs = deps.confirm?.afterMs ?? DEFAULT_CONFIRM_AFTER_MS;
  return withConfirmations(deleting, { queue, afterMs, runId: run.runId, clock, deadline });
}

function skip(entry: PlanEntry, reason: StopReason): GatewayOutcome {
  return { event: 'gateway.skipped', ...plannedFields(entry), reason };
}

function keptReasons(plan: CleanupPlan): SweepSummary['kept'] {
  const kept: SweepSummary['kept'] = {};
  for (const { verdict } of plan.entries) {
    if (verdict.action === 'keep') kept[verdict.reason] = (kept[verdict.reason] ?? 0) + 1;
  }
  return kept;
}
