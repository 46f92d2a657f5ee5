import type { GatewayOutcome, RecordFields } from '../audit/record.ts';
import type { RunDeps } from '../audit/recorder.ts';
import type { ConfirmSettings } from '../confirmation/confirmation.ts';
import { ValidationError } from '../errors.ts';
import type { Gateway } from '../model.ts';
import type { TeardownQueue } from '../ports.ts';
import type { RunControl } from '../registry/control.ts';
import type { TeardownRequest } from './request.ts';

/** One queued request: the SQS message id and its raw body. */
export interface TeardownMessage {
  messageId: string;
  body: string;
  /** SQS ApproximateReceiveCount: 1 on the first delivery; absent outside SQS */
  receiveCount?: number;
  /** where the record says it came from, to be proven (absent outside SQS) */
  origin?: MessageOrigin;
  /** SQS SenderId: `<role id>:<session>` for a role; absent outside SQS */
  senderId?: string;
}

/** What a record claims about its queue: the `eventSourceARN` and the receipt handle. */
export interface MessageOrigin {
  eventSourceArn?: string;
  receiptHandle?: string;
}

/**
 * The teardown queue's word on a batch (docs/contract.md "Only the queue feeds the
 * teardown"): which of these receipt handles are in flight on it now.
 */
export interface ReceiptCheck {
  /** the queue whose records alone are served */
  queue: QueueIdentity;
  /**
   * One ChangeMessageVisibilityBatch for the handles given (keyed by entry id): the ids the
   * queue accepted. Throws when the call fails as a whole (throttled, unreachable).
   */
  accept(handles: ReadonlyMap<string, string>): Promise<Set<string>>;
}

/**
 * Where a batch's messages come from: the teardown queue (the Lambda), where a request can be
 * re-sent, deferred or parked; or a terminal (the CLI), where requests are always due,
 * nothing can be re-sent, and a request that would be is skipped instead.
 */
export type TeardownMode = { kind: 'queue'; queue: TeardownQueue } | { kind: 'terminal' };

/** Ports and settings of a teardown batch. */
export interface TeardownDeps extends RunDeps {
  mode: TeardownMode;
  /** furthest `expiresAt` a request may name (TEARDOWN_MAX_HORIZON); 30 days when absent */
  maxHorizonMs?: number;
  /** confirming deletions: scheduling them (with a queue) and serving confirmations */
  confirm?: ConfirmSettings;
  /** proves each record came from the teardown queue; absent in the CLI, which has no records */
  receipts?: ReceiptCheck;
  /** JANITOR_ROLE_IDS: senders whose `confirm` and `deferredSince` are honoured */
  janitorRoleIds?: readonly string[];
}

/**
 * Reads the teardown function's SQS event: one message per record, with its id, body,
 * receive count, sender and claimed origin. A record without a messageId or body string
 * fails the whole event, naming the record (docs/contract.md "Triggers"); bodies are
 * parsed, and origins proven, later, per message.
 */
export function parseTeardownEvent(event: unknown): TeardownMessage[] {
  const records = (event as { Records?: unknown } | null)?.Records;
  if (!Array.isArray(records))
    throw new ValidationError('EVENT_INVALID', 'event.Records', 'expected an SQS event');
  return records.map((record, index) => {
    const { messageId, body, attributes, eventSourceARN, receiptHandle } = (record ?? {}) as {
      messageId?: unknown;
      body?: unknown;
      attributes?: { ApproximateReceiveCount?: unknown; SenderId?: unknown };
      eventSourceARN?: unknown;
      receiptHandle?: unknown;
    };
    if (typeof messageId !== 'string' || typeof body !== 'string') {
      throw new ValidationError(
        'EVENT_INVALID',
        `event.Records[${index}]`,
        'expected messageId and body strings',
      );
    }
    // Every record has an origin to prove, even one that claims none.
    const origin: MessageOrigin = {};
    if (typeof eventSourceARN === 'string') origin.eventSourceArn = eventSourceARN;
    if (typeof receiptHandle === 'string') origin.receiptHandle = receiptHandle;
    const message: TeardownMessage = { messageId, body, origin };
    const receiveCount = Number(attributes?.ApproximateReceiveCount);
    if (Number.isInteger(receiveCount) && receiveCount > 0) message.receiveCount = receiveCount;
    if (typeof attributes?.SenderId === 'string') message.senderId = attributes.SenderId;
    return message;
  });
}

/** A queue as SQS names it in ARNs: the region, the account and the queue name. */
export interface QueueIdentity {
  region: string;
  account: string;
  name: string;
}

const QUEUE_ARN = /^arn:aws[a-z-]*:sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,80}(?:\.fifo)?)$/;

/** The queue an `eventSourceARN` names; undefined for anything that is not an SQS queue ARN. */
export function parseQueueArn(arn: unknown): QueueIdentity | undefined {
  if (typeof arn !== 'string') return undefined;
  const match = QUEUE_ARN.exec(arn);
  if (!match) return undefined;
  const [, region, account, name] = match as unknown as [string, string, string, string];
  return { region, account, name };
}

/** Same region, same account, same queue name. */
export function sameQueue(a: QueueIdentity, b: QueueIdentity): boolean {
  return a.region === b.region && a.account === b.account && a.name === b.name;
}

const AWS_QUEUE_HOST =
  /^(?:sqs\.([a-z0-9-]+)\.(?:amazonaws\.com(?:\.cn)?|api\.aws)|([a-z0-9-]+)\.queue\.amazonaws\.com)$/;

/**
 * The queue a queue URL names (`https://sqs.<region>.amazonaws.com/<account>/<name>`). A
 * host that names no region (a local SQS) takes `fallbackRegion`, the function's own.
 */
export function queueIdentityFromUrl(
  url: string,
  fallbackRegion: string | undefined,
): QueueIdentity | undefined {
  if (!URL.canParse(url)) return undefined;
  const { hostname, pathname } = new URL(url);
  const path = /^\/(\d{12})\/([A-Za-z0-9_-]{1,80}(?:\.fifo)?)\/?$/.exec(pathname);
  if (!path) return undefined;
  const host = AWS_QUEUE_HOST.exec(hostname.toLowerCase());
  const region = host ? (host[1] ?? host[2]) : fallbackRegion;
  if (!region) return undefined;
  return { region, account: path[1] as string, name: path[2] as string };
}

/** What the requests of one teardown batch share: its DELETE limit, and what its summary says. */
export interface TeardownBatch {
  /**
   * Takes `count` DELETEs (a request's deployments and its gateway) from the batch's
   * `limits.maxDeletesPerRun`, all or none. Synchronous, so concurrent requests of the
   * batch can never take more than the limit between them.
   */
  reserve(count: number): boolean;
  /** A deployment list answered 404 (read as none); `run.summary` says so. */
  deploymentListNotFound: boolean;
  /** the pause, the windows and the rolling budget, read once for the batch */
  control: RunControl;
}

/** The shared state of one batch, bounded by the policy's `limits.maxDeletesPerRun`. */
export function createTeardownBatch(maxDeletesPerRun: number, control: RunControl): TeardownBatch {
  let left = maxDeletesPerRun;
  return {
    control,
    reserve(count) {
      if (count > left) return false;
      left -= count;
      return true;
    },
    deploymentListNotFound: false,
  };
}

/** What became of one request: its outcome, and what happens to its message. */
export interface Settled {
  outcome: GatewayOutcome;
  /** the message goes back to the queue instead of being acknowledged */
  handBack?: boolean;
  /** a redelivery that was already recorded once: no second record */
  unrecorded?: boolean;
  /** records written before the outcome (the deployments a cascade deleted first) */
  records?: RecordFields[];
  /** records written after it (the lease its deletion released) */
  after?: RecordFields[];
}

/** The fields every outcome of a request carries. */
export type RequestFields = Pick<GatewayOutcome, 'gatewayId' | 'sqsMessageId' | 'requestedBy'>;

/** What every outcome of a request carries, with the live gateway once a GET described it. */
export type NamedFields = RequestFields & { gateway?: Gateway };

/** One request being settled: everything each step of its path needs, in one place. */
export interface RequestContext {
  message: TeardownMessage;
  request: TeardownRequest;
  deps: TeardownDeps;
  batch: TeardownBatch;
  /** what every outcome of the request carries */
  fields: NamedFields;
  /** the gateway the GET answered, once looked up (it may describe another id) */
  live?: Gateway;
}
