/** The sweep's act step: deletes what the plan expired, or says why it does not. */
import type { GatewayOutcome } from '../audit/record.ts';
import type { RunDeps, RunRecorder } from '../audit/recorder.ts';
import type { ReasonOf, RunStatus } from '../audit/vocabulary.ts';
import {
  type CascadeResults,
  deleteDeploymentsFirst,
  gatewayAfterCascade,
  type HeldReason,
  refusedWhileDeploymentsGo,
} from '../cascade.ts';
import type { ConfirmationCollector, ConfirmSettings } from '../confirmation/confirmation.ts';
import { ApiError } from '../errors.ts';
import { mapBounded } from '../map-bounded.ts';
import { gateOpensAt, type RunBudget, type RunControl } from '../registry/control.ts';
import type { OwnerNoticePublisher } from '../registry/owner-notice.ts';
import type { CleanupPlan, PlanEntry } from './plan.ts';

/** How acting on the plan ended, and the error that stopped the run. */
export interface Acted {
  status: RunStatus;
  stopError?: ApiError;
}

/**
 * Paused, or outside every change window: nothing is deleted, and each gateway that would
 * have been says why, and when it may go (docs/contract.md "Pause, change windows and a
 * rolling budget"). Dry run shows the same.
 */
export function holdAll(plan: CleanupPlan, control: RunControl, recorder: RunRecorder): Acted {
  if (control.gate.open) return { status: 'completed' };
  const opensAt = gateOpensAt(control.gate);
  const dueAt = opensAt === undefined ? {} : { dueAt: new Date(opensAt).toISOString() };
  for (const entry of plan.expired)
    recorder.outcome({ ...skip(entry, control.gate.reason), ...dueAt });
  return { status: 'completed' };
}

/** Over the blast radius: nothing is acted on, and each expired gateway says why. */
export function abort(plan: CleanupPlan, recorder: RunRecorder): Acted {
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

/**
 * Deletes the expired gateways (or in a dry run records that it would) until they are
 * done, the run stops or time is up: deployments a cascade takes go first, and each
 * deletion is noted for confirmation.
 */
export async function execute(
  plan: CleanupPlan,
  deps: SweepDeps,
  recorder: RunRecorder,
  confirmations: ConfirmationCollector,
  budget: RunBudget,
): Promise<Acted> {
  // Deployments go before the gateways they serve; a dry run only names them.
  const cascade: CascadeResults = deps.run.dryRun
    ? { results: new Map(), records: [] }
    : await deleteDeploymentsFirst(
        plan.deployments.map((planned) => ({ ...planned, reason: 'expired' as const })),
        { ...deps, take: budget.take },
      );
  for (const record of cascade.records) recorder.write(record);
  let stopError: ApiError | undefined = cascade.stopError;
  let notStarted = 0;
  await mapBounded(
    plan.expired,
    deps.concurrency,
    async (entry) => {
      const outcome = await deleteExpired(entry, cascade.results, deps, budget);
      if (outcome.error instanceof ApiError && outcome.error.stopsRun) stopError ??= outcome.error;
      recorder.outcome(outcome);
      confirmations.note(outcome);
    },
    // A dry run makes no API calls, so the deadline does not stop it.
    () => stopError === undefined && (deps.run.dryRun || deps.deadline.budgetMs() > 0),
    (entry) => {
      notStarted += 1;
      recorder.outcome(skip(entry, stopError ? 'run_stopped' : 'deadline'));
    },
  );
  for (const outcome of await confirmations.flush()) recorder.outcome(outcome);
  if (stopError) return { status: 'stopped', stopError };
  if (notStarted === 0) return { status: 'completed' };
  recorder.write({
    event: 'run.truncated',
    reason: 'deadline',
    counts: { notStarted, expired: plan.expired.length },
  });
  return { status: 'truncated' };
}

/**
 * Acts on one expired gateway; a failure is returned as an outcome with its `error`, never
 * thrown. A gateway deployments served goes only once every one of them is gone or going,
 * and a DELETE the API refuses because they are still deleting is a skip for this run
 * (`deployments_deleting`), not a failure; its record names those deployments.
 */
export async function deleteExpired(
  entry: PlanEntry,
  cascaded: CascadeResults['results'],
  deps: SweepDeps,
  budget: RunBudget,
): Promise<GatewayOutcome> {
  // The plan marks a gateway for deletion only as expired, by a rule or by its lease.
  const reason = entry.verdict.reason as 'expired' | 'lease_expired';
  const planned = { ...plannedFields(entry), reason };
  const deployments = entry.verdict.deployments?.length ? entry.verdict.deployments : undefined;
  if (deployments) {
    const after = gatewayAfterCascade({ kind: 'cascade', deployments }, cascaded);
    if (after.action === 'keep')
      return {
        event: 'gateway.skipped',
        ...plannedFields(entry),
        reason: after.reason,
        deployments,
      };
  }
  const named = deployments ? { ...planned, deployments } : planned;
  // One unit of the rolling budget right before the DELETE; a dry run only counts.
  const took = await budget.take();
  if (took !== 'taken') return { event: 'gateway.skipped', ...named, reason: took };
  if (deps.run.dryRun) return { event: 'gateway.would_delete', ...named };
  try {
    const result = await deps.api.delete(entry.gateway.id, deps.deadline);
    // 404 on DELETE: someone else got there first; the gateway is gone either way.
    if (result.kind === 'already_gone')
      return { event: 'gateway.already_gone', ...named, http: result.http };
    return { event: 'gateway.deleted', ...named, http: result.http, finalState: result.gateway };
  } catch (error) {
    const http = error instanceof ApiError ? error.http : undefined;
    if (deployments && refusedWhileDeploymentsGo(error))
      return { event: 'gateway.skipped', ...named, http, reason: 'deployments_deleting' };
    return { event: 'gateway.delete_failed', ...named, http, error };
  }
}

/** The record of an expired gateway its deployments keep. */
export function held(entry: PlanEntry): GatewayOutcome {
  // holdForDeployments keeps a gateway for its deployments only with a HeldReason.
  const reason = entry.verdict.reason as HeldReason;
  return {
    event: 'gateway.skipped',
    ...plannedFields(entry),
    reason,
    deployments: entry.verdict.deployments,
  };
}

/** The record of an expired gateway this run does not act on, and why. */
export function skip(entry: PlanEntry, reason: ReasonOf<'gateway.skipped'>): GatewayOutcome {
  return { event: 'gateway.skipped', ...plannedFields(entry), reason };
}

/** The fields every outcome of a planned gateway carries: who it is and which rule decided. */
export function plannedFields(entry: PlanEntry) {
  const { gateway, verdict } = entry;
  return { gatewayId: gateway.id, gateway, ruleId: verdict.ruleId };
}

/** Everything a sweep needs, as ports and plain values. */
export interface SweepDeps extends RunDeps {
  /** Told about each outcome as it happens (the CLI's progress line). */
  onOutcome?: (outcome: GatewayOutcome) => void;
  /** How deletions are confirmed; defaults apply when absent, and nothing is scheduled. */
  confirm?: ConfirmSettings;
  /** Where owners are told before deletion (NOTICE_TOPIC_ARN); absent: notices fail. */
  notices?: OwnerNoticePublisher;
}
