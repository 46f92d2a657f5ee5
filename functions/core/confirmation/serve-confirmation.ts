import type { HttpSummary } from '../common/errors.ts';
import type { Gateway } from '../common/gateway.ts';
import type { Clock, Deadline, GatewayApi } from '../common/ports.ts';
import type { ConfirmationMessage } from './confirmation-message.ts';
import { decideConfirmation, type StuckReason } from './decide-confirmation.ts';

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
