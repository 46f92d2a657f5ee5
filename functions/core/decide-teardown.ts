import type { Policy } from './compile-policy.ts';
import { isProtected } from './evaluate-gateway.ts';
import type { Gateway } from './gateway.ts';
import { parseRfc3339 } from './rfc3339.ts';
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
  | { action: 'skip'; reason: 'protected' | 'stale_request' };

/**
 * Decides a due request against the gateway as it stands now. Protection wins over any
 * request; a request whose expected name or creation time no longer matches names a
 * different gateway that reuses the id, so it is stale (docs/contract.md "Triggers").
 */
export function decideTeardown(
  request: TeardownRequest,
  live: Gateway | undefined,
  policy: Policy,
): TeardownVerdict {
  if (!live) return { action: 'gone', reason: 'not_found' };
  if (isProtected(live, policy)) return { action: 'skip', reason: 'protected' };
  if (request.expectedName !== undefined && request.expectedName !== live.name) {
    return { action: 'skip', reason: 'stale_request' };
  }
  if (request.expectedCreatedAt !== undefined) {
    const expected = parseRfc3339(request.expectedCreatedAt);
    const actual = parseRfc3339(live.createdAt);
    if (actual === undefined || expected !== actual)
      return { action: 'skip', reason: 'stale_request' };
  }
  if (live.status === 'STATUS_DELETING') return { action: 'gone', reason: 'already_deleting' };
  return { action: 'delete' };
}
