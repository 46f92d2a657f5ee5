import { once } from 'node:events';
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdaptiveRate, type Exchange, type RetryOptions } from '#adapters/coreweave/retry';
import {
  createAgent,
  type RetryingOptions,
  sendOnce,
  sendWithRetries,
} from '#adapters/coreweave/transport';
import { ApiError } from '#core/errors';
import type { TokenSource } from '#core/ports';
import { LOOPBACK_TLS } from '#test/fixtures/loopback-tls';

const CAPS: RetryOptions = { maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 1_000 };
const CANARY = 'CW-SECRET-canary-token-0002';
const REQUEST = { method: 'DELETE', path: '/v1alpha1/inference/gateways/x', deadline: forever() };

function forever() {
  return { budgetMs: () => 60_000 };
}

/** An in-memory API: answers each exchange with the next scripted outcome and records tokens. */
function scripted(...outcomes: Exchange[]) {
  const tokens: string[] = [];
  const exchange = (token: string): Promise<Exchange> => {
    tokens.push(token);
    const next = outcomes[Math.min(tokens.length, outcomes.length) - 1] as Exchange;
    return Promise.resolve(next);
  };
  return { exchange, tokens };
}

/** Fake time: sleeping advances the clock and is recorded instead of waited. */
function world(overrides: Partial<RetryingOptions> = {}) {
  let clock = 0;
  const slept: number[] = [];
  const refreshes: string[] = [];
  const tokens: TokenSource = {
    get: () => Promise.resolve(CANARY),
    refresh: (stale) => {
      refreshes.push(stale);
      return Promise.resolve('CW-SECRET-rotated');
    },
  };
  const options: RetryingOptions = {
    tokens,
    retry: CAPS,
    now: () => clock,
    random: () => 1,
    sleep: (ms) => {
      slept.push(ms);
      clock += ms;
      return Promise.resolve();
    },
    ...overrides,
  };
  return { options, slept, refreshes };
}

const ok = { status: 200, text: '{"gateway":{}}' };

describe('sendWithRetries', () => {
  it('answers after backing off through a 503 and a reset, counting attempts and time', async () => {
    // Prepare
    const api = scripted({ status: 503, text: 'busy' }, { errorCode: 'ECONNRESET' }, ok);
    const { options, slept } = world();

    // Act
    const reply = await sendWithRetries(REQUEST, api.exchange, options);

    // Assess
    expect(reply).toEqual({
      status: 200,
      body: { gateway: {} },
      http: { status: 200, attempts: 3, durationMs: 300 },
    });
    expect(slept).toEqual([100, 200]);
  });

  it('fetches the token again once on a 401 and sends the new one, without a backoff', async () => {
    const api = scripted({ status: 401, text: '' }, ok);
    const { options, slept, refreshes } = world();

    const reply = await sendWithRetries(REQUEST, api.exchange, options);

    expect(reply.http).toMatchObject({ status: 200, attempts: 2 });
    expect(api.tokens).toEqual([CANARY, 'CW-SECRET-rotated']);
    expect(refreshes).toEqual([CANARY]);
    expect(slept).toEqual([]);
  });

  it('stops with API_UNAUTHENTICATED when the new token is rejected too', async () => {
    const api = scripted({ status: 401, text: '{"message":"unauthenticated"}' });
    const { options, refreshes } = world();

    const error = await sendWithRetries(REQUEST, api.exchange, options).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      code: 'API_UNAUTHENTICATED',
      status: 401,
      apiMessage: 'unauthenticated',
      http: { status: 401, attempts: 2 },
    });
    expect(refreshes).toHaveLength(1);
  });

  it('gives up after the cap with the decided error code and the API message, token redacted', async () => {
    const api = scripted({ status: 503, text: `{"message":"down for Bearer ${CANARY}"}` });
    const { options } = world();

    const error = (await sendWithRetries(REQUEST, api.exchange, options).catch(
      (e: unknown) => e,
    )) as ApiError;

    expect(api.tokens).toHaveLength(CAPS.maxAttempts);
    expect(error).toMatchObject({
      code: 'API_TRANSIENT',
      method: 'DELETE',
      path: REQUEST.path,
      status: 503,
      apiMessage: 'down for Bearer [REDACTED]',
      http: { status: 503, attempts: CAPS.maxAttempts },
    });
    expect(`${error.message}${error.stack}`).not.toContain(CANARY);
  });

  it('fails a body that stays unreadable as API_BAD_RESPONSE, without an API message', async () => {
    const api = scripted({ status: 200, text: '<html>maintenance</html>' });
    const { options } = world();

    const error = await sendWithRetries(REQUEST, api.exchange, options).catch((e: unknown) => e);

    expect(error).toMatchObject({
      code: 'API_BAD_RESPONSE',
      apiMessage: undefined,
      message: expect.stringContaining('response body is not the expected JSON'),
    });
  });

  it('fails a permanent answer at once', async () => {
    const api = scripted({ status: 409, text: '{"message":"referenced by deployments"}' });
    const { options, slept } = world();

    const error = await sendWithRetries(REQUEST, api.exchange, options).catch((e: unknown) => e);

    expect(error).toMatchObject({
      code: 'API_PERMANENT',
      apiMessage: 'referenced by deployments',
      http: { attempts: 1 },
    });
    expect(slept).toEqual([]);
  });

  it('waits for its paced slot before sending, and tells the rate and the listener each status', async () => {
    // Prepare
    let clock = 0;
    const rate = new AdaptiveRate({ now: () => clock });
    rate.observe(429);
    rate.reserve(); // 5 requests/s from now: the next slot is 200 ms away
    const seen: Array<number | undefined> = [];
    const api = scripted({ status: 429, text: '', retryAfter: '0' }, ok);
    const { options, slept } = world({
      rate,
      now: () => clock,
      onResponse: (status) => seen.push(status),
      sleep: (ms) => {
        slept.push(ms);
        clock += ms;
        return Promise.resolve();
      },
    });

    // Act
    await sendWithRetries(REQUEST, api.exchange, options);

    // Assess
    expect(slept[0]).toBe(200);
    expect(seen).toEqual([429, 200]);
  });

  it('does not wait for a paced slot past the deadline, and sends nothing', async () => {
    const rate = new AdaptiveRate({ now: () => 0 });
    rate.observe(429);
    rate.reserve();
    const api = scripted(ok);
    const { options, slept } = world({ rate });

    const error = await sendWithRetries(
      { ...REQUEST, deadline: { budgetMs: () => 100 } },
      api.exchange,
      options,
    ).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'API_TRANSIENT', http: { attempts: 1 } });
    expect((error as Error).message).toContain('deadline (rate-limited)');
    expect(api.tokens).toEqual([]);
    expect(slept).toEqual([]);
  });
});

// The API serves REST/JSON over HTTP/1.1 (docs/coreweave-api.md). undici 8 offers h2 in
// TLS ALPN unless told not to; the janitor's Agent offers only http/1.1, the protocol the
// simulator and the tests speak.
describe('createAgent', () => {
  let server: Http2SecureServer;
  let origin: string;

  beforeAll(async () => {
    // A server that speaks both and prefers h2, as an ALPN peer may.
    server = createSecureServer({ ...LOOPBACK_TLS, allowHTTP1: true }, (request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ httpVersion: request.httpVersion }));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.close();
  });

  async function versionSeenWith(agent: Agent): Promise<unknown> {
    try {
      const exchange = await sendOnce(agent, {
        origin,
        method: 'GET',
        path: '/v1alpha1/inference/gateways',
        token: 'not-a-real-token',
        timeoutMs: 5_000,
      });
      return exchange.errorCode ?? JSON.parse(exchange.text ?? '{}').httpVersion;
    } finally {
      await agent.close();
    }
  }

  it('speaks HTTP/1.1 to a server that offers h2', async () => {
    const agent = createAgent({ connect: { ca: LOOPBACK_TLS.cert } });

    expect(await versionSeenWith(agent)).toBe('1.1');
  });

  it('differs from undici’s default Agent, which negotiates h2 with the same server', async () => {
    const agent = new Agent({ connect: { ca: LOOPBACK_TLS.cert } });

    expect(await versionSeenWith(agent)).toBe('2.0');
  });
});
