import {
  type GatewayOutcome,
  type RecordFields,
  type RunContext,
  toDeploymentFinalState,
} from '../audit/record.ts';
import { type HttpSummary, JanitorError } from '../errors.ts';
import type { Deployment, Gateway } from '../model.ts';
import type { Clock, ConfirmationQueue, Deadline, GatewayApi } from '../ports.ts';
import { isoNow, parseRfc3339 } from '../time.ts';
import type { ConfirmationMessage } from './confirmation-message.ts';

/** DELETE_CONFIRM_AFTER and DELETE_CONFIRM_WITHIN when nothing else is configured. */
export const DEFAULT_CONFIRM_AFTER_MS = 5 * 60_000;
export const DEFAULT_CONFIRM_WITHIN_MS = 60 * 60_000;

/**
 * How a run confirms its deletions (docs/contract.md "Deletion is confirmed, not
 * assumed"): where confirmations go (absent in the CLI, which polls instead), after how
 * long, and how long a deletion may take before it is stuck.
 */
export interface ConfirmSettings {
  queue?: ConfirmationQueue;
  afterMs: number;
  withinMs: number;
}

/** Why a deletion counts as stuck. */
export type StuckReason = 'deleting_too_long' | 'not_deleting';

/**
 * What a GET after a DELETE says about it: gone (confirmed), still deleting within the
 * window (wait and look again), or stuck (docs/contract.md, "Deletion is confirmed, not assumed").
 */
export type ConfirmationDecision =
  | { action: 'confirmed'; reason: 'gone' | 'id_reused'; secondsToGone: number }
  | { action: 'wait'; waitedMs: number }
  | { action: 'stuck'; reason: StuckReason; waitedMs: number };

/** How much later than `deletedAt` a live gateway must be created to count as "id reused". */
export const ID_REUSE_MARGIN_MS = 60_000;

/** Decides one confirmation from the live gateway (undefined: GET answered 404). */
export function decideConfirmation(
  live: Gateway | undefined,
  deletedAtMs: number,
  nowMs: number,
  confirmWithinMs: number,
): ConfirmationDecision {
  const waitedMs = Math.max(0, nowMs - deletedAtMs);
  // The 404 is seen now, so this is an upper bound of the time the deletion took.
  const secondsToGone = Math.round(waitedMs / 1000);
  if (live === undefined) return { action: 'confirmed', reason: 'gone', secondsToGone };
  // A gateway created well after our DELETE answered is another gateway under a reused id:
  // the one we deleted is gone. Within a minute, clock skew between the janitor and the API
  // could make the deleted gateway itself look newer, so that proves nothing.
  const createdAt = parseRfc3339(live.createdAt);
  if (createdAt !== undefined && createdAt > deletedAtMs + ID_REUSE_MARGIN_MS) {
    return { action: 'confirmed', reason: 'id_reused', secondsToGone };
  }
  if (live.status !== 'STATUS_DELETING')
    return { action: 'stuck', reason: 'not_deleting', waitedMs };
  if (waitedMs < confirmWithinMs) return { action: 'wait', waitedMs };
  return { action: 'stuck', reason: 'deleting_too_long', waitedMs };
}

/**
 * The sweep's own check on a listed gateway or deployment: STATUS_DELETING since longer than the window
 * (by `updatedAt`) is stuck, so a lost confirmation cannot hide it. A missing or unreadable
 * `updatedAt` proves nothing either way, and is not reported.
 */
export function isStuckDeleting(
  item: Pick<Gateway, 'status' | 'updatedAt'>,
  nowMs: number,
  confirmWithinMs: number,
): boolean {
  if (item.status !== 'STATUS_DELETING') return false;
  const updatedAt = parseRfc3339(item.updatedAt);
  return updatedAt !== undefined && nowMs - updatedAt >= confirmWithinMs;
}

/** A DELETE that answered 200: the gateway and when the answer came. */
export interface ConfirmableDeletion {
  gatewayId: string;
  gateway?: Pick<Gateway, 'name' | 'organizationId'>;
  /** the rule that expired it, for the record of its confirmation */
  ruleId?: string;
  /** RFC 3339 */
  deletedAt: string;
}

/** A deletion whose confirmation could not be scheduled, and why (code QUEUE_SEND_FAILED). */
export interface UnscheduledDeletion {
  deletion: ConfirmableDeletion;
  error: { code: 'QUEUE_SEND_FAILED'; message: string };
}

/** What scheduling needs: the queue, the delay, the run, and the time left. */
export interface ScheduleDeps {
  queue: ConfirmationQueue;
  delayMs: number;
  runId: string;
  deadline: { budgetMs(): number };
}

/**
 * Schedules one delayed confirmation per deletion and returns those that could not be
 * sent. Never throws: a confirmation that cannot be scheduled is recorded, and never
 * turns the deletion into a failure (docs/contract.md, "Deletion is confirmed, not assumed").
 */
export async function scheduleConfirmations(
  deletions: readonly ConfirmableDeletion[],
  deps: ScheduleDeps,
): Promise<UnscheduledDeletion[]> {
  if (deletions.length === 0) return [];
  const byId = new Map(deletions.map((deletion) => [deletion.gatewayId, deletion]));
  const confirmations = deletions.map((d) => ({
    gatewayId: d.gatewayId,
    deletedAt: d.deletedAt,
    runId: deps.runId,
  }));
  const delaySeconds = Math.ceil(deps.delayMs / 1000);
  try {
    const { failed } = await deps.queue.schedule(confirmations, delaySeconds, deps.deadline);
    return failed.map((failure) => ({
      deletion: byId.get(failure.confirmation.gatewayId) as ConfirmableDeletion,
      error: {
        code: 'QUEUE_SEND_FAILED',
        message: `${failure.code}: ${failure.message} (${failure.attempts} attempt${failure.attempts === 1 ? '' : 's'})`,
      },
    }));
  } catch (error) {
    const message = error instanceof Error ? error.name : 'unknown error';
    return deletions.map((deletion) => ({
      deletion,
      error: { code: 'QUEUE_SEND_FAILED', message },
    }));
  }
}

/** A listed gateway and the reason of the plan's verdict on it. */
export interface StuckCandidate {
  gateway: Gateway;
  verdict: { reason?: string };
}

/**
 * The sweep's own check (docs/contract.md "Deletion is confirmed, not assumed"): every
 * listed gateway STATUS_DELETING for at least the window is stuck, whoever deleted it, so
 * a lost confirmation cannot hide it. Nothing is sent to it. Entries without a trustworthy
 * identity are left out: their record could name the wrong gateway.
 */
export function reportStuckDeletions(
  entries: readonly StuckCandidate[],
  nowMs: number,
  withinMs: number,
): GatewayOutcome[] {
  return entries
    .filter(({ gateway, verdict }) => {
      const trusted = verdict.reason !== 'unknown_identity' && verdict.reason !== 'duplicate_id';
      return trusted && isStuckDeleting(gateway, nowMs, withinMs);
    })
    .map(({ gateway }) => ({
      event: 'gateway.delete_stuck',
      gatewayId: gateway.id,
      gateway,
      reason: 'deleting_too_long',
      finalState: gateway,
    }));
}

/**
 * The same check on the listed deployments: one STATUS_DELETING for at least the window is
 * `deployment.delete_stuck`, as a gateway would be, since it may still be billed. A
 * deployment without an id or a name is left out: its record could not say which it is.
 */
export function reportStuckDeployments(
  deployments: readonly Deployment[],
  nowMs: number,
  withinMs: number,
): RecordFields[] {
  return deployments
    .filter((deployment) => deployment.id !== '' && deployment.name !== '')
    .filter((deployment) => isStuckDeleting(deployment, nowMs, withinMs))
    .map((deployment) => ({
      event: 'deployment.delete_stuck',
      reason: 'deleting_too_long',
      deploymentId: deployment.id,
      deploymentName: deployment.name,
      gatewayIds: [...deployment.gatewayIds],
      finalState: toDeploymentFinalState(deployment),
    }));
}

/** What serving a confirmation needs; `defer` re-sends the message body, delayed. */
export interface ConfirmationDeps {
  api: Pick<GatewayApi, 'get'>;
  clock: Clock;
  deadline: Deadline;
  confirmAfterMs: number;
  confirmWithinMs: number;
  defer(body: string, delaySeconds: number): Promise<void>;
}

/** How one confirmation ended. */
export type ServedConfirmation =
  | {
      kind: 'confirmed';
      reason: 'gone' | 'id_reused';
      secondsToGone: number;
      http: HttpSummary;
    }
  | { kind: 'deferred'; reason: 'confirm_pending'; dueAt: string; live: Gateway; http: HttpSummary }
  | { kind: 'stuck'; reason: StuckReason; live: Gateway; http: HttpSummary }
  | { kind: 'mismatch'; http: HttpSummary };

/**
 * Serves one confirmation: a GET, never a DELETE. A GET that describes another id is a
 * mismatch, never a confirmation. Gone is confirmed; still deleting
 * within the window is sent again with the same delay (not handed back, so the wait
 * does not count towards the redrive); anything else is stuck. A failed GET throws, for
 * the batch to hand the message back.
 */
export async function serveConfirmation(
  confirmation: ConfirmationMessage,
  body: string,
  deps: ConfirmationDeps,
): Promise<ServedConfirmation> {
  const { gateway: live, http } = await deps.api.get(confirmation.gatewayId, deps.deadline);
  // A GET that describes another id says nothing about this deletion: never confirmed by it.
  if (live && live.id.toLowerCase() !== confirmation.gatewayId.toLowerCase())
    return { kind: 'mismatch', http };
  const now = deps.clock.now();
  const decision = decideConfirmation(live, confirmation.deletedAtMs, now, deps.confirmWithinMs);
  if (decision.action === 'confirmed') {
    return {
      kind: 'confirmed',
      reason: decision.reason,
      secondsToGone: decision.secondsToGone,
      http,
    };
  }
  const gateway = live as Gateway;
  if (decision.action === 'stuck')
    return { kind: 'stuck', reason: decision.reason, live: gateway, http };
  const delaySeconds = Math.ceil(deps.confirmAfterMs / 1000);
  await deps.defer(body, delaySeconds);
  return {
    kind: 'deferred',
    reason: 'confirm_pending',
    dueAt: new Date(now + delaySeconds * 1000).toISOString(),
    live: gateway,
    http,
  };
}

/** What collecting a run's deletions for confirmation needs. */
export interface CollectorDeps {
  /** where confirmations go; absent (the CLI), deletions are only collected */
  confirm?: ConfirmSettings;
  run: RunContext;
  clock: Clock;
  deadline: Deadline;
}

/**
 * The one collector of a run's deletions (docs/contract.md "Deletion is confirmed, not
 * assumed"): each `gateway.deleted` outcome is noted with the time its DELETE answered,
 * and `flush` sends one delayed confirmation per deletion as a batch. A confirmation that
 * cannot be sent comes back as `gateway.unconfirmed`; the deletion stays `gateway.deleted`.
 */
export interface ConfirmationCollector {
  /** Notes an outcome; only a live `gateway.deleted` is a deletion to confirm. */
  note(outcome: GatewayOutcome): void;
  /** The deletions noted so far (what the CLI's `--wait` polls). */
  deletions(): readonly ConfirmableDeletion[];
  /** Schedules the noted deletions' confirmations; the outcomes of those that could not be. */
  flush(): Promise<GatewayOutcome[]>;
}

/** Collects the deletions of one run, for the sweep, the teardown and the CLI alike. */
export function collectConfirmations(deps: CollectorDeps): ConfirmationCollector {
  const noted: ConfirmableDeletion[] = [];
  let sent = 0;
  return {
    note(outcome) {
      if (outcome.event !== 'gateway.deleted' || deps.run.dryRun) return;
      const { gatewayId, gateway, ruleId } = outcome;
      const deletion: ConfirmableDeletion = { gatewayId, gateway, deletedAt: isoNow(deps.clock) };
      if (ruleId) deletion.ruleId = ruleId;
      noted.push(deletion);
    },
    deletions: () => [...noted],
    async flush() {
      const queue = deps.confirm?.queue;
      const pending = noted.slice(sent);
      sent = noted.length;
      if (!queue) return [];
      const unscheduled = await scheduleConfirmations(pending, {
        queue,
        delayMs: deps.confirm?.afterMs ?? DEFAULT_CONFIRM_AFTER_MS,
        runId: deps.run.runId,
        deadline: deps.deadline,
      });
      return unscheduled.map(unconfirmed);
    },
  };
}

/** The record of a deletion whose confirmation could not be scheduled. */
function unconfirmed(failure: {
  deletion: ConfirmableDeletion;
  error: { code: string; message: string };
}): GatewayOutcome {
  const { deletion } = failure;
  const error = new JanitorError('QUEUE_SEND_FAILED', failure.error.message);
  return {
    event: 'gateway.unconfirmed',
    gatewayId: deletion.gatewayId,
    gateway: deletion.gateway,
    reason: 'schedule_failed',
    deletedAt: deletion.deletedAt,
    error,
  };
}

/** How a confirmation ended: gone (or the id reused), or stuck with the gateway as it stands. */
export type ConfirmationEnd =
  | { kind: 'confirmed'; reason: 'gone' | 'id_reused'; secondsToGone: number }
  | { kind: 'stuck'; reason: StuckReason; live: Gateway };

/**
 * The outcome of one confirmation, as the teardown function and the CLI's `--wait` both
 * record it: `gateway.delete_confirmed`, or `gateway.delete_stuck` with the final state.
 */
export function confirmationOutcome(
  end: ConfirmationEnd,
  about: Pick<
    GatewayOutcome,
    'gatewayId' | 'gateway' | 'ruleId' | 'sqsMessageId' | 'deletedAt' | 'deletionRunId' | 'http'
  >,
): GatewayOutcome {
  if (end.kind === 'confirmed') {
    const { reason, secondsToGone } = end;
    return { event: 'gateway.delete_confirmed', ...about, reason, secondsToGone };
  }
  const { reason, live } = end;
  const gateway = about.gateway ?? live;
  return { event: 'gateway.delete_stuck', ...about, gateway, reason, finalState: live };
}
