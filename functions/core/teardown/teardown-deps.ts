import type { RunDeps, TeardownQueue } from '../common/ports.ts';
import type { ConfirmSettings } from '../confirmation/confirm-settings.ts';
import type { QueueIdentity } from './queue-identity.ts';

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

/** Ports and settings of a teardown batch. */
export interface TeardownDeps extends RunDeps {
  /** absent in the CLI, where requests are always due */
  queue?: TeardownQueue;
  /** furthest `expiresAt` a request may name (TEARDOWN_MAX_HORIZON); 30 days when absent */
  maxHorizonMs?: number;
  /** confirming deletions: scheduling them (with a queue) and serving confirmations */
  confirm?: ConfirmSettings;
  /** proves each record came from the teardown queue; absent in the CLI, which has no records */
  receipts?: ReceiptCheck;
  /** JANITOR_ROLE_IDS: senders whose `confirm` and `deferredSince` are honoured */
  janitorRoleIds?: readonly string[];
}
