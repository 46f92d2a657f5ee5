import type { Settled } from '../teardown/settle-request.ts';
import type { TeardownDeps, TeardownMessage } from '../teardown/teardown-deps.ts';
import { DEFAULT_CONFIRM_AFTER_MS, DEFAULT_CONFIRM_WITHIN_MS } from './confirm-settings.ts';
import type { ConfirmationMessage } from './confirmation-message.ts';
import { serveConfirmation } from './serve-confirmation.ts';

/**
 * Serves one confirmation message in a teardown batch and says what it became: confirmed,
 * deferred again (re-sent, then acknowledged) or stuck. It reads and never deletes, so it
 * is served in a dry run too. A failed GET throws, for the batch to hand it back.
 */
export async function settleConfirmation(
  message: TeardownMessage,
  confirmation: ConfirmationMessage,
  deps: TeardownDeps,
): Promise<Settled> {
  const { queue } = deps;
  const served = await serveConfirmation(confirmation, message.body, {
    api: deps.api,
    clock: deps.clock,
    deadline: deps.deadline,
    confirmAfterMs: deps.confirm?.afterMs ?? DEFAULT_CONFIRM_AFTER_MS,
    confirmWithinMs: deps.confirm?.withinMs ?? DEFAULT_CONFIRM_WITHIN_MS,
    defer: async (body, delaySeconds) => {
      if (!queue) throw new Error('no teardown queue to defer to');
      await queue.defer(body, delaySeconds);
    },
  });
  const fields = {
    gatewayId: confirmation.gatewayId,
    sqsMessageId: message.messageId,
    deletedAt: confirmation.deletedAt,
    deletionRunId: confirmation.runId,
    http: served.http,
  };
  if (served.kind === 'confirmed') {
    const { reason, secondsToGone } = served;
    return { outcome: { event: 'gateway.delete_confirmed', ...fields, reason, secondsToGone } };
  }
  if (served.kind === 'mismatch') {
    // The sweep's own stuck check still covers the gateway this deletion was about.
    return { outcome: { event: 'gateway.skipped', ...fields, reason: 'stale_request' } };
  }
  if (served.kind === 'deferred') {
    const { reason, dueAt, live } = served;
    return { outcome: { event: 'gateway.deferred', ...fields, gateway: live, reason, dueAt } };
  }
  const { reason, live } = served;
  return {
    outcome: { event: 'gateway.delete_stuck', ...fields, gateway: live, reason, finalState: live },
  };
}
