import type { Gateway } from '../common/gateway.ts';
import type { ConfirmationQueue } from './confirmation-queue.ts';

/** A DELETE that answered 200: the gateway and when the answer came. */
export interface ConfirmableDeletion {
  gatewayId: string;
  gateway?: Pick<Gateway, 'name' | 'organizationId'>;
  /** RFC 3339 */
  deletedAt: string;
}

/** A deletion whose confirmation could not be scheduled, and why (code QUEUE_SEND_FAILED). */
export interface UnscheduledDeletion {
  deletion: ConfirmableDeletion;
  error: { code: 'QUEUE_SEND_FAILED'; message: string };
}

/** What scheduling needs: the queue, the delay, the run, and the time left. */
export interface ScheduleDeps {
  queue: ConfirmationQueue;
  delayMs: number;
  runId: string;
  deadline: { budgetMs(): number };
}

/**
 * Schedules one delayed confirmation per deletion and returns those that could not be
 * sent. Never throws: a confirmation that cannot be scheduled is recorded, and never
 * turns the deletion into a failure (docs/contract.md, "Deletion is confirmed, not assumed").
 */
export async function scheduleConfirmations(
  deletions: readonly ConfirmableDeletion[],
  deps: ScheduleDeps,
): Promise<UnscheduledDeletion[]> {
  if (deletions.length === 0) return [];
  const byId = new Map(deletions.map((deletion) => [deletion.gatewayId, deletion]));
  const confirmations = deletions.map((d) => ({
    gatewayId: d.gatewayId,
    deletedAt: d.deletedAt,
    runId: deps.runId,
  }));
  const delaySeconds = Math.ceil(deps.delayMs / 1000);
  try {
    const { failed } = await deps.queue.schedule(confirmations, delaySeconds, deps.deadline);
    return failed.map((failure) => ({
      deletion: byId.get(failure.confirmation.gatewayId) as ConfirmableDeletion,
      error: {
        code: 'QUEUE_SEND_FAILED',
        message: `${failure.code}: ${failure.message} (${failure.attempts} attempt${failure.attempts === 1 ? '' : 's'})`,
      },
    }));
  } catch (error) {
    const message = error instanceof Error ? error.name : 'unknown error';
    return deletions.map((deletion) => ({
      deletion,
      error: { code: 'QUEUE_SEND_FAILED', message },
    }));
  }
}
