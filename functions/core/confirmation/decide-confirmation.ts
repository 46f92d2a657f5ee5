import type { Gateway } from '../common/gateway.ts';
import { parseRfc3339 } from '../common/rfc3339.ts';

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
