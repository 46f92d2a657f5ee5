export type { SweepDeps } from './act.ts';

import type { RunContext } from '../audit/record.ts';
import { createRunRecorder } from '../audit/recorder.ts';
import type { EventCounts, RunStatus } from '../audit/vocabulary.ts';
import {
  type ConfirmableDeletion,
  collectConfirmations,
  DEFAULT_CONFIRM_WITHIN_MS,
  reportStuckDeletions,
  reportStuckDeployments,
} from '../confirmation/confirmation.ts';
import { ValidationError } from '../errors.ts';
import type { VerdictReason } from '../policy/evaluate-gateway.ts';
import {
  type BudgetReport,
  type Gate,
  gateState,
  openBudgetOf,
  type RunControl,
  readGate,
} from '../registry/control.ts';
import { abortForRegistry, endLeases, readRegistry } from '../registry/leases.ts';
import { countExpiring, holdForNotice, type NoticeDeps } from '../registry/owner-notice.ts';
import type { RegistrySnapshot } from '../registry-port.ts';
import { abort, execute, held, holdAll, type SweepDeps } from './act.ts';
import {
  type CleanupPlan,
  heldByDeployments,
  holdForDeployments,
  listFleet,
  planCleanup,
} from './plan.ts';

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
  const deleted = new Set<string>();
  const recorder = createRunRecorder({
    sink,
    clock,
    context: run,
    onOutcome: (outcome) => {
      if (outcome.event === 'gateway.deleted' || outcome.event === 'gateway.already_gone')
        deleted.add(outcome.gatewayId.toLowerCase());
      deps.onOutcome?.(outcome);
    },
  });
  // The pause is read first: nothing else this run does may delete past it.
  const gate = await readGate({
    registry: deps.registry,
    windows: deps.policy.windows,
    now: clock.now(),
  });
  const registry = await readRegistry(deps.registry);
  if (registry.state === 'unavailable')
    abortForRegistry(registry.error, recorder, clock.now() - started);
  const snapshot = registry.state === 'on' ? registry.snapshot : undefined;
  // The scan already holds the budget's slots: the budget starts from them.
  const control: RunControl = { gate, budget: openBudgetOf(deps, snapshot?.budget) };
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
  const leaseWritesFailed = await endLeases({
    ...deps,
    snapshot,
    listed: plan.entries,
    deleted,
    trusted: acted.status !== 'aborted',
    recorder,
  });

  const durationMs = clock.now() - started;
  const counts = recorder.counts();
  const budget = await control.budget.report();
  recorder.write({
    event: 'run.summary',
    reason: acted.status,
    counts: {
      listed: plan.entries.length,
      expired: plan.expired.length,
      ...counts,
      ...(leaseWritesFailed > 0 ? { leaseWritesFailed } : {}),
    },
    durationMs,
    gate: gateState(control.gate),
    ...(budget ? { budget } : {}),
    // Read as none, as the provider does, but visible: a wrong URL looks just like this.
    ...(deploymentListNotFound ? { deploymentList: 'not_found' as const } : {}),
    registry: plan.registry,
  });
  await recordLastSweep(deps, { status: acted.status, counts, gate: control.gate });
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

/** Why a sweep that ended as `status` deleted less than it could, for its last-run record. */
const STOPPED_BECAUSE: Partial<Record<RunStatus, string>> = {
  aborted: 'blast_radius',
  truncated: 'deadline',
  stopped: 'run_stopped',
};

/**
 * Writes the sweep's last-run record, live or dry, for `gateway-janitor status`
 * (docs/contract.md "The registry"). A record that cannot be written fails nothing: the run
 * itself is in the audit log, and status then shows the run before it.
 */
async function recordLastSweep(
  deps: SweepDeps,
  ended: { status: RunStatus; counts: EventCounts; gate: Gate },
): Promise<void> {
  const { registry, run, clock } = deps;
  if (!registry) return;
  const { status, counts, gate } = ended;
  const reason = STOPPED_BECAUSE[status] ?? (gate.open ? undefined : gate.reason);
  await registry
    .recordLastRun({
      kind: 'sweep',
      runId: run.runId,
      trigger: run.trigger,
      dryRun: run.dryRun,
      at: clock.now(),
      outcome: status,
      deleted: counts[run.dryRun ? 'gateway.would_delete' : 'gateway.deleted'] ?? 0,
      failed: counts['gateway.delete_failed'] ?? 0,
      ...(reason ? { reason } : {}),
    })
    .catch(() => false);
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

function keptReasons(plan: CleanupPlan): SweepSummary['kept'] {
  const kept: SweepSummary['kept'] = {};
  for (const { verdict } of plan.entries) {
    if (verdict.action === 'keep') kept[verdict.reason] = (kept[verdict.reason] ?? 0) + 1;
  }
  return kept;
}

/** What a sweep event asks for: who triggered it and whether it insists on a dry run. */
export interface SweepRequest {
  trigger: 'schedule' | 'direct';
  dryRun?: boolean;
}

/**
 * Reads a sweep's event: an EventBridge "Scheduled Event", an EventBridge Scheduler
 * input such as `{}` or `{"dryRun": true}`, or a direct invoke. Any JSON object starts a
 * sweep; unknown fields (envelope fields) are ignored, but a recognised field with a
 * wrong type, or an event that is not an object, is rejected (docs/contract.md "Triggers").
 */
export function parseSweepEvent(event: unknown): SweepRequest {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new ValidationError(
      'EVENT_INVALID',
      'event',
      `expected a JSON object, got ${describe(event)}`,
    );
  }
  const fields = event as Record<string, unknown>;
  const request: SweepRequest = {
    trigger: fields['detail-type'] === 'Scheduled Event' ? 'schedule' : 'direct',
  };
  if ('dryRun' in fields && fields.dryRun !== undefined) {
    if (typeof fields.dryRun !== 'boolean') {
      throw new ValidationError(
        'EVENT_INVALID',
        'event.dryRun',
        `expected true or false, got ${describe(fields.dryRun)}`,
      );
    }
    request.dryRun = fields.dryRun;
  }
  return request;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
