import type { Confirmation, ConfirmationQueue, ScheduleResult } from '#core/ports';

/** The confirmation queue in memory: what it was asked to send, and the gateway ids it fails. */
export class MemoryConfirmationQueue implements ConfirmationQueue {
  readonly sent: { confirmation: Confirmation; delaySeconds: number }[] = [];
  /** how many times `schedule` was called, and what had been recorded by then */
  readonly batches: number[] = [];
  readonly #failing: Set<string>;
  readonly #onSchedule: (() => void) | undefined;

  constructor(options: { failing?: readonly string[]; onSchedule?: () => void } = {}) {
    this.#failing = new Set(options.failing ?? []);
    this.#onSchedule = options.onSchedule;
  }

  async schedule(
    confirmations: readonly Confirmation[],
    delaySeconds: number,
  ): Promise<ScheduleResult> {
    this.batches.push(confirmations.length);
    this.#onSchedule?.();
    const failed = confirmations.filter((c) => this.#failing.has(c.gatewayId));
    const scheduled = confirmations.filter((c) => !this.#failing.has(c.gatewayId));
    for (const confirmation of scheduled) this.sent.push({ confirmation, delaySeconds });
    return {
      scheduled,
      failed: failed.map((confirmation) => ({
        confirmation,
        code: 'InternalError',
        message: 'try later',
        attempts: 3,
      })),
    };
  }
}
