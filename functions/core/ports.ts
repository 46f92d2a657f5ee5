import type { HttpSummary } from './errors.ts';
import type { Deployment, Gateway } from './model.ts';

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

/** The API token: cached, and fetched again after the API rejects it (it may have rotated). */
export interface TokenSource {
  get(): Promise<string>;
  /** A token newer than `stale`; concurrent callers share one fetch. */
  refresh(stale: string): Promise<string>;
}

/** SQS delays a message at most 15 minutes: the longest wait any re-send may ask for. */
export const SQS_MAX_DELAY_SECONDS = 900;

/** The teardown queue, for requests that are not due yet and messages that cannot be served. */
export interface TeardownQueue {
  /** Sends the body again, delayed; the original message is then acknowledged. */
  defer(body: string, delaySeconds: number): Promise<void>;
  /** Parks the body in the dead-letter queue; false when none is configured. */
  deadLetter(body: string, why: string): Promise<boolean>;
}

/** A deployment DELETE's answer: the final state, or already gone (404). */
export type DeploymentDeleteResult =
  | { kind: 'deleted'; deployment: Deployment; http: HttpSummary }
  | { kind: 'already_gone'; http: HttpSummary };

/**
 * The deployments the token can read. A 404 on the list means there are none, and says so
 * (`notFound`), for the run summary: a wrong URL would otherwise look like an idle fleet.
 */
export interface DeploymentList {
  deployments: Deployment[];
  notFound?: true;
}

/** The CoreWeave deployment API, as far as the janitor uses it. Failures throw ApiError. */
export interface DeploymentApi {
  listDeployments(deadline: Deadline): Promise<DeploymentList>;
  deleteDeployment(id: string, deadline: Deadline): Promise<DeploymentDeleteResult>;
}

/** One deletion to confirm later: the gateway, when its DELETE answered 200, and the run. */
export interface Confirmation {
  gatewayId: string;
  /** RFC 3339, the time the DELETE answered */
  deletedAt: string;
  runId: string;
}

/** A confirmation that could not be scheduled, after the retries the queue allows. */
export interface UnscheduledConfirmation {
  confirmation: Confirmation;
  /** The queue's own error code, such as InternalError, or the SDK error's name. */
  code: string;
  message: string;
  attempts: number;
}

/** What scheduling achieved; every confirmation given is in exactly one of the two lists. */
export interface ScheduleResult {
  scheduled: Confirmation[];
  failed: UnscheduledConfirmation[];
}

/** The teardown queue as the place where deletions are scheduled for confirmation. */
export interface ConfirmationQueue {
  /** Sends one delayed confirmation message per entry; never throws. */
  schedule(
    confirmations: readonly Confirmation[],
    delaySeconds: number,
    deadline?: { budgetMs(): number },
  ): Promise<ScheduleResult>;
}

/** The message body of a confirmation (docs/contract.md, "Deletion is confirmed, not assumed"). */
export function confirmationBody(confirmation: Confirmation): string {
  const { gatewayId, deletedAt, runId } = confirmation;
  return JSON.stringify({ gatewayId, confirm: { deletedAt, runId } });
}
