import { describeError, type GatewayOutcome, type RunContext } from '../audit/record.ts';
import { createRunRecorder, type RunDeps, type RunRecorder } from '../audit/recorder.ts';
import type { EventCounts, ReasonOf, RunStatus } from '../audit/vocabulary.ts';
import {
  type CascadeResults,
  deleteDeploymentsFirst,
  gatewayAfterCascade,
  type HeldReason,
  refusedWhileDeploymentsGo,
} from '../cascade.ts';
import {
  type ConfirmableDeletion,
  type ConfirmationCollector,
  type ConfirmSettings,
  collectConfirmations,
  DEFAULT_CONFIRM_WITHIN_MS,
  reportStuckDeletions,
  reportStuckDeployments,
} from '../confirmation/confirmation.ts';
import { ApiError, type RegistryError, ValidationError } from '../errors.ts';
import { mapBounded } from '../map-bounded.ts';
import type { VerdictReason } from '../policy/evaluate-gateway.ts';
import {
  type BudgetReport,
  gateOpensAt,
  gateState,
  openRunControl,
  type RunBudget,
  type RunControl,
} from '../registry/control.ts';
import { readRegistry } from '../registry/leases.ts';
import {
  countExpiring,
  holdForNotice,
  type NoticeDeps,
  type OwnerNoticePublisher,
} from '../registry/owner-notice.ts';
import type { RegistrySnapshot } from '../registry-port.ts';
import {
  type CleanupPlan,
  heldByDeployments,
  holdForDeployments,
  listFleet,
  type PlanEntry,
  planCleanup,
} from './plan.ts';

/** Everything a sweep needs, as ports and plain values. */
export interface SweepDeps extends RunDeps {
  /** Told about each outcome as it happens (the CLI's progress line). */
  onOutcome?: (outcome: GatewayOutcome) => void;
  /** How deletions are confirmed; defaults apply when absent, and nothing is scheduled. */
  confirm?: ConfirmSettings;
  /** Where owners are told before deletion (NOTICE_TOPIC_ARN); absent: notices fail. */
  notices?: OwnerNoticePublisher;
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
  /** the rolling budget after the run; absent without a registry */
  budget?: BudgetReport;
  plan: CleanupPlan;
  /** the run's deletions, as noted for confirmation (what the CLI's `--wait` polls) */
  deletions: readonly ConfirmableDeletion[];
  /** whether a registry's leases and exemptions took part */
  registry: CleanupPlan['registry'];
  /** gateways whose deletion falls within the next 24 hours (the `ExpiringWithin24h` metric) */
  expiringWithin24h: number;
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
  // Notices are recorded in the registry: without one, no notice could ever let a deletion go.
  if (deps.policy.notice && !deps.registry) {
    throw new ValidationError(
      'CONFIG_INVALID',
      'policy.notice',
      'needs the registry (JANITOR_REGISTRY_TABLE, CLI --registry-table)',
    );
  }
  const recorder = createRunRecorder({ sink, clock, context: run, onOutcome: deps.onOutcome });
  // The pause is read first: nothing else this run does may delete past it.
  const control = await openRunControl(deps);

  const registry = await readRegistry(deps.registry);
  if (registry.state === 'unavailable')
    registryUnavailable(registry.error, recorder, clock.now() - started);
  const snapshot = registry.state === 'on' ? registry.snapshot : undefined;
  const { gateways, deployments, deploymentListNotFound } = await listFleet(api, deadline);
  const plan = holdForDeployments(
    planCleanup(gateways, deps.policy, clock.now(), snapshot),
    deployments,
    deps.policy,
  );
  for (const entry of heldByDeployments(plan)) recorder.outcome(held(entry));
  const withinMs = deps.confirm?.withinMs ?? DEFAULT_CONFIRM_WITHIN_MS;
  for (const stuck of reportStuckDeletions(plan.entries, clock.now(), withinMs))
    recorder.outcome(stuck);
  for (const stuck of reportStuckDeployments(deployments, clock.now(), withinMs))
    recorder.write(stuck);
  const confirmations = collectConfirmations(deps);
  const noticeDeps = noticeDepsOf(deps, snapshot);
  // Step 3, the pause and the windows, before step 4, the notice: a closed gate tells no one.
  const noticed =
    !control.gate.open || plan.blastRadius.exceeded
      ? undefined
      : await holdForNotice(plan.entries, noticeDeps, recorder);
  const acted = !control.gate.open
    ? holdAll(plan, control, recorder)
    : noticed
      ? await execute(
          withoutHeld(plan, noticed.mayDelete),
          deps,
          recorder,
          confirmations,
          control.budget,
        )
      : abort(plan, recorder);
  const expiringWithin24h = noticed?.expiringWithin24h ?? countExpiring(plan.entries, noticeDeps);

  const durationMs = clock.now() - started;
  const counts = recorder.counts();
  const budget = await control.budget.report();
  recorder.write({
    event: 'run.summary',
    reason: acted.status,
    counts: { listed: plan.entries.length, expired: plan.expired.length, ...counts },
    durationMs,
    gate: gateState(control.gate),
    ...(budget ? { budget } : {}),
    // Read as none, as the provider does, but visible: a wrong URL looks just like this.
    ...(deploymentListNotFound ? { deploymentList: 'not_found' as const } : {}),
    registry: plan.registry,
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
    ...(budget ? { budget } : {}),
    plan,
    deletions: confirmations.deletions(),
    registry: plan.registry,
    expiringWithin24h,
  };
}

function noticeDepsOf(deps: SweepDeps, snapshot: RegistrySnapshot | undefined): NoticeDeps {
  return {
    policy: deps.policy,
    ...(deps.registry ? { registry: deps.registry } : {}),
    ...(snapshot ? { snapshot } : {}),
    ...(deps.notices ? { notices: deps.notices } : {}),
    dryRun: deps.run.dryRun,
    now: deps.clock.now(),
    mayStart: () => deps.deadline.budgetMs() > 0,
  };
}

/**
 * The plan less what a gate holds back: those gateways, and the deployments a cascade
 * would have deleted before them (a deployment goes only with every gateway it serves).
 */
function withoutHeld(plan: CleanupPlan, mayDelete: (gatewayId: string) => boolean): CleanupPlan {
  const expired = plan.expired.filter((entry) => mayDelete(entry.gateway.id));
  const going = new Set(expired.map((entry) => entry.gateway.id.toLowerCase()));
  const deployments = plan.deployments.filter(({ deployment }) =>
    deployment.gatewayIds.every((id) => going.has(id.toLowerCase())),
  );
  return { ...plan, expired, deployments };
}

/**
 * A registry that cannot be read is never taken for an empty one (docs/contract.md "The
 * registry"): before anything is listed or deleted the run is aborted, says why, and fails,
 * so the aborted-run alarm and the function-error alarm both fire.
 */
function registryUnavailable(
  error: RegistryError,
  recorder: RunRecorder,
  durationMs: number,
): never {
  recorder.write({
    event: 'run.aborted',
    reason: 'registry_unavailable',
    error: describeError(error),
  });
  recorder.write({
    event: 'run.summary',
    reason: 'aborted',
    counts: { listed: 0, expired: 0 },
    durationMs,
    registry: 'on',
  });
  throw error;
}

interface Acted {
  status: RunStatus;
  stopError?: ApiError;
}

/**
 * Paused, or outside every change window: nothing is deleted, and each gateway that would
 * have been says why, and when it may go (docs/contract.md "Pause, change windows and a
 * rolling budget"). Dry run shows the same.
 */
function holdAll(plan: CleanupPlan, control: RunControl, recorder: RunRecorder): Acted {
  if (control.gate.open) return { status: 'completed' };
  const opensAt = gateOpensAt(control.gate);
  const dueAt = opensAt === undefined ? {} : { dueAt: new Date(opensAt).toISOString() };
  for (const entry of plan.expired)
    recorder.outcome({ ...skip(entry, control.gate.reason), ...dueAt });
  return { status: 'completed' };
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

/**
 * Deletes the expired gateways (or in a dry run records that it would) until they are
 * done, the run stops or time is up: deployments a cascade takes go first, and each
 * deletion is noted for confirmation.
 */
async function execute(
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
async function deleteExpired(
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

function held(entry: PlanEntry): GatewayOutcome {
  // holdForDeployments keeps a gateway for its deployments only with a HeldReason.
  const reason = entry.verdict.reason as HeldReason;
  return {
    event: 'gateway.skipped',
    ...plannedFields(entry),
    reason,
    deployments: entry.verdict.deployments,
  };
}

function skip(entry: PlanEntry, reason: ReasonOf<'gateway.skipped'>): GatewayOutcome {
  return { event: 'gateway.skipped', ...plannedFields(entry), reason };
}

function keptReasons(plan: CleanupPlan): SweepSummary['kept'] {
  const kept: SweepSummary['kept'] = {};
  for (const { verdict } of plan.entries) {
    if (verdict.action === 'keep') kept[verdict.reason] = (kept[verdict.reason] ?? 0) + 1;
  }
  return kept;
}

/** The fields every outcome of a planned gateway carries: who it is and which rule decided. */
function plannedFields(entry: PlanEntry) {
  const { gateway, verdict } = entry;
  return { gatewayId: gateway.id, gateway, ruleId: verdict.ruleId };
}
