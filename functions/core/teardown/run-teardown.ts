import type { EventCounts, RejectReason } from '../audit/audit-vocabulary.ts';
import type { GatewayOutcome } from '../audit/outcome.ts';
import { createRunRecorder } from '../audit/run-recorder.ts';
import { formatDuration, parseDuration } from '../shared/duration.ts';
import { ApiError } from '../shared/errors.ts';
import { mapBounded } from '../shared/map-bounded.ts';
import { DEFAULT_TEARDOWN_MAX_HORIZON, isBeyondHorizon } from './decide-teardown.ts';
import {
  park,
  serveDue,
  type TeardownDeps,
  type TeardownMessage,
} from './serve-teardown-request.ts';
import { parseTeardownRequest, type TeardownRequest } from './teardown-request.ts';

export type { TeardownDeps, TeardownMessage } from './serve-teardown-request.ts';

const DEFAULT_HORIZON_MS = parseDuration(DEFAULT_TEARDOWN_MAX_HORIZON) as number;

/** Which messages must come back (transient failure, not started) and what happened. */
export interface TeardownResult {
  retry: string[];
  counts: EventCounts;
  stopError?: ApiError;
}

/**
 * Serves a batch of teardown requests with bounded concurrency. Every message ends
 * acknowledged with one audit record, or listed in `retry`; requests for the same
 * gateway run one after the other, so a duplicate sees the first one's deletion and
 * ends as already gone instead of a second delete (SQS delivers at least once).
 */
export async function runTeardown(
  messages: TeardownMessage[],
  deps: TeardownDeps,
): Promise<TeardownResult> {
  const { sink, clock, run } = deps;
  const retry = new Set<string>();
  let stopError: ApiError | undefined;
  const recorder = createRunRecorder({ sink, clock, context: run });
  const record = (outcome: GatewayOutcome) => recorder.outcome(outcome);
  const lanes = new Map<string, Promise<void>>();

  const reject = async (
    message: TeardownMessage,
    reason: RejectReason,
    field: string,
    why: string,
  ): Promise<void> => {
    const parked = await park(message, deps, `${field}: ${why}`);
    recorder.write({
      event: 'request.rejected',
      sqsMessageId: message.messageId,
      reason,
      error: { code: 'REQUEST_INVALID', field, message: why },
    });
    if (!parked) retry.add(message.messageId);
  };

  const serve = async (message: TeardownMessage): Promise<void> => {
    const parsed = parseTeardownRequest(message.body);
    if (!parsed.ok) return reject(message, 'invalid_request', parsed.field, parsed.message);
    const horizonMs = deps.maxHorizonMs ?? DEFAULT_HORIZON_MS;
    // A request due in year 9999 would be re-sent every 15 minutes for ever.
    if (isBeyondHorizon(parsed.request, clock.now(), horizonMs)) {
      const why = `more than ${formatDuration(horizonMs)} ahead (TEARDOWN_MAX_HORIZON)`;
      return reject(message, 'expires_too_far', 'expiresAt', why);
    }
    const id = parsed.request.gatewayId;
    const previous = lanes.get(id) ?? Promise.resolve();
    const current = previous.then(() => serveRequest(message, parsed.request));
    lanes.set(id, current);
    await current;
  };

  // Nothing is left running when the batch returns, and no message is acknowledged
  // without a record: anything unexpected hands that one message back.
  const settle = async (message: TeardownMessage): Promise<void> => {
    try {
      await serve(message);
    } catch {
      retry.add(message.messageId);
    }
  };

  const serveRequest = async (
    message: TeardownMessage,
    request: TeardownRequest,
  ): Promise<void> => {
    if (stopError || deps.deadline.budgetMs() <= 0) {
      retry.add(message.messageId);
      return;
    }
    const base = {
      gatewayId: request.gatewayId,
      sqsMessageId: message.messageId,
      requestedBy: request.requestedBy,
    };
    try {
      const outcome = await serveDue(message, request, deps, base);
      if (outcome.retry) retry.add(message.messageId);
      if (!outcome.silent) record(outcome.outcome);
    } catch (error) {
      if (error instanceof ApiError && error.stopsRun) stopError ??= error;
      retry.add(message.messageId);
      const reason = stopError ? 'run_stopped' : 'transient';
      record({ event: 'gateway.delete_failed', ...base, reason, http: httpOf(error), error });
    }
  };

  await mapBounded(
    messages,
    deps.concurrency,
    settle,
    () => stopError === undefined && deps.deadline.budgetMs() > 0,
    (message) => retry.add(message.messageId),
  );

  const counts = recorder.counts();
  recorder.write({
    event: 'run.summary',
    reason: stopError ? 'stopped' : 'completed',
    counts: { messages: messages.length, retried: retry.size, ...counts },
  });
  return {
    retry: messages.map((m) => m.messageId).filter((id) => retry.has(id)),
    counts,
    stopError,
  };
}

function httpOf(error: unknown) {
  return error instanceof ApiError ? error.http : undefined;
}
