import { Agent, type Dispatcher } from 'undici';

/** What one HTTP exchange gave: a status and the whole body, or a transport error code. */
export interface Exchange {
  status?: number;
  text?: string;
  retryAfter?: string | string[];
  errorCode?: string;
}

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
