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
