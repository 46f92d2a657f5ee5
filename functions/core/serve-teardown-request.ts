import { checkDue, decideTeardown } from './decide-teardown.ts';
import { ApiError } from './errors.ts';
import type { Gateway } from './gateway.ts';
import type { GatewayOutcome } from './outcome.ts';
import type { RunDeps, TeardownQueue } from './ports.ts';
import type { TeardownRequest } from './teardown-request.ts';

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

/** The outcome of one request, and whether its message must come back. */
export type Served = { outcome: GatewayOutcome; retry?: boolean };

type Base = Pick<GatewayOutcome, 'gatewayId' | 'sqsMessageId' | 'requestedBy'>;

/**
 * Serves one valid request: defers it when not yet due, otherwise checks the live
 * gateway and deletes it; a request the API refuses for good is parked, not retried.
 * Transient failures throw, for the batch to hand the message back.
 */
export async function serveDue(
  message: TeardownMessage,
  request: TeardownRequest,
  deps: TeardownDeps,
  base: Base,
): Promise<Served> {
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
  base: Base,
  seen: { gateway?: Gateway },
): Promise<Served> {
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
  // that retried into the margin must not be followed by a DELETE, or the invocation can
  // outlive its deadline (docs/reliability.md). Hand the message back; the next delivery retries.
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

/** Parks a message in the dead-letter queue; true when it is safe to acknowledge. */
export async function park(
  message: TeardownMessage,
  deps: TeardownDeps,
  why: string,
): Promise<boolean> {
  if (!deps.queue) return true;
  return deps.queue.deadLetter(message.body, why);
}
