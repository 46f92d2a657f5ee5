import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { AdaptiveRate } from '#core/adaptive-rate';
import { ApiError, type HttpSummary } from '#core/errors';
import { GATEWAY_ID, type Gateway } from '#core/gateway';
import type { Deadline, DeleteResult, GatewayApi, TokenSource } from '#core/ports';
import { apiMessage, parseJson } from './error-body.ts';
import { DEFAULT_RETRY, decideRetry, parseRetryAfter, type RetryOptions } from './retry-policy.ts';
import { sendOnce, sharedDispatcher } from './send-once.ts';
import { parseGatewayBody, parseListBody } from './wire-gateway.ts';

const GATEWAYS = '/v1alpha1/inference/gateways';

/** How the client reaches the API; everything but the URL and token has a default. */
export interface CoreWeaveClientOptions {
  baseUrl: string;
  tokens: TokenSource;
  dispatcher?: Dispatcher;
  /** per-request headers and body timeout */
  timeoutMs?: number;
  retry?: Partial<RetryOptions>;
  random?: () => number;
  now?: () => number;
  /** Told about each response status (benchmarks listen). */
  onResponse?: (status: number | undefined) => void;
  /** Paces requests after a 429 (issue 6); `false` turns pacing off. */
  adaptiveRate?: AdaptiveRate | false;
}

interface Reply {
  status: number;
  body: unknown;
  http: HttpSummary;
}

/** The CoreWeave gateway REST API over undici; the only module that knows the wire format. */
export class CoreWeaveClient implements GatewayApi {
  readonly #options: CoreWeaveClientOptions;
  readonly #origin: URL;
  readonly #retry: RetryOptions;
  readonly #rate: AdaptiveRate | undefined;

  constructor(options: CoreWeaveClientOptions) {
    this.#options = options;
    this.#origin = new URL(options.baseUrl);
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    // One rate per client, and so per execution environment: what a warm invocation
    // learned about the API's rate limit carries over to the next.
    this.#rate =
      options.adaptiveRate === false
        ? undefined
        : (options.adaptiveRate ?? new AdaptiveRate({ now: options.now ?? Date.now }));
  }

  async list(deadline: Deadline): Promise<Gateway[]> {
    const reply = await this.#send('GET', GATEWAYS, deadline);
    // ListGateways may answer NotFound when there is nothing to list (the provider's sweeper guards for it).
    if (reply.status === 404) return [];
    return parseListBody(reply.body, 'GET', GATEWAYS, reply.http);
  }

  async get(
    id: string,
    deadline: Deadline,
  ): Promise<{ gateway: Gateway | undefined; http: HttpSummary }> {
    const path = gatewayPath(id, 'GET');
    const reply = await this.#send('GET', path, deadline);
    if (reply.status === 404) return { gateway: undefined, http: reply.http };
    return { gateway: parseGatewayBody(reply.body, 'GET', path, reply.http), http: reply.http };
  }

  async delete(id: string, deadline: Deadline): Promise<DeleteResult> {
    const path = gatewayPath(id, 'DELETE');
    let reply: Reply;
    try {
      reply = await this.#send('DELETE', path, deadline);
    } catch (error) {
      if (await this.#alreadyGoing(id, deadline, error)) {
        return { kind: 'already_gone', http: (error as ApiError).http };
      }
      throw error;
    }
    // 404 means already gone: success, never retried (design.md "Deletion semantics").
    if (reply.status === 404) return { kind: 'already_gone', http: reply.http };
    return {
      kind: 'deleted',
      gateway: parseGatewayBody(reply.body, 'DELETE', path, reply.http),
      http: reply.http,
    };
  }

  /**
   * Whether a DELETE refused as a precondition failure hit a gateway that is already being
   * deleted or gone: what a second DELETE during deletion answers is undocumented
   * (coreweave-gateway-api.md §10.5), and a racing sweep or request must not look failed.
   */
  async #alreadyGoing(id: string, deadline: Deadline, error: unknown): Promise<boolean> {
    if (!(error instanceof ApiError) || error.code !== 'API_PERMANENT') return false;
    if (error.status !== 400 && error.status !== 409 && error.status !== 412) return false;
    const check = await this.get(id, deadline).catch(() => undefined);
    if (check === undefined) return false;
    if (!check.gateway) return true;
    // A GET that describes another gateway says nothing about this one: keep the refusal.
    return (
      check.gateway.id.toLowerCase() === id.toLowerCase() &&
      check.gateway.status === 'STATUS_DELETING'
    );
  }

  async #send(method: 'GET' | 'DELETE', path: string, deadline: Deadline): Promise<Reply> {
    const now = this.#options.now ?? Date.now;
    const started = now();
    let token = await this.#options.tokens.get();
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      const http = (status?: number): HttpSummary => ({
        status,
        attempts: attempt,
        durationMs: now() - started,
      });
      const wait = this.#rate?.reserve() ?? 0;
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
        await sleep(wait);
      }
      const outcome = await sendOnce(this.#options.dispatcher ?? sharedDispatcher(), {
        origin: this.#origin.origin,
        method,
        path,
        token,
        timeoutMs: this.#options.timeoutMs ?? 10_000,
      });
      this.#rate?.observe(outcome.status);
      this.#options.onResponse?.(outcome.status);
      if (outcome.status === 401 && !refreshed) {
        // The secret may have rotated under us: fetch it again once, then retry once.
        refreshed = true;
        token = await this.#options.tokens.refresh(token);
        continue;
      }
      if (outcome.status === 401 || outcome.status === 403) {
        throw new ApiError(outcome.status === 401 ? 'API_UNAUTHENTICATED' : 'API_FORBIDDEN', {
          method,
          path,
          status: outcome.status,
          apiMessage: apiMessage(outcome.text, token),
          http: http(outcome.status),
        });
      }
      if (
        outcome.status !== undefined &&
        (outcome.status === 404 || (outcome.status >= 200 && outcome.status < 300))
      ) {
        const body = outcome.status === 404 ? undefined : parseJson(outcome.text);
        if (outcome.status === 404 || body !== undefined)
          return { status: outcome.status, body, http: http(outcome.status) };
      }
      const badBody = outcome.status !== undefined && outcome.status < 300;
      const decision = decideRetry(
        {
          attempt,
          status: outcome.status,
          errorCode: outcome.errorCode,
          badBody,
          retryAfterMs: parseRetryAfter(outcome.retryAfter, now()),
          budgetMs: deadline.budgetMs(),
        },
        this.#retry,
        this.#options.random,
      );
      if (decision.retry) {
        await sleep(decision.delayMs);
        continue;
      }
      const transient = decision.reason !== 'permanent' && decision.reason !== 'not_implemented';
      throw new ApiError(
        badBody ? 'API_BAD_RESPONSE' : transient ? 'API_TRANSIENT' : 'API_PERMANENT',
        {
          method,
          path,
          status: outcome.status,
          apiMessage: badBody ? undefined : apiMessage(outcome.text, token),
          detail: badBody
            ? 'response body is not the expected JSON'
            : `${decision.reason}${outcome.errorCode ? ` (${outcome.errorCode})` : ''}`,
          http: http(outcome.status),
        },
      );
    }
  }
}

function gatewayPath(id: string, method: string): string {
  // Validate before the id goes anywhere near a URL: no `../`, `%2F` or other surprises.
  if (!GATEWAY_ID.test(id)) {
    throw new ApiError('API_PERMANENT', {
      method,
      path: `${GATEWAYS}/{id}`,
      detail: 'gateway id is not a uuid',
      http: { attempts: 0, durationMs: 0 },
    });
  }
  return `${GATEWAYS}/${id}`;
}
