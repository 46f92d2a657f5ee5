import type { AuditRecord } from './audit-record.ts';
import { checkDue, decideTeardown } from './decide-teardown.ts';
import { ApiError } from './errors.ts';
import type { Gateway } from './gateway.ts';
import { mapBounded } from './map-bounded.ts';
import { type GatewayOutcome, outcomeRecord } from './outcome.ts';
import type { Clock, RunDeps, TeardownQueue } from './ports.ts';
import { parseTeardownRequest, type TeardownRequest } from './teardown-request.ts';

/** One queued request: the SQS message id and its raw body. */
export interface TeardownMessage {
  messageId: string;
  body: string;
}

/** Ports and settings of a teardown batch. */
export interface TeardownDeps extends RunDeps {
  /** absent in the CLI, where requests are always due */
  queue?: TeardownQueue;
}

/** Which messages must come back (transient failure, not started) and what happened. */
export interface TeardownResult {
  retry: string[];
  counts: Record<string, number>;
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
  const counts: Record<string, number> = {};
  const retry = new Set<string>();
  let stopError: ApiError | undefined;
  const write = (record: AuditRecord) => {
    counts[record.event] = (counts[record.event] ?? 0) + 1;
    sink.write(record);
  };
  const record = (outcome: GatewayOutcome) => write(outcomeRecord(outcome, run, iso(clock)));
  const lanes = new Map<string, Promise<void>>();

  const serve = async (message: TeardownMessage): Promise<void> => {
    const parsed = parseTeardownRequest(message.body);
    if (!parsed.ok) {
      const parked = await park(message, deps, `${parsed.field}: ${parsed.message}`);
      write({
        schemaVersion: 1,
        event: 'request.rejected',
        time: iso(clock),
        ...run,
        sqsMessageId: message.messageId,
        reason: 'invalid_request',
        error: { code: 'REQUEST_INVALID', field: parsed.field, message: parsed.message },
      });
      if (!parked) retry.add(message.messageId);
      return;
    }
    const id = parsed.request.gatewayId;
    const previous = lanes.get(id) ?? Promise.resolve();
    const current = previous.then(() => serveRequest(message, parsed.request));
    lanes.set(id, current);
    await current;
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
      record(outcome.outcome);
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
    serve,
    () => stopError === undefined && deps.deadline.budgetMs() > 0,
    (message) => retry.add(message.messageId),
  );

  write({
    schemaVersion: 1,
    event: 'run.summary',
    time: iso(clock),
    ...run,
    reason: stopError ? 'stopped' : 'completed',
    counts: { messages: messages.length, retried: retry.size, ...counts },
  });
  return {
    retry: messages.map((m) => m.messageId).filter((id) => retry.has(id)),
    counts,
    stopError,
  };
}

async function serveDue(
  message: TeardownMessage,
  request: TeardownRequest,
  deps: TeardownDeps,
  base: Pick<GatewayOutcome, 'gatewayId' | 'sqsMessageId' | 'requestedBy'>,
): Promise<{ outcome: GatewayOutcome; retry?: boolean }> {
  const due = checkDue(request, deps.clock.now());
  if (!due.due) {
    // Not due: never deleted early, never lost, and re-sent rather than returned to the
    // queue, so the wait does not count towards the dead-letter redrive.
    if (!deps.queue) throw new Error('no teardown queue to defer to');
    await deps.queue.defer(message.body, due.delaySeconds);
    return { outcome: { event: 'gateway.deferred', ...base, reason: 'not_due', dueAt: due.dueAt } };
  }
  const seen: { gateway?: Gateway } = {};
  try {
    return await serveNow(request, deps, base, seen);
  } catch (error) {
    if (error instanceof ApiError && error.code === 'API_PERMANENT') {
      // Retrying will not help (e.g. still referenced by deployments, or a request the API
      // refuses): park the request where an operator will see it, and acknowledge it.
      const parked = await park(message, deps, error.message);
      return {
        outcome: {
          event: 'gateway.delete_failed',
          ...base,
          gateway: seen.gateway,
          reason: 'permanent',
          http: error.http,
          error,
        },
        retry: !parked,
      };
    }
    throw error;
  }
}

async function serveNow(
  request: TeardownRequest,
  deps: TeardownDeps,
  base: Pick<GatewayOutcome, 'gatewayId' | 'sqsMessageId' | 'requestedBy'>,
  seen: { gateway?: Gateway },
): Promise<{ outcome: GatewayOutcome; retry?: boolean }> {
  const { gateway: live, http } = await deps.api.get(request.gatewayId, deps.deadline);
  seen.gateway = live;
  const verdict = decideTeardown(request, live, deps.policy);
  const named = { ...base, gateway: live };
  if (verdict.action === 'gone')
    return { outcome: { event: 'gateway.already_gone', ...named, reason: verdict.reason, http } };
  if (verdict.action === 'skip')
    return { outcome: { event: 'gateway.skipped', ...named, reason: verdict.reason } };
  if (deps.run.dryRun)
    return { outcome: { event: 'gateway.would_delete', ...named, reason: 'requested' } };
  // The deadline margin covers one request in flight, but a teardown makes two: a GET
  // that retried into the margin must not be followed by a DELETE, or the invocation
  // can outlive its deadline (issue 7). Hand the message back; the next delivery retries.
  if (deps.deadline.budgetMs() <= 0)
    return { outcome: { event: 'gateway.skipped', ...named, reason: 'deadline' }, retry: true };
  const result = await deps.api.delete(request.gatewayId, deps.deadline);
  if (result.kind === 'already_gone') {
    return {
      outcome: { event: 'gateway.already_gone', ...named, reason: 'not_found', http: result.http },
    };
  }
  return {
    outcome: {
      event: 'gateway.deleted',
      ...named,
      reason: 'requested',
      http: result.http,
      finalState: result.gateway,
    },
  };
}

async function park(message: TeardownMessage, deps: TeardownDeps, why: string): Promise<boolean> {
  if (!deps.queue) return true;
  return deps.queue.deadLetter(message.body, why);
}

function httpOf(error: unknown) {
  return error instanceof ApiError ? error.http : undefined;
}

function iso(clock: Clock): string {
  return new Date(clock.now()).toISOString();
}
