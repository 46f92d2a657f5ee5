import type { GatewayOutcome } from '../audit/outcome.ts';
import { ApiError } from '../shared/errors.ts';
import type { Gateway } from '../shared/gateway.ts';
import type { RunDeps, TeardownQueue } from '../shared/ports.ts';
import { checkDue, decideTeardown, describesRequested, pinIdentity } from './decide-teardown.ts';
import { parseTeardownRequest, type TeardownRequest } from './teardown-request.ts';

/** One queued request: the SQS message id and its raw body. */
export interface TeardownMessage {
  messageId: string;
  body: string;
  /** SQS ApproximateReceiveCount: 1 on the first delivery; absent outside SQS */
  receiveCount?: number;
}

/** Ports and settings of a teardown batch. */
export interface TeardownDeps extends RunDeps {
  /** absent in the CLI, where requests are always due */
  queue?: TeardownQueue;
  /** furthest `expiresAt` a request may name (TEARDOWN_MAX_HORIZON); 30 days when absent */
  maxHorizonMs?: number;
}

/** The outcome of one request, whether its message must come back, and whether to record it. */
export type Served = { outcome: GatewayOutcome; retry?: boolean; silent?: boolean };

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
  if (due.due && deps.run.dryRun && deps.queue) {
    // Dry run consumes nothing: a due queued request goes back to the queue unserved, so
    // it is served once the stack goes live (the deployment also disables the trigger in
    // dry run). One record on its first delivery says so; redeliveries stay quiet.
    const first = (message.receiveCount ?? 1) <= 1;
    return {
      outcome: { event: 'gateway.deferred', ...base, reason: 'dry_run' },
      retry: true,
      silent: !first,
    };
  }
  const seen: { gateway?: Gateway } = {};
  try {
    if (!due.due) return await defer(message, request, deps, base, due);
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
  // A GET that describes another gateway must not lend its name to this id's record.
  const own = live && describesRequested(request, live) ? live : undefined;
  seen.gateway = own;
  const verdict = decideTeardown(request, live, deps.policy);
  const named = { ...base, gateway: own };
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

/**
 * Defers a request that is not due: re-sent rather than returned to the queue, so the
 * wait does not count towards the dead-letter redrive. A request that names no creation
 * time is first pinned to the gateway holding its id now (ids can be reused).
 */
async function defer(
  message: TeardownMessage,
  request: TeardownRequest,
  deps: TeardownDeps,
  base: Base,
  due: { dueAt: string; delaySeconds: number },
): Promise<Served> {
  if (!deps.queue) throw new Error('no teardown queue to defer to');
  let body = message.body;
  let gateway: Gateway | undefined;
  if (request.expectedCreatedAt === undefined) {
    const { gateway: live, http } = await deps.api.get(request.gatewayId, deps.deadline);
    const pinned = pinIdentity(request, live);
    if (pinned.action === 'gone')
      return { outcome: { event: 'gateway.already_gone', ...base, reason: 'not_found', http } };
    if (pinned.action === 'skip')
      return { outcome: { event: 'gateway.skipped', ...base, reason: pinned.reason } };
    gateway = live;
    const text = JSON.stringify(pinned.request);
    // Only a body the parser accepts again is re-sent; otherwise the original one is.
    if (parseTeardownRequest(text).ok) body = text;
  }
  await deps.queue.defer(body, due.delaySeconds);
  return {
    outcome: { event: 'gateway.deferred', ...base, gateway, reason: 'not_due', dueAt: due.dueAt },
  };
}

/**
 * Parks a message in the dead-letter queue; true when it is safe to acknowledge. A send
 * that fails is false, not thrown: the message comes back and the batch goes on.
 */
export async function park(
  message: TeardownMessage,
  deps: TeardownDeps,
  why: string,
): Promise<boolean> {
  if (!deps.queue) return true;
  try {
    return await deps.queue.deadLetter(message.body, why);
  } catch {
    return false;
  }
}
