import type { GatewayOutcome } from '../audit/record.ts';
import { createRunRecorder } from '../audit/recorder.ts';
import type { EventCounts } from '../audit/vocabulary.ts';
import {
  type ConfirmableDeletion,
  collectConfirmations,
  confirmationOutcome,
  DEFAULT_CONFIRM_AFTER_MS,
  DEFAULT_CONFIRM_WITHIN_MS,
  serveConfirmation,
} from '../confirmation/confirmation.ts';
import type { ConfirmationMessage } from '../confirmation/confirmation-message.ts';
import { ApiError } from '../errors.ts';
import { mapBounded } from '../map-bounded.ts';
import { gateState, openRunControl } from '../registry/control.ts';
import { admitMessage, proveOrigin, rejectMessage } from './admit.ts';
import {
  createTeardownBatch,
  type Settled,
  type TeardownDeps,
  type TeardownMessage,
} from './context.ts';
import { settleRequest } from './settle-request.ts';

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
  const served = await serveConfirmation(confirmation, message.body, {
    api: deps.api,
    clock: deps.clock,
    deadline: deps.deadline,
    confirmAfterMs: deps.confirm?.afterMs ?? DEFAULT_CONFIRM_AFTER_MS,
    confirmWithinMs: deps.confirm?.withinMs ?? DEFAULT_CONFIRM_WITHIN_MS,
    defer: async (body, delaySeconds) => {
      if (deps.mode.kind === 'terminal') throw new Error('no teardown queue to defer to');
      await deps.mode.queue.defer(body, delaySeconds);
    },
  });
  const fields = {
    gatewayId: confirmation.gatewayId,
    sqsMessageId: message.messageId,
    deletedAt: confirmation.deletedAt,
    deletionRunId: confirmation.runId,
    http: served.http,
  };
  if (served.kind === 'mismatch') {
    // The sweep's own stuck check still covers the gateway this deletion was about.
    return { outcome: { event: 'gateway.skipped', ...fields, reason: 'stale_request' } };
  }
  if (served.kind === 'deferred') {
    const { reason, dueAt, live } = served;
    return { outcome: { event: 'gateway.deferred', ...fields, gateway: live, reason, dueAt } };
  }
  return { outcome: confirmationOutcome(served, fields) };
}

/** Which messages must come back (transient failure, not started) and what happened. */
export interface TeardownResult {
  retry: string[];
  counts: EventCounts;
  stopError?: ApiError;
  /** why the queue could not prove the batch's origin; the batch came back unserved */
  unproven?: unknown;
  /** the batch's deletions, as noted for confirmation (what the CLI's `--wait` polls) */
  deletions: readonly ConfirmableDeletion[];
}

/**
 * Serves a batch of teardown requests with bounded concurrency: admit each message,
 * settle its request (in order per gateway), record what became of it. Every message
 * ends acknowledged with one audit record, or listed in `retry`; requests for the same
 * gateway run one after the other, so a duplicate sees the first one's deletion and
 * ends as already gone instead of a second delete (SQS delivers at least once).
 */
export async function runTeardown(
  messages: TeardownMessage[],
  deps: TeardownDeps,
): Promise<TeardownResult> {
  const recorder = createRunRecorder({ sink: deps.sink, clock: deps.clock, context: deps.run });
  // The pause is read first; confirmations are served whatever it says.
  const control = await openRunControl(deps);
  // One limit for the whole batch (docs/contract.md "teardown"): maxDeletesPerRun per invocation.
  const batch = createTeardownBatch(deps.policy.limits.maxDeletesPerRun, control);
  const retry = new Set<string>();
  const lanes = new Map<string, Promise<void>>();
  let stopError: ApiError | undefined;
  const canStart = () => stopError === undefined && deps.deadline.budgetMs() > 0;

  const confirmations = collectConfirmations(deps);

  /**
   * Settles one message after those before it for the same gateway, and records what it
   * became. A failure hands the message back, recorded by `failed` when given.
   */
  const settleInTurn = async (
    gatewayId: string,
    message: TeardownMessage,
    settle: () => Promise<Settled>,
    failed?: (error: unknown) => GatewayOutcome,
  ) => {
    const work = async () => {
      if (!canStart()) {
        retry.add(message.messageId);
        return;
      }
      try {
        const settled = await settle();
        if (settled.handBack) retry.add(message.messageId);
        for (const record of settled.records ?? []) recorder.write(record);
        if (!settled.unrecorded) recorder.outcome(settled.outcome);
        for (const record of settled.after ?? []) recorder.write(record);
        confirmations.note(settled.outcome);
      } catch (error) {
        if (error instanceof ApiError && error.stopsRun) stopError ??= error;
        retry.add(message.messageId);
        if (failed) recorder.outcome(failed(error));
      }
    };
    const current = (lanes.get(gatewayId) ?? Promise.resolve()).then(work);
    lanes.set(gatewayId, current);
    await current;
  };

  const handle = async (message: TeardownMessage): Promise<void> => {
    const admission = admitMessage(message, deps);
    if (!admission.admitted) {
      if (!(await rejectMessage(message, admission, deps, recorder))) retry.add(message.messageId);
      return;
    }
    if (admission.kind === 'confirmation') {
      // A confirmation only reads: a failed GET hands the message back, with no record of a
      // deletion that failed (docs/contract.md "Deletion is confirmed, not assumed").
      const { confirmation } = admission;
      await settleInTurn(confirmation.gatewayId, message, () =>
        settleConfirmation(message, confirmation, deps),
      );
      return;
    }
    const { request } = admission;
    await settleInTurn(
      request.gatewayId,
      message,
      () => settleRequest(message, request, deps, batch),
      (error) => ({
        event: 'gateway.delete_failed',
        gatewayId: request.gatewayId,
        sqsMessageId: message.messageId,
        requestedBy: request.requestedBy,
        reason: stopError ? 'run_stopped' : 'transient',
        http: error instanceof ApiError ? error.http : undefined,
        error,
      }),
    );
  };

  // Only records the queue vouches for are served; the others are never re-sent or parked,
  // and go back untouched (docs/contract.md "Only the queue feeds the teardown").
  const proven = await proveOrigin(messages, deps.receipts);
  for (const { message, field, why } of proven.notFromQueue) {
    retry.add(message.messageId);
    recorder.write({
      event: 'request.rejected',
      sqsMessageId: message.messageId,
      reason: 'not_from_queue',
      error: { code: 'REQUEST_INVALID', field, message: why },
    });
  }
  for (const message of proven.handBack) retry.add(message.messageId);

  await mapBounded(
    proven.serve,
    deps.concurrency,
    async (message) => {
      // Nothing is left running when the batch returns, and no message is acknowledged
      // without a record: anything unexpected hands that one message back.
      await handle(message).catch(() => retry.add(message.messageId));
    },
    canStart,
    (message) => retry.add(message.messageId),
  );

  // One delayed confirmation per deletion of this batch; one that cannot be sent is
  // recorded, and never turns the deletion into a failure.
  for (const outcome of await confirmations.flush()) recorder.outcome(outcome);

  const counts = recorder.counts();
  const budget = await control.budget.report();
  recorder.write({
    event: 'run.summary',
    reason: stopError || proven.unproven !== undefined ? 'stopped' : 'completed',
    counts: { messages: messages.length, retried: retry.size, ...counts },
    gate: gateState(control.gate),
    ...(budget ? { budget } : {}),
    ...(batch.deploymentListNotFound ? { deploymentList: 'not_found' as const } : {}),
  });
  return {
    retry: messages.map((m) => m.messageId).filter((id) => retry.has(id)),
    counts,
    stopError,
    deletions: confirmations.deletions(),
    ...(proven.unproven !== undefined ? { unproven: proven.unproven } : {}),
  };
}
