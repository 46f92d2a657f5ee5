import type { RunDeps, TeardownQueue } from '../common/ports.ts';
import type { ConfirmSettings } from '../confirmation/confirm-settings.ts';

/** One queued request: the SQS message id and its raw body. */
export interface TeardownMessage {
  messageId: string;
  body: string;
  /** SQS ApproximateReceiveCount: 1 on the first delivery; absent outside SQS */
  receiveCount?: number;
}

/** Ports and settings of a teardown batch. */
export interface TeardownDeps extends RunDeps {
  /** absent in the CLI, where requests are always due */
  queue?: TeardownQueue;
  /** furthest `expiresAt` a request may name (TEARDOWN_MAX_HORIZON); 30 days when absent */
  maxHorizonMs?: number;
  /** confirming deletions: scheduling them (with a queue) and serving confirmations */
  confirm?: ConfirmSettings;
}
