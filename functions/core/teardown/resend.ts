import type { BudgetRefusal, HeldReason } from '../cascade.ts';
import { ApiError } from '../errors.ts';
import type { DeploymentRef } from '../model.ts';
import { SQS_MAX_DELAY_SECONDS } from '../ports.ts';
import { type Gate, gateOpensAt } from '../registry/control.ts';
import { parseRfc3339 } from '../time.ts';
import type { RequestContext, Settled, TeardownDeps, TeardownMessage } from './context.ts';
import { horizonMs, pinIdentity, pinnedBody, type TeardownRequest } from './request.ts';

// The next invocation has a fresh limit: a short wait, yet no hot loop when the limit is 0.
const RUN_LIMIT_DELAY_SECONDS = 60;

/**
 * Why a request goes back to the queue instead of being served now: not due yet, the
 * batch's DELETE limit is spent, deployments still serve its gateway, the janitor is paused
 * or outside every change window, the rolling budget is spent, or the API refused it for
 * good (then it is parked in the dead-letter queue).
 */
export type Resend =
  | { why: 'not_due'; dueAt: string; delaySeconds: number }
  | { why: 'run_limit' }
  | {
      why: 'held';
      /** deployments, or the registry: an exemption, or an item it cannot read (a lease's) */
      reason: HeldReason | 'deployments_deleting' | 'exempt' | 'registry_unavailable';
      deployments: DeploymentRef[];
    }
  | { why: 'gate'; gate: Exclude<Gate, { open: true }> }
  | { why: 'budget'; reason: BudgetRefusal }
  | { why: 'refused'; error: ApiError };

/**
 * The one way a request is sent again (docs/contract.md "teardown"): re-sent, never handed
 * back, so the wait does not count towards the dead-letter redrive, and pinned to the live
 * gateway when one was looked at, so a gateway that reuses the id is not deleted in its
 * place. A request held by deployments carries when the hold began, and is skipped once
 * TEARDOWN_MAX_HORIZON has passed since then. In a terminal (the CLI) nothing can be sent
 * again: the request is skipped, and the command says so.
 */
export async function resend(ctx: RequestContext, how: Resend): Promise<Settled> {
  const { deps, fields } = ctx;
  if (how.why === 'refused') return park(ctx, how.error);
  const { mode } = deps;
  const now = deps.clock.now();
  if (mode.kind === 'terminal') {
    if (how.why === 'not_due') throw new Error('no teardown queue to defer to');
    return { outcome: { event: 'gateway.skipped', ...fields, ...skippedBecause(how, now) } };
  }
  let request: TeardownRequest = ctx.request;
  if (how.why === 'held') {
    const since = parseRfc3339(request.deferredSince) ?? now;
    if (now - since >= horizonMs(deps))
      return { outcome: { event: 'gateway.skipped', ...fields, ...skippedBecause(how, now) } };
    request = { ...request, deferredSince: request.deferredSince ?? new Date(now).toISOString() };
  }
  const pinned = ctx.live ? pinIdentity(request, ctx.live) : undefined;
  if (pinned?.action === 'defer') request = pinned.request;
  // Nothing new to say: the body goes out as it came, byte for byte.
  const body =
    ctx.live === undefined && request === ctx.request ? ctx.message.body : pinnedBody(request);
  if (body === undefined)
    return { outcome: { event: 'gateway.skipped', ...fields, reason: 'unknown_identity' } };
  await mode.queue.defer(body, delayOf(how, now));
  const because =
    how.why === 'not_due' ? { reason: how.why, dueAt: how.dueAt } : skippedBecause(how, now);
  return { outcome: { event: 'gateway.deferred', ...fields, gateway: ctx.live, ...because } };
}

/** What the record of a request skipped or re-sent says: why, and when it may be served. */
function skippedBecause(how: Exclude<Resend, { why: 'refused' | 'not_due' }>, now: number) {
  if (how.why === 'held') return { reason: how.reason, deployments: how.deployments };
  if (how.why === 'budget') return { reason: how.reason };
  if (how.why === 'run_limit') return { reason: how.why };
  const opensAt = gateOpensAt(how.gate);
  const dueAt =
    opensAt === undefined || opensAt <= now ? {} : { dueAt: new Date(opensAt).toISOString() };
  return { reason: how.gate.reason, ...dueAt };
}

/**
 * How long a re-sent request waits. A closed gate re-sends, never hands back (handing back
 * would count towards the dead-letter redrive): until it may open, but at most SQS's 15
 * minutes, so a long pause or a night outside the windows is a chain of re-sends
 * (docs/operations.md says what they cost).
 */
function delayOf(how: Exclude<Resend, { why: 'refused' }>, now: number): number {
  if (how.why === 'not_due') return how.delaySeconds;
  if (how.why === 'run_limit') return RUN_LIMIT_DELAY_SECONDS;
  if (how.why !== 'gate') return SQS_MAX_DELAY_SECONDS;
  const opensAt = gateOpensAt(how.gate);
  if (opensAt === undefined) return SQS_MAX_DELAY_SECONDS;
  return Math.min(SQS_MAX_DELAY_SECONDS, Math.max(1, Math.ceil((opensAt - now) / 1000)));
}

/**
 * Retrying will not help when the API refuses a request for good (e.g. still referenced by
 * deployments): the request is parked where an operator will see it and acknowledged. Any
 * other failure is rethrown, for the batch to hand the message back.
 */
export async function resendIfRefused(ctx: RequestContext, error: unknown): Promise<Settled> {
  if (!(error instanceof ApiError && error.code === 'API_PERMANENT')) throw error;
  return resend(ctx, { why: 'refused', error });
}

async function park(ctx: RequestContext, error: ApiError): Promise<Settled> {
  const parked = await parkMessage(ctx.message, ctx.deps, error.message);
  const { fields } = ctx;
  return {
    outcome: {
      event: 'gateway.delete_failed',
      ...fields,
      reason: 'permanent',
      http: error.http,
      error,
    },
    handBack: !parked,
  };
}

/**
 * Parks a message in the dead-letter queue; true when it is safe to acknowledge (always in a
 * terminal, which has no queue). A send that fails is false, not thrown: the message comes
 * back and the batch goes on.
 */
export async function parkMessage(
  message: TeardownMessage,
  deps: Pick<TeardownDeps, 'mode'>,
  why: string,
): Promise<boolean> {
  if (deps.mode.kind === 'terminal') return true;
  try {
    return await deps.mode.queue.deadLetter(message.body, why);
  } catch {
    return false;
  }
}
