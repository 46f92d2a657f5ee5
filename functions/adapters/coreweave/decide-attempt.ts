import type { ApiError } from '#core/errors';
import { parseJson } from './error-body.ts';
import { decideRetry, parseRetryAfter, type RetryOptions } from './retry-policy.ts';
import type { Exchange } from './send-once.ts';

/** The error codes one attempt can end a call with. */
export type AttemptErrorCode = Extract<
  ApiError['code'],
  'API_UNAUTHENTICATED' | 'API_FORBIDDEN' | 'API_PERMANENT' | 'API_TRANSIENT' | 'API_BAD_RESPONSE'
>;

/** Where a call stands when an attempt's exchange comes back. */
export interface AttemptContext {
  /** attempts made so far, including this one */
  attempt: number;
  /** whether the token was already fetched again during this call */
  refreshed: boolean;
  /** time that may still be spent on this call */
  budgetMs: number;
  nowMs: number;
}

/** What to do after one exchange: answer, fetch the token again, retry, or fail with a named error. */
export type AttemptVerdict =
  | { action: 'answer'; status: number; body: unknown }
  | { action: 'refresh_token' }
  | { action: 'retry'; delayMs: number; reason: string }
  | {
      action: 'fail';
      code: AttemptErrorCode;
      reason: string;
      detail?: string;
      /** whether the API's own message is worth reading from the body */
      withApiMessage: boolean;
    };

/**
 * Decides what one exchange means for the call; pure. Every way a call can end is here,
 * together with the error code it ends with (docs/coreweave-api.md "Errors and retries").
 */
export function decideAttempt(
  exchange: Exchange,
  context: AttemptContext,
  options: RetryOptions,
  random?: () => number,
): AttemptVerdict {
  const { status } = exchange;
  // The secret may have rotated under us: fetch it again once, then retry once.
  if (status === 401 && !context.refreshed) return { action: 'refresh_token' };
  if (status === 401) {
    return fail('API_UNAUTHENTICATED', 'unauthenticated', undefined, true);
  }
  if (status === 403) return fail('API_FORBIDDEN', 'forbidden', undefined, true);
  // 404 is an answer, not a failure: each call says what a missing resource means.
  if (status === 404) return { action: 'answer', status, body: undefined };
  if (status !== undefined && status >= 200 && status < 300) {
    const body = parseJson(exchange.text);
    if (body !== undefined) return { action: 'answer', status, body };
  }
  const badBody = status !== undefined && status < 300;
  const decision = decideRetry(
    {
      attempt: context.attempt,
      status,
      errorCode: exchange.errorCode,
      badBody,
      retryAfterMs: parseRetryAfter(exchange.retryAfter, context.nowMs),
      budgetMs: context.budgetMs,
    },
    options,
    random,
  );
  if (decision.retry)
    return { action: 'retry', delayMs: decision.delayMs, reason: decision.reason };
  if (badBody) {
    return fail(
      'API_BAD_RESPONSE',
      decision.reason,
      'response body is not the expected JSON',
      false,
    );
  }
  const transient = decision.reason !== 'permanent' && decision.reason !== 'not_implemented';
  const detail = `${decision.reason}${exchange.errorCode ? ` (${exchange.errorCode})` : ''}`;
  return fail(transient ? 'API_TRANSIENT' : 'API_PERMANENT', decision.reason, detail, true);
}

function fail(
  code: AttemptErrorCode,
  reason: string,
  detail: string | undefined,
  withApiMessage: boolean,
): AttemptVerdict {
  return { action: 'fail', code, reason, detail, withApiMessage };
}
