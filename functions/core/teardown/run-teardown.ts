import type { EventCounts, RejectReason } from '../audit/audit-vocabulary.ts';
import type { GatewayOutcome } from '../audit/outcome.ts';
import { createRunRecorder, type RunRecorder } from '../audit/run-recorder.ts';
import { formatDuration, parseDuration } from '../common/duration.ts';
import { ApiError } from '../common/errors.ts';
import { isoNow } from '../common/iso-now.ts';
import { mapBounded } from '../common/map-bounded.ts';
import { DEFAULT_CONFIRM_AFTER_MS } from '../confirmation/confirm-settings.ts';
import type { ConfirmationMessage } from '../confirmation/confirmation-message.ts';
import { unconfirmed } from '../confirmation/confirming-executor.ts';
import { readConfirmation } from '../confirmation/read-confirmation.ts';
import {
  type ConfirmableDeletion,
  scheduleConfirmations,
} from '../confirmation/schedule-confirmations.ts';
import { settleConfirmation } from '../confirmation/settle-confirmation.ts';
import { DEFAULT_TEARDOWN_MAX_HORIZON, isBeyondHorizon } from './decide-teardown.ts';
import { parkMessage } from './park-message.ts';
import { type Settled, settleRequest } from './settle-request.ts';
import { createTeardownBatch } from './teardown-batch.ts';
import type { TeardownDeps, TeardownMessage } from './teardown-deps.ts';
import { parseTeardownRequest, type TeardownRequest } from './teardown-request.ts';

const DEFAULT_HORIZON_MS = parseDuration(DEFAULT_TEARDOWN_MAX_HORIZON) as number;

/** Which messages must come back (transient failure, not started) and what happened. */
export interface TeardownResult {
  retry: string[];
  counts: EventCounts;
  stopError?: ApiError;
}

/** A message's confirmation or request, or why the batch refuses to look at it. */
type Admission =
  | { admitted: true; kind: 'confirmation'; confirmation: ConfirmationMessage }
  | { admitted: true; kind: 'request'; request: TeardownRequest }
  | { admitted: false; reason: RejectReason; field: string; why: string };

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
    const admission = admit(message, deps);
    if (!admission.admitted) {
      if (!(await reject(message, admission, deps, recorder))) retry.add(message.messageId);
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

  await mapBounded(
    messages,
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
    reason: stopError ? 'stopped' : 'completed',
    counts: { messages: messages.length, retried: retry.size, ...counts },
    ...(batch.deploymentListNotFound ? { deploymentList: 'not_found' as const } : {}),
  });
  return {
    retry: messages.map((m) => m.messageId).filter((id) => retry.has(id)),
    counts,
    stopError,
  };
}

/**
 * A body with `confirm` is a confirmation, validated as one; any other body that parses,
 * naming an `expiresAt` within the horizon, is a request to settle.
 */
function admit(message: TeardownMessage, deps: TeardownDeps): Admission {
  const confirmation = readConfirmation(message.body);
  if (confirmation?.ok)
    return { admitted: true, kind: 'confirmation', confirmation: confirmation.confirmation };
  if (confirmation) {
    const { field, message: why } = confirmation;
    return { admitted: false, reason: 'invalid_request', field, why };
  }
  const parsed = parseTeardownRequest(message.body);
  if (!parsed.ok)
    return { admitted: false, reason: 'invalid_request', field: parsed.field, why: parsed.message };
  const horizonMs = deps.maxHorizonMs ?? DEFAULT_HORIZON_MS;
  // A request due in year 9999 would be re-sent every 15 minutes for ever.
  if (isBeyondHorizon(parsed.request, deps.clock.now(), horizonMs)) {
    const why = `more than ${formatDuration(horizonMs)} ahead (TEARDOWN_MAX_HORIZON)`;
    return { admitted: false, reason: 'expires_too_far', field: 'expiresAt', why };
  }
  return { admitted: true, kind: 'request', request: parsed.request };
}

/** Parks a refused message and records why; true when it may be acknowledged. */
async function reject(
  message: TeardownMessage,
  refusal: Extract<Admission, { admitted: false }>,
  deps: TeardownDeps,
  recorder: RunRecorder,
): Promise<boolean> {
  const parked = await parkMessage(message, deps, `${refusal.field}: ${refusal.why}`);
  recorder.write({
    event: 'request.rejected',
    sqsMessageId: message.messageId,
    reason: refusal.reason,
    error: { code: 'REQUEST_INVALID', field: refusal.field, message: refusal.why },
  });
  return parked;
}
