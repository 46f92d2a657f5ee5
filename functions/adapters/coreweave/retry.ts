import type { ApiError } from '#core/errors';
import type { Clock } from '#core/ports';
import { parseJson } from './wire.ts';

/** What one HTTP exchange gave: a status and the whole body, or a transport error code. */
export interface Exchange {
  status?: number;
  text?: string;
  retryAfter?: string | string[];
  errorCode?: string;
}

/** Bounds of the retry loop; each caller's are in RETRY_PROFILES below. */
export interface RetryOptions {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Who is calling the API; each caller can afford a different amount of retrying. */
export type RetryProfileName = 'sweep' | 'teardown' | 'cli';

/**
 * The retry caps of every caller, in one place. The sweep follows CoreWeave's own client
 * (200 ms to 5 s, 10 tries). A teardown request retries briefly and leaves the rest to
 * SQS, which redelivers what the handler hands back, instead of holding the batch for a
 * minute. An operator at a terminal is waiting: give up on an unreachable API in about
 * 3 s, not 20 s; a rerun is one keystroke away.
 */
export const RETRY_PROFILES: Readonly<Record<RetryProfileName, Readonly<RetryOptions>>> = {
  sweep: { maxAttempts: 10, baseDelayMs: 200, maxDelayMs: 5_000 },
  teardown: { maxAttempts: 3, baseDelayMs: 200, maxDelayMs: 5_000 },
  cli: { maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 5_000 },
};

/**
 * How much of an invocation's time is kept back once no new work starts: room for one
 * request in flight (the per-request timeout) plus 2 s to record the outcome.
 */
export function deadlineMarginMs(requestTimeoutMs: number): number {
  return requestTimeoutMs + 2_000;
}

/**
 * The total time one attempt may take, connect to last body byte: the request timeout,
 * cut to what the invocation has left less the flush budget. The margin above keeps one
 * timeout in reserve past `budgetMs`, so `budgetMs + requestTimeoutMs` is exactly the
 * remaining time less those 2 s (docs/contract.md "The deadline"). 0: no time to send.
 */
export function attemptTimeoutMs(requestTimeoutMs: number, budgetMs: number): number {
  return Math.max(0, Math.floor(Math.min(requestTimeoutMs, budgetMs + requestTimeoutMs)));
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
  // transport.ts: an attempt cut off by its total deadline (a trickling body).
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

/** Tuning of the adaptive request rate; the defaults are what the benchmarks measured. */
export interface AdaptiveRateOptions {
  /** after a 429, the new rate is this share of the rate the API accepted just before */
  decrease: number;
  /** the additive increase per second, as a share of the rate set by the last decrease */
  increaseShare: number;
  /** ... and at least this many requests/s per second */
  minIncreaseRps: number;
  /** never paced slower than this */
  minRps: number;
  /** the window over which the accepted rate is measured, and the gap between two decreases */
  windowMs: number;
}

export const DEFAULT_ADAPTIVE_RATE: AdaptiveRateOptions = {
  decrease: 0.9,
  increaseShare: 0.01,
  minIncreaseRps: 1,
  minRps: 5,
  windowMs: 1000,
};

/**
 * Paces requests to the rate the API accepts: additive increase, multiplicative
 * decrease on 429 (docs/benchmarks.md). Unpaced until the first 429; then the rate is set just
 * under what the API accepted over the last window (with a token bucket that is its
 * refill rate) and creeps up slowly, so a 429 stays rare. Pure: the caller sleeps.
 */
export class AdaptiveRate {
  readonly #options: AdaptiveRateOptions;
  readonly #clock: Clock;
  readonly #accepted: number[] = [];
  #head = 0;
  #rps: number | undefined;
  #step = 0;
  #updatedAt = 0;
  #decreasedAt = Number.NEGATIVE_INFINITY;
  #nextSlot = 0;

  constructor(clock: Clock, options: Partial<AdaptiveRateOptions> = {}) {
    this.#clock = clock;
    this.#options = { ...DEFAULT_ADAPTIVE_RATE, ...options };
  }

  /** The current rate in requests/s; undefined while unpaced. */
  get rps(): number | undefined {
    this.#increase(this.#clock.now());
    return this.#rps;
  }

  /** Reserves the next start slot: how long to wait before sending (0: now). */
  reserve(): number {
    const now = this.#clock.now();
    this.#increase(now);
    if (this.#rps === undefined) return 0;
    // No credit for idle time: a paced client never bursts.
    const slot = Math.max(now, this.#nextSlot);
    this.#nextSlot = slot + 1000 / this.#rps;
    return slot - now;
  }

  /** Records one response; undefined is a transport failure, which says nothing of the rate. */
  observe(status: number | undefined): void {
    if (status === undefined) return;
    const now = this.#clock.now();
    if (status !== 429) {
      this.#accepted.push(now);
      this.#prune(now);
      return;
    }
    // The 429s of requests already in flight echo the same overload: one decrease per window.
    if (now - this.#decreasedAt < this.#options.windowMs) return;
    this.#prune(now);
    const acceptedRps = ((this.#accepted.length - this.#head) * 1000) / this.#options.windowMs;
    const { decrease, minRps, increaseShare, minIncreaseRps } = this.#options;
    const current = this.#rps ?? Number.POSITIVE_INFINITY;
    this.#rps = Math.max(minRps, decrease * Math.min(current, acceptedRps));
    this.#step = Math.max(minIncreaseRps, increaseShare * this.#rps);
    this.#decreasedAt = now;
    this.#updatedAt = now;
  }

  #increase(now: number): void {
    if (this.#rps === undefined || now <= this.#updatedAt) return;
    this.#rps += (this.#step * (now - this.#updatedAt)) / 1000;
    this.#updatedAt = now;
  }

  #prune(now: number): void {
    const from = now - this.#options.windowMs;
    while (this.#head < this.#accepted.length && (this.#accepted[this.#head] as number) <= from)
      this.#head += 1;
    if (this.#head > 1024 && this.#head * 2 > this.#accepted.length) {
      this.#accepted.splice(0, this.#head);
      this.#head = 0;
    }
  }
}
