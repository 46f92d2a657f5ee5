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
  | 'gateway.unconfirmed';

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

/**
 * Every audit event (docs/contract.md "The audit record"): stable forever, because
 * dashboards, alarms and saved queries depend on them; events are only ever added.
 */
export type AuditEvent = GatewayEvent | DeploymentEvent | 'request.rejected' | RunEvent;

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

/** How a run ended: the `reason` of `run.summary`. */
export type RunStatus = 'completed' | 'aborted' | 'truncated' | 'stopped';

/** Every audit `reason`; like events, reasons are only ever added. */
export type AuditReason =
  | VerdictReason
  | RequestReason
  | RejectReason
  | StopReason
  | RunStatus
  | ConfirmationReason;

/** How many records of each event a run wrote. */
export type EventCounts = Partial<Record<AuditEvent, number>>;

/** Run events describe the run itself, so they are not counted as outcomes. */
export function isRunEvent(event: AuditEvent): event is RunEvent {
  return event.startsWith('run.');
}

// One entry per event: a Record over AuditEvent fails to compile when an event is added to
// the types above and not here, so this list cannot drift from them.
const EVENT_TABLE: Record<AuditEvent, true> = {
  'gateway.deleted': true,
  'gateway.would_delete': true,
  'gateway.already_gone': true,
  'gateway.delete_failed': true,
  'gateway.deferred': true,
  'gateway.skipped': true,
  'gateway.delete_confirmed': true,
  'gateway.delete_stuck': true,
  'gateway.unconfirmed': true,
  'deployment.deleted': true,
  'deployment.delete_failed': true,
  'deployment.delete_stuck': true,
  'request.rejected': true,
  'run.summary': true,
  'run.aborted': true,
  'run.truncated': true,
};

/** Every audit event at run time, for checking a name someone typed (`audit --event`). */
export const AUDIT_EVENTS = Object.keys(EVENT_TABLE) as readonly AuditEvent[];

/** Whether `text` is the name of an audit event. */
export function isAuditEvent(text: string): text is AuditEvent {
  return Object.hasOwn(EVENT_TABLE, text);
}
