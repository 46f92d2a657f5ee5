import type { EventCounts } from '../audit/audit-vocabulary.ts';
import type { GatewayOutcome } from '../audit/outcome.ts';
import { createRunRecorder } from '../audit/run-recorder.ts';
import { ApiError } from '../common/errors.ts';
import { isoNow } from '../common/iso-now.ts';
import { mapBounded } from '../common/map-bounded.ts';
import { DEFAULT_CONFIRM_AFTER_MS } from '../confirmation/confirm-settings.ts';
import { unconfirmed } from '../confirmation/confirming-executor.ts';
import {
  type ConfirmableDeletion,
  scheduleConfirmations,
} from '../confirmation/schedule-confirmations.ts';
import { settleConfirmation } from '../confirmation/settle-confirmation.ts';
import { admitMessage, rejectMessage } from './admit-message.ts';
import { proveOrigin } from './prove-origin.ts';
import { type Settled, settleRequest } from './settle-request.ts';
import { createTeardownBatch } from './teardown-batch.ts';
import type { TeardownDeps, TeardownMessage } from './teardown-deps.ts';

/** Which messages must come back (transient failure, not started) and what happened. */
export interface TeardownResult {
  retry: string[];
  counts: EventCounts;
  stopError?: ApiError;
  /** why the queue could not prove the batch's origin; the batch came back unserved */
  unproven?: unknown;
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
  // One limit for the whole batch (docs/contract.md "teardown"): maxDeletesPerRun per invocation.
  const batch = createTeardownBatch(deps.policy.limits.maxDeletesPerRun);
  const retry = new Set<string>();
  const lanes = new Map<string, Promise<void>>();
  let stopError: ApiError | undefined;
  const canStart = () => stopError === undefined && deps.deadline.budgetMs() > 0;

  const deleted: ConfirmableDeletion[] = [];
  const noteDeletion = (outcome: GatewayOutcome) => {
    if (outcome.event !== 'gateway.deleted' || deps.run.dryRun) return;
    const { gatewayId, gateway } = outcome;
    deleted.push({ gatewayId, gateway, deletedAt: isoNow(deps.clock) });
  };

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
        noteDeletion(settled.outcome);
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
  const queue = deps.confirm?.queue;
  if (queue) {
    const unscheduled = await scheduleConfirmations(deleted, {
      queue,
      delayMs: deps.confirm?.afterMs ?? DEFAULT_CONFIRM_AFTER_MS,
      runId: deps.run.runId,
      deadline: deps.deadline,
    });
    for (const failure of unscheduled) recorder.outcome(unconfirmed(failure));
  }

  const counts = recorder.counts();
  recorder.write({
    event: 'run.summary',
    reason: stopError || proven.unproven !== undefined ? 'stopped' : 'completed',
    counts: { messages: messages.length, retried: retry.size, ...counts },
    ...(batch.deploymentListNotFound ? { deploymentList: 'not_found' as const } : {}),
  });
  return {
    retry: messages.map((m) => m.messageId).filter((id) => retry.has(id)),
    counts,
    stopError,
    ...(proven.unproven !== undefined ? { unproven: proven.unproven } : {}),
  };
}
