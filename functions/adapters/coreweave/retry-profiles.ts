import type { RetryOptions } from './retry-policy.ts';

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
