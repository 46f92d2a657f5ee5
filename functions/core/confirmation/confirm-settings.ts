import type { ConfirmationQueue } from './confirmation-queue.ts';

/** DELETE_CONFIRM_AFTER and DELETE_CONFIRM_WITHIN when nothing else is configured. */
export const DEFAULT_CONFIRM_AFTER_MS = 5 * 60_000;
export const DEFAULT_CONFIRM_WITHIN_MS = 60 * 60_000;

/**
 * How a run confirms its deletions (docs/contract.md "Deletion is confirmed, not
 * assumed"): where confirmations go (absent in the CLI, which polls instead), after how
 * long, and how long a deletion may take before it is stuck.
 */
export interface ConfirmSettings {
  queue?: ConfirmationQueue;
  afterMs: number;
  withinMs: number;
}
