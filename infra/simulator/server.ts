import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BearerAuth, randomToken } from './bearer-auth.ts';
import { renderGateway } from './decide-reply.ts';
import { DeploymentStore } from './deployment-store.ts';
import { FaultBook, type FaultRule } from './fault-book.ts';
import { GatewayStore, type StuckDeletion } from './gateway-store.ts';
import { handleRequest, type SimulatorState } from './handle-request.ts';
import { type RateLimit, TokenBuckets } from './rate-limit.ts';
import { defaultErrorFor } from './reply.ts';
import { type RecordedRequest, RequestLog, type SimulatorStats } from './request-log.ts';
import type { WireGateway } from './wire.ts';
import type { WireDeployment } from './wire-deployment.ts';

export type { FaultRule } from './fault-book.ts';
export type { StuckDeletion } from './gateway-store.ts';
export type { RateLimit } from './rate-limit.ts';
export type { RecordedRequest, SimulatorStats } from './request-log.ts';
export type { WireGateway } from './wire.ts';
export type { WireDeployment } from './wire-deployment.ts';

export type SimulatorOptions = {
  token?: string;
  gateways?: readonly WireGateway[];
  /** Deployments served at /deployments; a gateway they reference cannot be deleted (409). */
  deployments?: readonly WireDeployment[];
  /** How long a deleted deployment stays STATUS_DELETING; defaults to deleteDelayMs. */
  deploymentDeleteDelayMs?: number;
  /** How long a deleted gateway stays STATUS_DELETING before Get/Delete answer 404. */
  deleteDelayMs?: number;
  /** Gateways (by id or name) whose deletion never completes: see Simulator.stickDeletion. */
  stuckDeletions?: readonly string[];
  /** How long a created or updated gateway stays CREATING/UPDATING before READY. */
  readyDelayMs?: number;
  latencyMs?: number;
  rateLimit?: RateLimit;
  viewerTokens?: readonly string[];
  /** Echo weightsAndBiasesAuth.apiKey in responses (the real API never does). */
  echoApiKey?: boolean;
  zones?: readonly string[];
  clock?: () => number;
  /** Seed of the PRNG behind fault rules with a `probability`. */
  faultSeed?: number;
};

export type Simulator = {
  readonly url: string;
  readonly token: string;
  rotateToken(next?: string): string;
  seed(gateways: readonly WireGateway[]): void;
  seedDeployments(deployments: readonly WireDeployment[]): void;
  listDeployments(): WireDeployment[];
  /** Empties the fleet, the deployments, the request log and the fault rules. */
  reset(): void;
  list(): WireGateway[];
  get(id: string): WireGateway | undefined;
  addFault(rule: FaultRule): void;
  clearFaults(): void;
  setLatency(ms: number): void;
  setRateLimit(limit: RateLimit | undefined): void;
  /** The time to vanish of deleted gateways, deletions in progress included. */
  setDeleteDelay(ms: number): void;
  /**
   * Makes a deletion stick: once the time to vanish has passed, this gateway (id or name)
   * stays STATUS_DELETING, or with `STATUS_ERROR` falls back to that state and stays.
   */
  stickDeletion(idOrName: string, becomes?: StuckDeletion): void;
  readonly requests: RecordedRequest[];
  /** Ids for which a DELETE answered 200, in order, repeats included. */
  deletes(): string[];
  /** Deployment ids for which a DELETE answered 200, in order, repeats included. */
  deploymentDeletes(): string[];
  stats(): SimulatorStats;
  close(): Promise<void>;
};

export const DEFAULT_ZONES = ['US-EAST-04A', 'US-WEST-04A'] as const;

/** Starts the loopback CoreWeave gateway API simulator on 127.0.0.1 (random port). */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const clock = options.clock ?? Date.now;
  const echoApiKey = options.echoApiKey ?? false;
  const store = new GatewayStore({
    clock,
    render: (gateway) => renderGateway(echoApiKey, gateway),
    deleteDelayMs: options.deleteDelayMs ?? 2000,
    readyDelayMs: options.readyDelayMs ?? 500,
  });
  store.seed(options.gateways ?? []);
  const deployments = new DeploymentStore({
    clock,
    deleteDelayMs: options.deploymentDeleteDelayMs ?? options.deleteDelayMs ?? 2000,
  });
  deployments.seed(options.deployments ?? []);
  for (const idOrName of options.stuckDeletions ?? []) store.stick(idOrName);
  const state: SimulatorState = {
    store,
    deployments,
    auth: new BearerAuth(options.token ?? randomToken(), options.viewerTokens ?? []),
    zones: options.zones ?? DEFAULT_ZONES,
    organizationId: 'a1b2c3',
    echoApiKey,
    limiter: options.rateLimit && new TokenBuckets(options.rateLimit),
    faults: new FaultBook(options.faultSeed),
    log: new RequestLog(),
    latencyMs: options.latencyMs ?? 0,
    clock,
    timers: new Set(),
  };

  const server = createServer((req, res) => {
    handleRequest(state, req, res).catch(() => {
      if (res.headersSent) res.destroy();
      else
        res.writeHead(500, { 'content-type': 'application/json' }).end(defaultErrorFor(500).body);
    });
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    get token() {
      return state.auth.token;
    },
    rotateToken: (next) => state.auth.rotate(next),
    seed: (gateways) => store.seed(gateways),
    seedDeployments: (list) => deployments.seed(list),
    listDeployments: () => structuredClone(deployments.list()),
    reset() {
      store.seed([]);
      deployments.seed([]);
      state.log.clear();
      state.faults.clear();
    },
    list: () => structuredClone(store.list()),
    get: (id) => {
      const gateway = store.get(id);
      return gateway && structuredClone(gateway);
    },
    addFault: (rule) => state.faults.add(rule),
    clearFaults: () => state.faults.clear(),
    setLatency(ms) {
      state.latencyMs = ms;
    },
    setRateLimit(limit) {
      state.limiter = limit && new TokenBuckets(limit);
    },
    setDeleteDelay: (ms) => store.setDeleteDelay(ms),
    stickDeletion: (idOrName, becomes) => store.stick(idOrName, becomes),
    requests: state.log.requests,
    deletes: () => [...state.log.deleted],
    deploymentDeletes: () => [...state.log.deletedDeployments],
    stats: () => state.log.stats(),
    close() {
      for (const timer of state.timers) clearTimeout(timer);
      state.timers.clear();
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
