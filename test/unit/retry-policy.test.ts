import { describe, expect, it } from 'vitest';
import { decideRetry, parseRetryAfter } from '#adapters/coreweave/retry-policy';

const half = () => 0.5;
const plenty = 60_000;

describe('decideRetry', () => {
  it.each([
    ['429', { status: 429 }, true, 'rate_limited'],
    ['500', { status: 500 }, true, 'server_error'],
    ['502', { status: 502 }, true, 'server_error'],
    ['503', { status: 503 }, true, 'server_error'],
    ['504', { status: 504 }, true, 'server_error'],
    ['501 is never retried', { status: 501 }, false, 'not_implemented'],
    ['400 is permanent', { status: 400 }, false, 'permanent'],
    ['409 is permanent', { status: 409 }, false, 'permanent'],
    ['422 is permanent', { status: 422 }, false, 'permanent'],
    ['a connection reset', { errorCode: 'ECONNRESET' }, true, 'network'],
    ['an undici socket error', { errorCode: 'UND_ERR_SOCKET' }, true, 'network'],
    ['a headers timeout', { errorCode: 'UND_ERR_HEADERS_TIMEOUT' }, true, 'network'],
    ['a body timeout', { errorCode: 'UND_ERR_BODY_TIMEOUT' }, true, 'network'],
    ['a 200 with a body that is not JSON', { status: 200, badBody: true }, true, 'bad_body'],
    ['an unknown error', { errorCode: 'ERR_INVALID_URL' }, false, 'unknown_error'],
  ])('%s', (_title, failure, retry, reason) => {
    const decision = decideRetry({ attempt: 1, budgetMs: plenty, ...failure }, undefined, half);
    expect(decision.retry).toBe(retry);
    expect(decision.reason).toBe(reason);
  });

  it('backs off exponentially with jitter up to the cap', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7].map((attempt) => {
      const d = decideRetry({ attempt, status: 503, budgetMs: plenty }, undefined, () => 1);
      return d.retry ? d.delayMs : -1;
    });
    expect(delays).toEqual([200, 400, 800, 1600, 3200, 5000, 5000]);
    const low = decideRetry({ attempt: 3, status: 503, budgetMs: plenty }, undefined, () => 0);
    expect(low.retry && low.delayMs).toBe(400);
  });

  it('honours Retry-After as a floor', () => {
    const d = decideRetry(
      { attempt: 1, status: 429, retryAfterMs: 3_000, budgetMs: plenty },
      undefined,
      half,
    );
    expect(d).toEqual({ retry: true, delayMs: 3_000, reason: 'rate_limited' });
  });

  it('stops after maxAttempts', () => {
    expect(decideRetry({ attempt: 10, status: 503, budgetMs: plenty })).toEqual({
      retry: false,
      reason: 'attempts_exhausted',
    });
    expect(
      decideRetry(
        { attempt: 2, status: 503, budgetMs: plenty },
        { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
      ).retry,
    ).toBe(false);
  });

  it('does not sleep past the deadline', () => {
    expect(
      decideRetry({ attempt: 1, status: 429, retryAfterMs: 30_000, budgetMs: 10_000 }),
    ).toEqual({ retry: false, reason: 'deadline' });
    expect(decideRetry({ attempt: 1, status: 503, budgetMs: 0 })).toEqual({
      retry: false,
      reason: 'deadline',
    });
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-26T12:00:00Z');
  it.each([
    ['2', 2_000],
    [' 0 ', 0],
    ['Thu, 26 Nov 2026 12:00:05 GMT', 5_000],
    ['Thu, 26 Nov 2026 11:00:00 GMT', 0],
    ['soon', undefined],
    [undefined, undefined],
    ['99999999', 86_400_000],
  ])('%s -> %s ms', (header, expected) => {
    expect(parseRetryAfter(header, now)).toBe(expected);
  });
});
