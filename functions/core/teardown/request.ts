import * as z from 'zod/mini';
import { GATEWAY_ID, type Gateway } from '../model.ts';
import type { Policy } from '../policy/compile-policy.ts';
import { hasUsableIdentity, isProtected } from '../policy/evaluate-gateway.ts';
import { SQS_MAX_DELAY_SECONDS } from '../ports.ts';
import { parseDuration, parseRfc3339 } from '../time.ts';

// English messages, as zod classic gave them (policy.ts says why).
z.config(z.locales.en());

const MAX_BODY_CHARS = 16_384;

const timestamp = z.string().check(
  z.maxLength(40),
  z.refine((text) => parseRfc3339(text) !== undefined, {
    message: 'expected an RFC 3339 timestamp with a zone',
  }),
);
const printable = (max: number) =>
  z
    .string()
    .check(
      z.maxLength(max, `at most ${max} characters`),
      z.regex(/^[^\p{Cc}]*$/u, 'control characters are not allowed'),
    );

const schema = z.strictObject({
  gatewayId: z.pipe(
    z.string().check(z.regex(GATEWAY_ID, 'expected a gateway uuid')),
    // Upper-case uuids are the same gateway: normalise, don't reject.
    z.transform((id: string) => id.toLowerCase()),
  ),
  expiresAt: z.optional(timestamp),
  reason: z.optional(printable(500)),
  requestedBy: z.optional(printable(200)),
  expectedName: z.optional(printable(100)),
  expectedCreatedAt: z.optional(timestamp),
  /** delete the deployments that serve only this gateway first */
  deleteDeployments: z.optional(z.boolean()),
  /** when deployments first held the request back; set by the janitor when it defers */
  deferredSince: z.optional(timestamp),
});

/** A validated teardown request (docs/contract.md "Triggers", teardown). */
export type TeardownRequest = z.output<typeof schema>;

/** Either the request, or the field at fault and why. */
export type ParsedTeardownRequest =
  | { ok: true; request: TeardownRequest }
  | { ok: false; field: string; message: string };

/** Parses an SQS message body; never throws, so a bad message can be recorded and parked. */
export function parseTeardownRequest(body: string): ParsedTeardownRequest {
  if (body.length > MAX_BODY_CHARS) {
    return { ok: false, field: 'body', message: `longer than ${MAX_BODY_CHARS} characters` };
  }
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    return { ok: false, field: 'body', message: 'not valid JSON' };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { ok: false, field: 'body', message: 'expected a JSON object' };
  }
  const result = schema.safeParse(data);
  if (result.success) return { ok: true, request: result.data };
  const issue = result.error.issues[0];
  if (issue?.code === 'unrecognized_keys') {
    const keys = issue.keys.map((key) => JSON.stringify(key.slice(0, 40))).join(', ');
    return {
      ok: false,
      field: 'body',
      message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${keys}`,
    };
  }
  const field = issue?.path.length ? issue.path.map(String).join('.') : 'body';
  return { ok: false, field, message: issue?.message ?? 'invalid request' };
}

/**
 * The body that re-sends a request pinned to the live gateway, or undefined when that body
 * would not parse again (a live name too long for `expectedName`, say). Then nothing is
 * re-sent: the original body carries less identity than the janitor has seen, and a later
 * delivery could delete a gateway that reused the id (docs/reliability.md).
 */
export function pinnedBody(request: TeardownRequest): string | undefined {
  const text = JSON.stringify(request);
  return parseTeardownRequest(text).ok ? text : undefined;
}

/** When a request is not yet due: how long to wait before looking again. */
export type DueCheck = { due: true } | { due: false; dueAt: string; delaySeconds: number };

/** Is the request due? A request with no expiresAt, or one in the past, is. */
export function checkDue(request: TeardownRequest, nowMs: number): DueCheck {
  const expiresAt = parseRfc3339(request.expiresAt);
  if (expiresAt === undefined || expiresAt <= nowMs) return { due: true };
  const secondsLeft = Math.ceil((expiresAt - nowMs) / 1000);
  return {
    due: false,
    dueAt: new Date(expiresAt).toISOString(),
    delaySeconds: Math.min(SQS_MAX_DELAY_SECONDS, secondsLeft),
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
const DEFAULT_HORIZON_MS = parseDuration(DEFAULT_TEARDOWN_MAX_HORIZON) as number;

/** The horizon in force: TEARDOWN_MAX_HORIZON, or 30 days when it is not set. */
export function horizonMs(settings: { maxHorizonMs?: number }): number {
  return settings.maxHorizonMs ?? DEFAULT_HORIZON_MS;
}

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
