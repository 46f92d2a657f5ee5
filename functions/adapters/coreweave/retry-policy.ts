import { RETRY_PROFILES } from './retry-profiles.ts';

/** Bounds of the retry loop; each caller's are in retry-profiles.ts. */
export interface RetryOptions {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** The sweep's caps, which follow CoreWeave's own client (200 ms to 5 s, 10 tries). */
export const DEFAULT_RETRY: RetryOptions = RETRY_PROFILES.sweep;

/** What went wrong with one attempt. */
export interface AttemptFailure {
  /** attempts made so far, including this one */
  attempt: number;
  status?: number;
  /** undici or system error code for a transport failure */
  errorCode?: string;
  /** a 2xx whose body could not be read as the expected JSON */
  badBody?: boolean;
  retryAfterMs?: number;
  /** time that may still be spent on this call */
  budgetMs: number;
}

export type RetryDecision =
  | { retry: true; delayMs: number; reason: string }
  | { retry: false; reason: string };

// Transport failures worth another try: resets (a keep-alive socket closed while the
// Lambda was frozen, as stripe-node notes), refused connects and timeouts.
const TRANSIENT_ERRORS = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_RESPONSE_STATUS_CODE',
  // send-once.ts: an attempt cut off by its total deadline (a trickling body).
  'TOTAL_TIMEOUT',
]);

/**
 * Decides whether a failed attempt is retried, and after how long; pure, with a
 * reason for every rule (after stripe-node `_shouldRetry` and octokit plugin-retry).
 */
export function decideRetry(
  failure: AttemptFailure,
  options: RetryOptions = DEFAULT_RETRY,
  random: () => number = Math.random,
): RetryDecision {
  const transient = classify(failure);
  if (!transient.retryable) return { retry: false, reason: transient.reason };
  if (failure.attempt >= options.maxAttempts) return { retry: false, reason: 'attempts_exhausted' };
  const exponential = Math.min(
    options.maxDelayMs,
    options.baseDelayMs * 2 ** (failure.attempt - 1),
  );
  // Full jitter spreads concurrent retries; Retry-After, when given, is a floor.
  const jittered = Math.round(exponential * (0.5 + random() / 2));
  const delayMs = Math.max(jittered, failure.retryAfterMs ?? 0);
  if (delayMs >= failure.budgetMs) return { retry: false, reason: 'deadline' };
  return { retry: true, delayMs, reason: transient.reason };
}

function classify(failure: AttemptFailure): { retryable: boolean; reason: string } {
  if (failure.status !== undefined && !failure.badBody) {
    if (failure.status === 429) return { retryable: true, reason: 'rate_limited' };
    // 501 Not Implemented will not change on a retry (CoreWeave's client skips it too).
    if (failure.status === 501) return { retryable: false, reason: 'not_implemented' };
    if (failure.status >= 500) return { retryable: true, reason: 'server_error' };
    return { retryable: false, reason: 'permanent' };
  }
  if (failure.badBody) return { retryable: true, reason: 'bad_body' };
  if (failure.errorCode && TRANSIENT_ERRORS.has(failure.errorCode)) {
    return { retryable: true, reason: 'network' };
  }
  return { retryable: false, reason: 'unknown_error' };
}

/** Parses Retry-After (delta seconds or an HTTP date) to ms from `nowMs`. */
export function parseRetryAfter(
  value: string | string[] | undefined,
  nowMs: number,
): number | undefined {
  const header = Array.isArray(value) ? value[0] : value;
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Math.min(Number(header.trim()), 86_400) * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
