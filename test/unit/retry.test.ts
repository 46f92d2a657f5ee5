import { describe, expect, it } from 'vitest';
import {
  type AttemptContext,
  decideAttempt,
  decideRetry,
  type Exchange,
  parseRetryAfter,
  type RetryOptions,
} from '#adapters/coreweave/retry';

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

const CAPS: RetryOptions = { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 1_000 };
const top = () => 1;
const first: AttemptContext = { attempt: 1, refreshed: false, budgetMs: 60_000, nowMs: 0 };
const last: AttemptContext = { ...first, attempt: CAPS.maxAttempts };
const json = (status: number, body: unknown = {}): Exchange => ({
  status,
  text: JSON.stringify(body),
});

describe('decideAttempt', () => {
  it.each<[string, Exchange, Partial<AttemptContext>, unknown]>([
    [
      'answers a 200 with its JSON body',
      json(200, { items: [] }),
      {},
      { action: 'answer', status: 200, body: { items: [] } },
    ],
    [
      'answers a 404 without a body, whatever it says',
      json(404, { code: 5, message: 'not found' }),
      {},
      { action: 'answer', status: 404, body: undefined },
    ],
    ['fetches the token again on a first 401', json(401), {}, { action: 'refresh_token' }],
    [
      'retries a 429 after its Retry-After',
      { status: 429, text: '', retryAfter: '2' },
      {},
      { action: 'retry', delayMs: 2_000, reason: 'rate_limited' },
    ],
    [
      'retries a 503 after the first backoff step',
      json(503),
      {},
      { action: 'retry', delayMs: 100, reason: 'server_error' },
    ],
    [
      'retries a 200 whose body is not JSON',
      { status: 200, text: '{"items": [' },
      {},
      { action: 'retry', delayMs: 100, reason: 'bad_body' },
    ],
    [
      'retries a 200 with an empty body',
      { status: 200, text: '' },
      {},
      { action: 'retry', delayMs: 100, reason: 'bad_body' },
    ],
    [
      'retries a connection reset',
      { errorCode: 'ECONNRESET' },
      {},
      { action: 'retry', delayMs: 100, reason: 'network' },
    ],
    [
      'backs off exponentially on a later attempt',
      { errorCode: 'UND_ERR_HEADERS_TIMEOUT' },
      { attempt: 2 },
      { action: 'retry', delayMs: 200, reason: 'network' },
    ],
  ])('%s', (_title, exchange, context, verdict) => {
    expect(decideAttempt(exchange, { ...first, ...context }, CAPS, top)).toEqual(verdict);
  });

  it.each<[string, Exchange, AttemptContext, string, string, string | undefined, boolean]>([
    [
      'a 401 after the token was fetched again',
      json(401),
      { ...first, attempt: 2, refreshed: true },
      'API_UNAUTHENTICATED',
      'unauthenticated',
      undefined,
      true,
    ],
    [
      'a 403, without fetching the token again',
      json(403),
      first,
      'API_FORBIDDEN',
      'forbidden',
      undefined,
      true,
    ],
    ['a 400', json(400), first, 'API_PERMANENT', 'permanent', 'permanent', true],
    ['a 409', json(409), first, 'API_PERMANENT', 'permanent', 'permanent', true],
    ['a 412', json(412), first, 'API_PERMANENT', 'permanent', 'permanent', true],
    ['a 422', json(422), first, 'API_PERMANENT', 'permanent', 'permanent', true],
    ['a redirect', json(302), first, 'API_PERMANENT', 'permanent', 'permanent', true],
    ['a 501', json(501), first, 'API_PERMANENT', 'not_implemented', 'not_implemented', true],
    [
      'a 503 on the last attempt',
      json(503),
      last,
      'API_TRANSIENT',
      'attempts_exhausted',
      'attempts_exhausted',
      true,
    ],
    [
      'a 503 with no time left to wait',
      json(503),
      { ...first, budgetMs: 50 },
      'API_TRANSIENT',
      'deadline',
      'deadline',
      true,
    ],
    [
      'a 429 whose Retry-After outlasts the deadline',
      { status: 429, retryAfter: '30' },
      { ...first, budgetMs: 10_000 },
      'API_TRANSIENT',
      'deadline',
      'deadline',
      true,
    ],
    [
      'a connection reset on the last attempt',
      { errorCode: 'ECONNRESET' },
      last,
      'API_TRANSIENT',
      'attempts_exhausted',
      'attempts_exhausted (ECONNRESET)',
      true,
    ],
    [
      'a transport error it does not know',
      { errorCode: 'ERR_INVALID_URL' },
      first,
      'API_TRANSIENT',
      'unknown_error',
      'unknown_error (ERR_INVALID_URL)',
      true,
    ],
    [
      'a 200 whose body is not JSON on the last attempt',
      { status: 200, text: '<html>' },
      last,
      'API_BAD_RESPONSE',
      'attempts_exhausted',
      'response body is not the expected JSON',
      false,
    ],
  ])('fails on %s', (_title, exchange, context, code, reason, detail, withApiMessage) => {
    expect(decideAttempt(exchange, context, CAPS, top)).toEqual({
      action: 'fail',
      code,
      reason,
      detail,
      withApiMessage,
    });
  });

  it('reads an HTTP-date Retry-After against the time it is given', () => {
    // Prepare
    const nowMs = Date.parse('2026-01-01T00:00:00Z');
    const exchange: Exchange = { status: 429, retryAfter: 'Thu, 01 Jan 2026 00:00:03 GMT' };

    // Act
    const verdict = decideAttempt(exchange, { ...first, nowMs }, CAPS, top);

    // Assess
    expect(verdict).toEqual({ action: 'retry', delayMs: 3_000, reason: 'rate_limited' });
  });
});
