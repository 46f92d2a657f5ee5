import type { Gateway } from '../common/gateway.ts';
import { parseRfc3339 } from '../common/rfc3339.ts';
import type { Policy } from '../policy/compile-policy.ts';
import { hasUsableIdentity, isProtected } from '../policy/evaluate-gateway.ts';
import type { TeardownRequest } from './teardown-request.ts';

/** When a request is not yet due: how long to wait before looking again. */
export type DueCheck = { due: true } | { due: false; dueAt: string; delaySeconds: number };

// SQS allows at most 15 minutes of DelaySeconds on a message.
const MAX_DELAY_SECONDS = 900;

/** Is the request due? A request with no expiresAt, or one in the past, is. */
export function checkDue(request: TeardownRequest, nowMs: number): DueCheck {
  const expiresAt = parseRfc3339(request.expiresAt);
  if (expiresAt === undefined || expiresAt <= nowMs) return { due: true };
  const secondsLeft = Math.ceil((expiresAt - nowMs) / 1000);
  return {
    due: false,
    dueAt: new Date(expiresAt).toISOString(),
    delaySeconds: Math.min(MAX_DELAY_SECONDS, secondsLeft),
  };
}

/** What to do with the live gateway a due request names. */
export type TeardownVerdict =
  | { action: 'delete' }
  | { action: 'gone'; reason: 'not_found' | 'already_deleting' }
  | { action: 'skip'; reason: 'protected' | 'unknown_identity' | 'stale_request' | 'not_allowed' };

/**
 * Decides a due request against the gateway as it stands now. Protection wins over any
 * request, checked on the requested id and on the gateway the GET described; a GET
 * without a uuid id or a name is kept (`unknown_identity`); a GET that describes another
 * id, or a request whose expected name or creation time no longer matches, names a
 * different gateway, so it is stale. A policy's `teardown.allow` then narrows what a
 * request may delete (docs/contract.md "The policy").
 */
export function decideTeardown(
  request: TeardownRequest,
  live: Gateway | undefined,
  policy: Policy,
): TeardownVerdict {
  if (!live) return { action: 'gone', reason: 'not_found' };
  if (isProtected(live, policy) || isProtected({ id: request.gatewayId, name: live.name }, policy))
    return { action: 'skip', reason: 'protected' };
  // A GET without a name passes every protect glob by: kept, as the sweep keeps it.
  if (!hasUsableIdentity(live)) return { action: 'skip', reason: 'unknown_identity' };
  if (!describesRequested(request, live) || !matchesExpected(request, live))
    return { action: 'skip', reason: 'stale_request' };
  if (!isAllowed(live, policy)) return { action: 'skip', reason: 'not_allowed' };
  if (live.status === 'STATUS_DELETING') return { action: 'gone', reason: 'already_deleting' };
  return { action: 'delete' };
}

/** Does the GET's gateway carry the requested id (uuids compare case-insensitively)? */
export function describesRequested(request: TeardownRequest, live: Gateway): boolean {
  return live.id.toLowerCase() === request.gatewayId.toLowerCase();
}

function matchesExpected(request: TeardownRequest, live: Gateway): boolean {
  if (request.expectedName !== undefined && request.expectedName !== live.name) return false;
  if (request.expectedCreatedAt === undefined) return true;
  const actual = parseRfc3339(live.createdAt);
  return actual !== undefined && parseRfc3339(request.expectedCreatedAt) === actual;
}

function isAllowed(live: Gateway, policy: Policy): boolean {
  return policy.teardownAllowNames?.some((glob) => glob.test(live.name)) ?? true;
}

/** How far ahead a request's `expiresAt` may be when TEARDOWN_MAX_HORIZON is not set. */
export const DEFAULT_TEARDOWN_MAX_HORIZON = '30d';

/** Is `expiresAt` further ahead than the horizon a request may name? */
export function isBeyondHorizon(request: TeardownRequest, nowMs: number, maxHorizonMs: number) {
  const expiresAt = parseRfc3339(request.expiresAt);
  return expiresAt !== undefined && expiresAt - nowMs > maxHorizonMs;
}

/** What a not-yet-due request becomes once its identity is pinned to the live gateway. */
export type PinnedRequest =
  | { action: 'defer'; request: TeardownRequest }
  | { action: 'gone'; reason: 'not_found' }
  | { action: 'skip'; reason: 'stale_request' };

/**
 * Pins a deferred request to the gateway that holds its id now, so that a gateway which
 * reuses the id before the request falls due is not deleted in its place: the re-sent
 * request carries the live `createdAt` (and name, when the request named none).
 */
export function pinIdentity(request: TeardownRequest, live: Gateway | undefined): PinnedRequest {
  if (!live) return { action: 'gone', reason: 'not_found' };
  if (!describesRequested(request, live) || !matchesExpected(request, live))
    return { action: 'skip', reason: 'stale_request' };
  const pinned: TeardownRequest = { ...request };
  // An unparseable createdAt cannot be pinned; the next deferral tries again.
  if (pinned.expectedCreatedAt === undefined && parseRfc3339(live.createdAt) !== undefined)
    pinned.expectedCreatedAt = live.createdAt;
  if (pinned.expectedName === undefined && live.name) pinned.expectedName = live.name;
  return { action: 'defer', request: pinned };
}
