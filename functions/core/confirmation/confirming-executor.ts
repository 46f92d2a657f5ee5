import type { GatewayOutcome } from '../audit/outcome.ts';
import { JanitorError } from '../common/errors.ts';
import { isoNow } from '../common/iso-now.ts';
import type { Clock, Deadline } from '../common/ports.ts';
import type { SweepExecutor } from '../sweep/sweep-executor.ts';
import type { ConfirmationQueue } from './confirmation-queue.ts';
import { type ConfirmableDeletion, scheduleConfirmations } from './schedule-confirmations.ts';

/** What scheduling the run's confirmations needs. */
export interface ConfirmingDeps {
  queue: ConfirmationQueue;
  afterMs: number;
  runId: string;
  clock: Clock;
  deadline: Deadline;
}

/**
 * Wraps the deleting executor: each DELETE that answered 200 is noted with the time it
 * answered, and when the run settles one delayed confirmation per gateway goes out as a
 * batch. A confirmation that cannot be sent is `gateway.unconfirmed`; the deletion itself
 * stays `gateway.deleted`.
 */
export function withConfirmations(inner: SweepExecutor, deps: ConfirmingDeps): SweepExecutor {
  const deleted: ConfirmableDeletion[] = [];
  return {
    spendsBudget: inner.spendsBudget,
    async execute(entry) {
      const outcome = await inner.execute(entry);
      if (outcome.event === 'gateway.deleted') {
        deleted.push({
          gatewayId: outcome.gatewayId,
          gateway: outcome.gateway,
          deletedAt: isoNow(deps.clock),
        });
      }
      return outcome;
    },
    async settle(record) {
      await inner.settle?.(record);
      const unscheduled = await scheduleConfirmations(deleted.splice(0), {
        ...deps,
        delayMs: deps.afterMs,
      });
      for (const failure of unscheduled) record?.(unconfirmed(failure));
    },
  };
}

/** The record of a deletion whose confirmation could not be scheduled. */
export function unconfirmed(failure: {
  deletion: ConfirmableDeletion;
  error: { code: string; message: string };
}): GatewayOutcome {
  const { deletion } = failure;
  const error = new JanitorError('QUEUE_SEND_FAILED', failure.error.message);
  return {
    event: 'gateway.unconfirmed',
    gatewayId: deletion.gatewayId,
    gateway: deletion.gateway,
    reason: 'schedule_failed',
    deletedAt: deletion.deletedAt,
    error,
  };
}
