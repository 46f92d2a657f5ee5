import type { RunRecorder } from '../audit/recorder.ts';
import type { RejectReason } from '../audit/vocabulary.ts';
import {
  type ConfirmationMessage,
  readConfirmation,
} from '../confirmation/confirmation-message.ts';
import { formatDuration, parseRfc3339 } from '../time.ts';
import {
  parseQueueArn,
  type ReceiptCheck,
  sameQueue,
  type TeardownDeps,
  type TeardownMessage,
} from './context.ts';
import {
  horizonMs,
  isBeyondHorizon,
  parseTeardownRequest,
  type TeardownRequest,
} from './request.ts';
import { parkMessage } from './resend.ts';

// Clocks drift: the janitor's own timestamps may run this far ahead of the reader's.
const MAX_AHEAD_MS = 5 * 60_000;
// The janitor's last re-send of a held request or a pending confirmation is delayed up to
// 15 minutes and may be redelivered: it arrives a little after its window closed, and must
// still end as the window says (skipped, stuck), not as a rejection.
const LAST_RESEND_GRACE_MS = 60 * 60_000;

/** A message's confirmation or request, or why the batch refuses to look at it. */
export type Admission =
  | { admitted: true; kind: 'confirmation'; confirmation: ConfirmationMessage }
  | { admitted: true; kind: 'request'; request: TeardownRequest }
  | Refusal;

/** Why a message is refused before anything is looked up. */
export interface Refusal {
  admitted: false;
  reason: RejectReason;
  field: string;
  why: string;
  gatewayId?: string;
}

/**
 * Admits one message (docs/contract.md "Only the queue feeds the teardown"): a body with
 * `confirm` is a confirmation, validated as one; any other body that parses, naming an
 * `expiresAt` within the horizon, is a request to settle. The janitor-only fields
 * (`confirm`, `deferredSince`) are honoured only from the janitor's own roles, and only
 * with a time within the horizon before now and at most 5 minutes after it.
 */
export function admitMessage(message: TeardownMessage, deps: TeardownDeps): Admission {
  const nowMs = deps.clock.now();
  const horizon = horizonMs(deps);
  const confirmation = readConfirmation(message.body);
  if (confirmation?.ok) {
    const { gatewayId, deletedAtMs } = confirmation.confirmation;
    const forged = janitorOnly(message, deps, 'confirm', gatewayId);
    if (forged) return forged;
    // deletedAt in 1970 would make any live gateway look re-created ("id reused"); in 9999
    // it would keep the confirmation waiting for ever.
    const windowMs = Math.max(horizon, deps.confirm?.withinMs ?? 0);
    const stray = outOfBounds('confirm.deletedAt', deletedAtMs, nowMs, windowMs, gatewayId);
    if (stray) return stray;
    return { admitted: true, kind: 'confirmation', confirmation: confirmation.confirmation };
  }
  if (confirmation) {
    const { field, message: why } = confirmation;
    return { admitted: false, reason: 'invalid_request', field, why };
  }
  const parsed = parseTeardownRequest(message.body);
  if (!parsed.ok)
    return { admitted: false, reason: 'invalid_request', field: parsed.field, why: parsed.message };
  const { request } = parsed;
  const { gatewayId } = request;
  if (request.deferredSince !== undefined) {
    const forged = janitorOnly(message, deps, 'deferredSince', gatewayId);
    if (forged) return forged;
    const sinceMs = parseRfc3339(request.deferredSince) as number;
    const stray = outOfBounds('deferredSince', sinceMs, nowMs, horizon, gatewayId);
    if (stray) return stray;
  }
  // A request due in year 9999 would be re-sent every 15 minutes for ever.
  if (isBeyondHorizon(request, nowMs, horizon)) {
    const why = `more than ${formatDuration(horizon)} ahead (TEARDOWN_MAX_HORIZON)`;
    return { admitted: false, reason: 'expires_too_far', field: 'expiresAt', why };
  }
  return { admitted: true, kind: 'request', request };
}

/** True when SQS says the janitor itself sent the message: its SenderId names one of its roles. */
export function sentByJanitor(message: TeardownMessage, roleIds: readonly string[] = []): boolean {
  const roleId = message.senderId?.split(':')[0];
  return roleId !== undefined && roleIds.includes(roleId);
}

function janitorOnly(
  message: TeardownMessage,
  deps: TeardownDeps,
  field: string,
  gatewayId: string,
): Refusal | undefined {
  if (sentByJanitor(message, deps.janitorRoleIds)) return undefined;
  const why = 'only the janitor may set it (SenderId is not one of JANITOR_ROLE_IDS)';
  return { admitted: false, reason: 'forged_field', field, why, gatewayId };
}

function outOfBounds(
  field: string,
  atMs: number,
  nowMs: number,
  windowMs: number,
  gatewayId: string,
): Refusal | undefined {
  if (atMs >= nowMs - windowMs - LAST_RESEND_GRACE_MS && atMs <= nowMs + MAX_AHEAD_MS)
    return undefined;
  const why = `expected within ${formatDuration(windowMs)} before now and at most 5m after`;
  return { admitted: false, reason: 'invalid_request', field, why, gatewayId };
}

/**
 * Records a refused message and says whether it may be acknowledged. A malformed one is
 * parked in the dead-letter queue first; a forged one is not, because parking re-sends its
 * body under the janitor's own role, and a redrive would hand the forged field back as the
 * janitor's (docs/contract.md "Only the queue feeds the teardown").
 */
export async function rejectMessage(
  message: TeardownMessage,
  refusal: Refusal,
  deps: TeardownDeps,
  recorder: RunRecorder,
): Promise<boolean> {
  const parked =
    refusal.reason === 'forged_field' ||
    (await parkMessage(message, deps, `${refusal.field}: ${refusal.why}`));
  recorder.write({
    event: 'request.rejected',
    ...(refusal.gatewayId ? { gatewayId: refusal.gatewayId } : {}),
    sqsMessageId: message.messageId,
    reason: refusal.reason,
    error: { code: 'REQUEST_INVALID', field: refusal.field, message: refusal.why },
  });
  return parked;
}

/** A record the teardown queue does not vouch for, and the claim that failed. */
export interface NotFromQueue {
  message: TeardownMessage;
  field: 'eventSourceARN' | 'receiptHandle';
  why: string;
}

/** A batch sorted by origin: what to serve, what was not from the queue, what to hand back. */
export interface ProvenBatch {
  serve: TeardownMessage[];
  notFromQueue: NotFromQueue[];
  /** the queue could not answer (throttled, unreachable): these come back untouched */
  handBack: TeardownMessage[];
  /** why the queue could not answer */
  unproven?: unknown;
}

// SQS receipt handles are at most 1024 characters.
const MAX_HANDLE_CHARS = 1024;

/**
 * Proves each record came from the teardown queue (docs/contract.md "Only the queue feeds
 * the teardown"): its `eventSourceARN` names the queue, and the queue accepts its receipt
 * handle, all handles in one ChangeMessageVisibilityBatch. A message without an origin
 * (the CLI's) has no record to prove. When the call fails as a whole, nothing is served.
 */
export async function proveOrigin(
  messages: readonly TeardownMessage[],
  receipts: ReceiptCheck | undefined,
): Promise<ProvenBatch> {
  const notFromQueue: NotFromQueue[] = [];
  const claimed = new Map<string, TeardownMessage>();
  const handles = new Map<string, string>();
  const serve = new Set<TeardownMessage>();
  const inOrder = () => messages.filter((message) => serve.has(message));
  for (const message of messages) {
    const { origin } = message;
    if (!origin) {
      serve.add(message);
      continue;
    }
    const queue = parseQueueArn(origin.eventSourceArn);
    if (!receipts || !queue || !sameQueue(queue, receipts.queue)) {
      const why = 'does not name the teardown queue (TEARDOWN_QUEUE_URL)';
      notFromQueue.push({ message, field: 'eventSourceARN', why });
      continue;
    }
    const handle = origin.receiptHandle;
    if (!handle || handle.length > MAX_HANDLE_CHARS) {
      notFromQueue.push({ message, field: 'receiptHandle', why: 'missing or malformed' });
      continue;
    }
    const id = `r${claimed.size}`;
    claimed.set(id, message);
    handles.set(id, handle);
  }
  if (!receipts || claimed.size === 0) return { serve: inOrder(), notFromQueue, handBack: [] };
  let accepted: Set<string>;
  try {
    accepted = await receipts.accept(handles);
  } catch (error) {
    return { serve: inOrder(), notFromQueue, handBack: [...claimed.values()], unproven: error };
  }
  for (const [id, message] of claimed) {
    if (accepted.has(id)) serve.add(message);
    else {
      const why = 'the teardown queue does not know it as a message in flight';
      notFromQueue.push({ message, field: 'receiptHandle', why });
    }
  }
  return { serve: inOrder(), notFromQueue, handBack: [] };
}
