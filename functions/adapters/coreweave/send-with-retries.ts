import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError, type HttpSummary } from '#core/errors';
import type { Deadline, TokenSource } from '#core/ports';
import type { AdaptiveRate } from './adaptive-rate.ts';
import { decideAttempt } from './decide-attempt.ts';
import { apiMessage } from './error-body.ts';
import type { RetryOptions } from './retry-policy.ts';
import type { Exchange } from './send-once.ts';

/** A call's answer: a 2xx with its parsed JSON body, or a 404 without one. */
export interface Reply {
  status: number;
  body: unknown;
  http: HttpSummary;
}

/** What the retrying wrapper needs besides the exchange itself. */
export interface RetryingOptions {
  tokens: TokenSource;
  retry: RetryOptions;
  /** paces attempts after a 429; absent: unpaced */
  rate?: AdaptiveRate;
  now: () => number;
  random?: () => number;
  sleep?: (ms: number) => Promise<unknown>;
  /** Told about each response status (benchmarks listen). */
  onResponse?: (status: number | undefined) => void;
}

/** Repeats one exchange until decideAttempt answers or fails; paces, refreshes the token, backs off. */
export async function sendWithRetries(
  request: { method: string; path: string; deadline: Deadline },
  exchange: (token: string) => Promise<Exchange>,
  options: RetryingOptions,
): Promise<Reply> {
  const { method, path, deadline } = request;
  const pause = options.sleep ?? sleep;
  const started = options.now();
  let token = await options.tokens.get();
  let refreshed = false;
  for (let attempt = 1; ; attempt++) {
    const http = (status?: number): HttpSummary => ({
      status,
      attempts: attempt,
      durationMs: options.now() - started,
    });
    const wait = options.rate?.reserve() ?? 0;
    if (wait > 0) {
      // Pacing after 429s must not outlast the invocation any more than a retry may.
      if (wait >= deadline.budgetMs()) {
        throw new ApiError('API_TRANSIENT', {
          method,
          path,
          detail: 'deadline (rate-limited)',
          http: http(),
        });
      }
      await pause(wait);
    }
    const outcome = await exchange(token);
    options.rate?.observe(outcome.status);
    options.onResponse?.(outcome.status);
    const verdict = decideAttempt(
      outcome,
      { attempt, refreshed, budgetMs: deadline.budgetMs(), nowMs: options.now() },
      options.retry,
      options.random,
    );
    switch (verdict.action) {
      case 'answer':
        return { status: verdict.status, body: verdict.body, http: http(verdict.status) };
      case 'refresh_token':
        refreshed = true;
        token = await options.tokens.refresh(token);
        break;
      case 'retry':
        await pause(verdict.delayMs);
        break;
      case 'fail':
        throw new ApiError(verdict.code, {
          method,
          path,
          status: outcome.status,
          apiMessage: verdict.withApiMessage ? apiMessage(outcome.text, token) : undefined,
          detail: verdict.detail,
          http: http(outcome.status),
        });
    }
  }
}
