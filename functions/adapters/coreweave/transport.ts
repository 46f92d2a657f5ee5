import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, type Dispatcher } from 'undici';
import { ApiError, type HttpSummary } from '#core/errors';
import type { Deadline, TokenSource } from '#core/ports';
import { type AdaptiveRate, decideAttempt, type Exchange, type RetryOptions } from './retry.ts';
import { apiMessage } from './wire.ts';

let sharedAgent: Agent | undefined;

/**
 * An undici Agent that speaks HTTP/1.1 only (undici's documented `allowH2` option). The
 * API serves REST/JSON over HTTP/1.1 (docs/coreweave-api.md), the pool's `connections`
 * bound counts HTTP/1.1 connections, and the simulator the tests run against speaks
 * HTTP/1.1: undici 8 would otherwise offer h2 in TLS ALPN.
 */
export function createAgent(options: Omit<Agent.Options, 'allowH2'> = {}): Agent {
  return new Agent({ ...options, allowH2: false });
}

/** One keep-alive connection pool per execution environment, reused across invocations. */
export function sharedDispatcher(): Agent {
  sharedAgent ??= createAgent({
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 60_000,
    connections: 512,
  });
  return sharedAgent;
}

/** The error code of an attempt cut off by its total deadline; retried like a timeout. */
export const TOTAL_TIMEOUT = 'TOTAL_TIMEOUT';

/**
 * Sends one request and reads its body to the end; never throws. `timeoutMs` bounds the
 * whole exchange (connect, headers and body): undici's bodyTimeout only bounds the gap
 * between chunks, so a body that trickles a byte at a time would otherwise never end
 * (docs/contract.md "The deadline"). Past it the request is aborted and its body destroyed.
 */
export async function sendOnce(
  dispatcher: Dispatcher,
  request: { origin: string; method: string; path: string; token: string; timeoutMs: number },
): Promise<Exchange> {
  if (request.timeoutMs <= 0) return { errorCode: TOTAL_TIMEOUT };
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), request.timeoutMs);
  try {
    const response = await dispatcher.request({
      origin: request.origin,
      path: request.path,
      method: request.method as Dispatcher.HttpMethod,
      headers: { authorization: `Bearer ${request.token}`, accept: 'application/json' },
      headersTimeout: request.timeoutMs,
      bodyTimeout: request.timeoutMs,
      signal: abort.signal,
    });
    // Always read the body to the end so the connection goes back to the pool.
    const text = await response.body.text();
    return { status: response.statusCode, text, retryAfter: response.headers['retry-after'] };
  } catch (error) {
    return { errorCode: abort.signal.aborted ? TOTAL_TIMEOUT : errorCode(error) };
  } finally {
    clearTimeout(timer);
  }
}

const UNTRUSTED = "the server's certificate was issued by an authority this machine does not trust";
// Transport codes in plain words, with what to check: a TLS failure means the server could
// not prove it is the API, so the token is not sent to it (docs/operations.md).
const EXPLAINED: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: "the server's certificate is self-signed",
  SELF_SIGNED_CERT_IN_CHAIN: "the server's certificate chain ends in a self-signed certificate",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: UNTRUSTED,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: UNTRUSTED,
  UNABLE_TO_GET_ISSUER_CERT: UNTRUSTED,
  CERT_HAS_EXPIRED: "the server's certificate has expired",
  CERT_NOT_YET_VALID: "the server's certificate is not valid yet (is this machine's clock right?)",
  ERR_TLS_CERT_ALTNAME_INVALID: "the server's certificate is for another host name",
  ENOTFOUND: 'the host name does not resolve: check COREWEAVE_API_URL',
  ECONNREFUSED: 'nothing accepts connections at that address: check COREWEAVE_API_URL',
};
const TLS_ADVICE =
  'the server cannot prove it is the API, so the token was not sent. Check COREWEAVE_API_URL; behind a proxy that inspects HTTPS, set NODE_EXTRA_CA_CERTS to its CA certificate file';

/** A failure's detail, followed by its transport code in plain words when there is one. */
export function explained(
  detail: string | undefined,
  code: string | undefined,
): string | undefined {
  const text = code === undefined ? undefined : EXPLAINED[code];
  if (!text) return detail;
  return `${detail ?? code}: ${/CERT/.test(code ?? '') ? `${text}: ${TLS_ADVICE}` : text}`;
}

/** The undici or system error code of a transport failure, looking through causes. */
export function errorCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return 'UNKNOWN';
}

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
          detail: explained(verdict.detail, outcome.errorCode),
          http: http(outcome.status),
        });
    }
  }
}
