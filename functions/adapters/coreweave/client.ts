import type { Dispatcher } from 'undici';
import { ApiError, type HttpSummary } from '#core/errors';
import { GATEWAY_ID, type Gateway } from '#core/model';
import type {
  Deadline,
  DeleteResult,
  DeploymentApi,
  DeploymentDeleteResult,
  DeploymentList,
  GatewayApi,
  TokenSource,
} from '#core/ports';
import { AdaptiveRate, attemptTimeoutMs, RETRY_PROFILES, type RetryOptions } from './retry.ts';
import {
  type Reply,
  type RetryingOptions,
  sendOnce,
  sendWithRetries,
  sharedDispatcher,
} from './transport.ts';
import {
  parseDeploymentBody,
  parseDeploymentListBody,
  parseGatewayBody,
  parseListBody,
} from './wire.ts';

const GATEWAYS = '/v1alpha1/inference/gateways';
const DEPLOYMENTS = '/v1alpha1/inference/deployments';

/** How the client reaches the API; everything but the URL and token has a default. */
export interface CoreWeaveClientOptions {
  baseUrl: string;
  tokens: TokenSource;
  dispatcher?: Dispatcher;
  /** total time of one attempt: connect, headers and body together */
  timeoutMs?: number;
  retry?: Partial<RetryOptions>;
  random?: () => number;
  now?: () => number;
  /** Told about each response status (benchmarks listen). */
  onResponse?: (status: number | undefined) => void;
  /** Paces requests after a 429 (docs/benchmarks.md); `false` turns pacing off. */
  adaptiveRate?: AdaptiveRate | false;
}

/** The CoreWeave gateway REST API over undici; the only module that knows the wire format. */
export class CoreWeaveClient implements GatewayApi, DeploymentApi {
  readonly #options: CoreWeaveClientOptions;
  readonly #origin: URL;
  readonly #retrying: RetryingOptions;

  constructor(options: CoreWeaveClientOptions) {
    this.#options = options;
    this.#origin = new URL(options.baseUrl);
    const now = options.now ?? Date.now;
    this.#retrying = {
      tokens: options.tokens,
      retry: { ...RETRY_PROFILES.sweep, ...options.retry },
      // One rate per client, and so per execution environment: what a warm invocation
      // learned about the API's rate limit carries over to the next.
      rate:
        options.adaptiveRate === false
          ? undefined
          : (options.adaptiveRate ?? new AdaptiveRate({ now })),
      now,
      random: options.random,
      onResponse: options.onResponse,
    };
  }

  async list(deadline: Deadline): Promise<Gateway[]> {
    const reply = await this.#send('GET', GATEWAYS, deadline);
    // A 404 on the list is a wrong URL (or a moved API), not an empty fleet: only a 200
    // with no items is empty. Reporting it as a sweep of nothing would hide the outage.
    if (reply.status === 404) {
      throw new ApiError('API_NOT_FOUND', {
        method: 'GET',
        path: GATEWAYS,
        status: 404,
        detail: 'the gateway list is not at this URL: check COREWEAVE_API_URL',
        http: reply.http,
      });
    }
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
    // 404 means already gone: success, never retried (docs/coreweave-api.md "Deletion").
    if (reply.status === 404) return { kind: 'already_gone', http: reply.http };
    return {
      kind: 'deleted',
      gateway: parseGatewayBody(reply.body, 'DELETE', path, reply.http),
      http: reply.http,
    };
  }

  async listDeployments(deadline: Deadline): Promise<DeploymentList> {
    const reply = await this.#send('GET', DEPLOYMENTS, deadline);
    // The provider's deployment sweeper reads NotFound on this list as "no deployments"
    // (docs/coreweave-api.md "Deployments"); any other failure throws and keeps everything.
    if (reply.status === 404) return { deployments: [], notFound: true };
    return { deployments: parseDeploymentListBody(reply.body, 'GET', DEPLOYMENTS, reply.http) };
  }

  async deleteDeployment(id: string, deadline: Deadline): Promise<DeploymentDeleteResult> {
    const path = deploymentPath(id, 'DELETE');
    const reply = await this.#send('DELETE', path, deadline);
    // As for gateways: 404 means already gone, a success that is never retried.
    if (reply.status === 404) return { kind: 'already_gone', http: reply.http };
    return {
      kind: 'deleted',
      deployment: parseDeploymentBody(reply.body, 'DELETE', path, reply.http),
      http: reply.http,
    };
  }

  /**
   * Whether a DELETE refused as a precondition failure hit a gateway that is already being
   * deleted or gone: what a second DELETE during deletion answers is undocumented
   * (docs/coreweave-api.md "Deletion"), and a racing sweep or request must not look failed.
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

  #send(method: 'GET' | 'DELETE', path: string, deadline: Deadline): Promise<Reply> {
    const exchange = (token: string) =>
      sendOnce(this.#options.dispatcher ?? sharedDispatcher(), {
        origin: this.#origin.origin,
        method,
        path,
        token,
        timeoutMs: attemptTimeoutMs(this.#options.timeoutMs ?? 10_000, deadline.budgetMs()),
      });
    return sendWithRetries({ method, path, deadline }, exchange, this.#retrying);
  }
}

const gatewayPath = (id: string, method: string) => itemPath(GATEWAYS, 'gateway', id, method);
// Deployment ids share the gateways' UUID format.
const deploymentPath = (id: string, method: string) =>
  itemPath(DEPLOYMENTS, 'deployment', id, method);

function itemPath(collection: string, noun: string, id: string, method: string): string {
  // Validate before the id goes anywhere near a URL: no `../`, `%2F` or other surprises.
  if (!GATEWAY_ID.test(id)) {
    throw new ApiError('API_PERMANENT', {
      method,
      path: `${collection}/{id}`,
      detail: `${noun} id is not a uuid`,
      http: { attempts: 0, durationMs: 0 },
    });
  }
  return `${collection}/${id}`;
}
