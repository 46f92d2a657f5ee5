import type { AuditRecord, RunContext } from '../audit/audit-record.ts';
import type { DeploymentApi } from '../deployments/deployment-api.ts';
import type { Policy } from '../policy/compile-policy.ts';
import type { HttpSummary } from './errors.ts';
import type { Gateway } from './gateway.ts';

/** The clock, injected so decisions are reproducible. */
export interface Clock {
  now(): number;
}

/**
 * Time left for work that may still be started, in ms: the invocation's remaining
 * time minus a safety margin that covers one request in flight.
 */
export interface Deadline {
  budgetMs(): number;
}

/** DELETE's answer: the final state, or the gateway was already gone (404). */
export type DeleteResult =
  | { kind: 'deleted'; gateway: Gateway; http: HttpSummary }
  | { kind: 'already_gone'; http: HttpSummary };

/**
 * The CoreWeave gateway API, and the deployments that serve through gateways (a sweep
 * must know them before it deletes anything). Failures throw ApiError.
 */
export interface GatewayApi extends DeploymentApi {
  list(deadline: Deadline): Promise<Gateway[]>;
  /** undefined when the API answers 404. */
  get(id: string, deadline: Deadline): Promise<{ gateway: Gateway | undefined; http: HttpSummary }>;
  delete(id: string, deadline: Deadline): Promise<DeleteResult>;
}

/** Where audit records go: Powertools Logger in Lambda, stdout or a file in the CLI. */
export interface AuditSink {
  write(record: AuditRecord): void;
}

/** The API token: cached, and fetched again after the API rejects it (it may have rotated). */
export interface TokenSource {
  get(): Promise<string>;
  /** A token newer than `stale`; concurrent callers share one fetch. */
  refresh(stale: string): Promise<string>;
}

/** The teardown queue, for requests that are not due yet and messages that cannot be served. */
export interface TeardownQueue {
  /** Sends the body again, delayed; the original message is then acknowledged. */
  defer(body: string, delaySeconds: number): Promise<void>;
  /** Parks the body in the dead-letter queue; false when none is configured. */
  deadLetter(body: string, why: string): Promise<boolean>;
}

/** What every run (sweep or teardown batch) is given: its ports and plain settings. */
export interface RunDeps {
  api: GatewayApi;
  sink: AuditSink;
  clock: Clock;
  deadline: Deadline;
  policy: Policy;
  run: RunContext;
  concurrency: number;
}
