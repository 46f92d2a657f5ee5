import type { VerdictReason } from '../policy/evaluate-gateway.ts';

/** What happened to one gateway: each gateway of a run ends in exactly one of these. */
export type GatewayEvent =
  | 'gateway.deleted'
  | 'gateway.would_delete'
  | 'gateway.already_gone'
  | 'gateway.delete_failed'
  | 'gateway.deferred'
  | 'gateway.skipped'
  | 'gateway.delete_confirmed'
  | 'gateway.delete_stuck'
  | 'gateway.unconfirmed'
  | 'gateway.noticed';

/**
 * What happened to one deployment deleted before its gateways (docs/contract.md "Never orphan
 * what is serving"), or one seen deleting for too long.
 */
export type DeploymentEvent =
  | 'deployment.deleted'
  | 'deployment.delete_failed'
  | 'deployment.delete_stuck';

/** How a run went: one summary per run, preceded by why it stopped early. */
export type RunEvent = 'run.summary' | 'run.aborted' | 'run.truncated';

/** A change people made to the registry (docs/contract.md "The registry"), or a lease ended. */
export type RegistryEvent =
  | `lease.${'set' | 'extended' | 'released'}`
  | 'gateway.exempted'
  | `control.${'paused' | 'resumed'}`;
/** Why: `operator` (the CLI), `released`, `kept`/`unkept`; the janitor ending a lease. */
export type ChangeReason = 'operator' | 'released' | 'kept' | 'unkept' | LeaseEnd;
type LeaseEnd = 'gateway_deleted' | 'gateway_gone';

/**
 * Every audit event (docs/contract.md "The audit record"): stable forever, because
 * dashboards, alarms and saved queries depend on them; events are only ever added.
 */
export type AuditEvent =
  | GatewayEvent
  | DeploymentEvent
  | 'request.rejected'
  | RunEvent
  | RegistryEvent;

/** Why a teardown request ended the way it did. */
export type RequestReason =
  | 'requested'
  | 'not_found'
  | 'stale_request'
  | 'not_allowed'
  | 'not_due'
  | 'dry_run'
  | 'has_deployments';

/**
 * Why a request was rejected before anything was looked up: malformed, due too far ahead,
 * not proven to come from the teardown queue, or carrying a field only the janitor may
 * write (docs/contract.md "Only the queue feeds the teardown").
 */
export type RejectReason =
  | 'invalid_request'
  | 'expires_too_far'
  | 'not_from_queue'
  | 'forged_field';

/** Why something meant to be deleted was not (yet): the run stopped, or the API refused. */
export type StopReason =
  | 'blast_radius'
  | 'deadline'
  | 'run_stopped'
  | 'transient'
  | 'permanent'
  | 'deployments_deleting'
  | 'run_limit'
  | 'registry_unavailable';

/**
 * Why nothing was deleted although the decision was to delete (docs/contract.md "Pause,
 * change windows and a rolling budget"): the janitor is paused, no change window is open,
 * or the rolling budget is spent (a registry that cannot count it is `registry_unavailable`).
 */
export type ControlReason = 'paused' | 'outside_window' | 'daily_limit';

/**
 * How a deletion's confirmation ended (docs/contract.md "Deletion is confirmed, not
 * assumed"): gone, still pending, stuck, or never scheduled.
 */
export type ConfirmationReason =
  | 'gone'
  | 'id_reused'
  | 'confirm_pending'
  | 'deleting_too_long'
  | 'not_deleting'
  | 'schedule_failed';

/**
 * Why a deletion waits for its owner to be told (docs/contract.md "Notice before
 * deletion"): told, and `deleteAfter` has not come (`notice_pending`), or the notice could
 * not be published or recorded (`notice_failed`).
 */
export type NoticeReason = 'notice_pending' | 'notice_failed';

/** How a run ended: the `reason` of `run.summary`. */
export type RunStatus = 'completed' | 'aborted' | 'truncated' | 'stopped';

/** Every audit `reason`; like events, reasons are only ever added. */
export type AuditReason =
  | VerdictReason
  | RequestReason
  | RejectReason
  | StopReason
  | ControlReason
  | RunStatus
  | ConfirmationReason
  | NoticeReason
  | ChangeReason;

/** How many records of each event a run wrote. */
export type EventCounts = Partial<Record<AuditEvent, number>>;

/** What a run's notice makes of an event: a deletion, a cascade, a failure, how the run ended. */
export type NoticeRole = 'deleted' | 'cascade' | 'failed' | { end: string };

/** Everything the janitor's readers need to know about one event. */
export interface EventFacts {
  /** the log level of its line: failures stand out at warn, a stuck deletion is an error */
  level: 'info' | 'warn' | 'error';
  /** the CLI's word for it on an outcome line; run events have none */
  label?: string;
  /** the CLI's words for its count in a summary */
  countLabel?: string;
  /** counted as an outcome in `run.summary`'s counts (run events describe the run itself) */
  counted: boolean;
  /** what the run notice makes of it; absent, people need not hear about it */
  notice?: NoticeRole;
  /** the only reasons a record of this event may carry */
  reasons: readonly AuditReason[];
  /** the column that counts it in the audit views (`audit --view runs`, `summary`) */
  column?: string;
}

const HELD = ['has_deployments', 'protected', 'unknown_identity'] as const;
const CASCADED = ['expired', 'lease_expired', 'requested'] as const;
const BY_HAND = ['operator'] as const;
const RELEASED = ['released', 'gateway_deleted', 'gateway_gone'] as const;
const KEPT = ['kept', 'unkept'] as const;
// The gate and the rolling budget keep a gateway (sweep) or defer a request (teardown).
const CONTROLLED = ['paused', 'outside_window', 'daily_limit', 'registry_unavailable'] as const;

/**
 * The one table of events (docs/audit.md): level, labels, counting, notice and the reasons
 * each may carry. The logger sink, the run notice, the CLI and the audit views all read it.
 * In the order the CLI lists counts.
 */
export const EVENTS = {
  'deployment.deleted': {
    level: 'info',
    label: 'deleted deployment',
    countLabel: 'deployments deleted',
    column: 'deploymentsDeleted',
    counted: true,
    notice: 'cascade',
    reasons: CASCADED,
  },
  'deployment.delete_failed': {
    level: 'warn',
    label: 'FAILED deployment',
    countLabel: 'deployment delete failed',
    column: 'deploymentsFailed',
    counted: true,
    notice: 'failed',
    reasons: CASCADED,
  },
  'deployment.delete_stuck': {
    level: 'error',
    label: 'STUCK deployment',
    countLabel: 'deployment delete stuck',
    counted: true,
    notice: 'failed',
    reasons: ['deleting_too_long'],
  },
  'gateway.deleted': {
    level: 'info',
    label: 'deleted',
    countLabel: 'deleted',
    column: 'deleted',
    counted: true,
    notice: 'deleted',
    reasons: ['expired', 'lease_expired', 'requested'],
  },
  'gateway.would_delete': {
    level: 'info',
    label: 'would delete',
    countLabel: 'would delete',
    column: 'wouldDelete',
    counted: true,
    notice: 'deleted',
    reasons: ['expired', 'lease_expired', 'requested'],
  },
  'gateway.already_gone': {
    level: 'info',
    label: 'already gone',
    countLabel: 'already gone or deleting',
    column: 'alreadyGone',
    counted: true,
    reasons: ['expired', 'lease_expired', 'not_found', 'already_deleting'],
  },
  'gateway.delete_failed': {
    level: 'warn',
    label: 'FAILED',
    countLabel: 'delete failed',
    column: 'failed',
    counted: true,
    notice: 'failed',
    reasons: ['expired', 'lease_expired', 'permanent', 'transient', 'run_stopped'],
  },
  'gateway.delete_confirmed': {
    level: 'info',
    label: 'confirmed',
    countLabel: 'delete confirmed',
    counted: true,
    reasons: ['gone', 'id_reused'],
  },
  'gateway.delete_stuck': {
    level: 'error',
    label: 'STUCK',
    countLabel: 'delete stuck',
    counted: true,
    notice: 'failed',
    reasons: ['deleting_too_long', 'not_deleting'],
  },
  'gateway.unconfirmed': {
    level: 'warn',
    label: 'unconfirmed',
    countLabel: 'unconfirmed',
    counted: true,
    reasons: ['schedule_failed'],
  },
  'gateway.noticed': {
    level: 'info',
    label: 'noticed',
    countLabel: 'noticed',
    counted: true,
    reasons: ['notice_pending'],
  },
  'gateway.skipped': {
    level: 'info',
    label: 'skipped',
    countLabel: 'skipped',
    column: 'skipped',
    counted: true,
    reasons: [
      ...HELD,
      'stale_request',
      'not_allowed',
      'blast_radius',
      'deadline',
      'run_stopped',
      'deployments_deleting',
      'run_limit',
      'notice_pending',
      'notice_failed',
      ...CONTROLLED,
      'exempt',
    ],
  },
  'gateway.deferred': {
    level: 'info',
    label: 'deferred',
    countLabel: 'deferred',
    column: 'deferred',
    counted: true,
    reasons: [
      ...HELD,
      'not_due',
      'dry_run',
      'deployments_deleting',
      'run_limit',
      'confirm_pending',
      ...CONTROLLED,
      'exempt',
    ],
  },
  'request.rejected': {
    level: 'warn',
    label: 'rejected',
    countLabel: 'rejected',
    column: 'rejected',
    counted: true,
    notice: 'failed',
    reasons: ['invalid_request', 'expires_too_far', 'not_from_queue', 'forged_field'],
  },
  'run.summary': {
    level: 'info',
    counted: false,
    reasons: ['completed', 'aborted', 'truncated', 'stopped'],
  },
  'run.aborted': {
    level: 'warn',
    counted: false,
    notice: { end: 'aborted by the blast-radius limits: nothing was deleted' },
    reasons: ['blast_radius', 'registry_unavailable'],
  },
  'run.truncated': {
    level: 'warn',
    counted: false,
    notice: { end: 'ran out of time: the next run continues' },
    reasons: ['deadline'],
  },
  // Registry changes; a run that writes one (the sweep ending a lease) counts it.
  // A future-dated teardown request becomes a lease (`requested`, docs/contract.md "The registry").
  'lease.set': {
    level: 'info',
    label: 'lease set',
    counted: true,
    reasons: [...BY_HAND, 'requested'],
  },
  'lease.extended': { level: 'info', label: 'lease extended', counted: true, reasons: BY_HAND },
  'lease.released': { level: 'info', label: 'lease released', counted: true, reasons: RELEASED },
  'gateway.exempted': { level: 'info', label: 'exempted', counted: true, reasons: KEPT },
  'control.paused': { level: 'warn', label: 'paused', counted: true, reasons: BY_HAND },
  'control.resumed': { level: 'info', label: 'resumed', counted: true, reasons: BY_HAND },
} as const satisfies Record<AuditEvent, EventFacts>;

/** The reasons a record of event `E` may carry. */
export type ReasonOf<E extends AuditEvent> = (typeof EVENTS)[E]['reasons'][number];

/** An event with a reason it allows: one member per event, so no other pairing type-checks. */
export type EventWithReason = {
  [E in AuditEvent]: { event: E; reason?: ReasonOf<E> };
}[AuditEvent];

/** Run events describe the run itself, so they are not counted as outcomes. */
export function isRunEvent(event: AuditEvent): event is RunEvent {
  return !EVENTS[event].counted;
}

/** Every audit event at run time, for checking a name someone typed (`audit --event`). */
export const AUDIT_EVENTS = Object.keys(EVENTS) as readonly AuditEvent[];

/** Whether `text` is the name of an audit event. */
export function isAuditEvent(text: string): text is AuditEvent {
  return Object.hasOwn(EVENTS, text);
}
