import type { TeardownQueue } from '#core/ports';

/** A message sent back to the queue, delayed, or parked in the dead-letter queue. */
export type QueuedMessage =
  | { kind: 'deferred'; body: string; delaySeconds: number }
  | { kind: 'dead_letter'; body: string; why: string };

/** The teardown queue in memory: what was deferred or parked; parking can be made to fail. */
export class MemoryTeardownQueue implements TeardownQueue {
  readonly sent: QueuedMessage[] = [];
  #deadLetterFailure: unknown;
  #hasDeadLetterQueue: boolean;

  constructor(options: { deadLetterQueue?: boolean } = {}) {
    this.#hasDeadLetterQueue = options.deadLetterQueue ?? true;
  }

  /** Every later dead-letter send throws `error`. */
  failDeadLetter(error: unknown): this {
    this.#deadLetterFailure = error;
    return this;
  }

  async defer(body: string, delaySeconds: number): Promise<void> {
    this.sent.push({ kind: 'deferred', body, delaySeconds });
  }

  async deadLetter(body: string, why: string): Promise<boolean> {
    if (this.#deadLetterFailure !== undefined) throw this.#deadLetterFailure;
    if (!this.#hasDeadLetterQueue) return false;
    this.sent.push({ kind: 'dead_letter', body, why });
    return true;
  }
}
