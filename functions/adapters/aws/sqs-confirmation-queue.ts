import type { BatchResultErrorEntry, SendMessageBatchCommandOutput } from '@aws-sdk/client-sqs';
import {
  type Confirmation,
  type ConfirmationQueue,
  confirmationBody,
  type ScheduleResult,
  SQS_MAX_DELAY_SECONDS,
  type UnscheduledConfirmation,
} from '#core/ports';
import { backoffMs } from '#core/time';
import type { InvocationTime } from './lambda-deadline.ts';
import { type SqsClientSource, type SqsSender, sqsClientFrom } from './lazy-sqs-client.ts';

/** SendMessageBatch takes at most 10 entries. */
export const MAX_BATCH = 10;

/** Where confirmations go, and how hard to try. */
export interface SqsConfirmationQueueOptions {
  queueUrl: string;
  /** default: one made on the first send (lazySqsClient) */
  client?: SqsClientSource;
  /** Attempts per entry, the first included (default 3). */
  maxAttempts?: number;
  /** Pause before the first retry, doubled after each (default 200 ms). */
  baseDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** bounds each SendMessageBatch by the invocation's remaining time */
  time?: Pick<InvocationTime, 'signal'>;
}

type Pending = {
  confirmation: Confirmation;
  attempts: number;
  last?: { code: string; message: string };
};

/**
 * Confirmations on the teardown queue with SendMessageBatch. Entries SQS reports as failed
 * on its side (SenderFault false), and whole batches that fail to send, are retried with
 * backoff up to maxAttempts and within the deadline; an entry SQS rejects as the sender's
 * fault would fail the same way again, so it is not retried.
 */
export class SqsConfirmationQueue implements ConfirmationQueue {
  readonly #queueUrl: string;
  readonly #client: () => Promise<SqsSender>;
  readonly #maxAttempts: number;
  readonly #baseDelayMs: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #time: Pick<InvocationTime, 'signal'> | undefined;

  constructor(options: SqsConfirmationQueueOptions) {
    this.#queueUrl = options.queueUrl;
    this.#client = sqsClientFrom(options.client);
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 3);
    this.#baseDelayMs = options.baseDelayMs ?? 200;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#time = options.time;
  }

  async schedule(
    confirmations: readonly Confirmation[],
    delaySeconds: number,
    deadline?: { budgetMs(): number },
  ): Promise<ScheduleResult> {
    const delay = Math.min(SQS_MAX_DELAY_SECONDS, Math.max(0, Math.floor(delaySeconds)));
    const result: ScheduleResult = { scheduled: [], failed: [] };
    let pending: Pending[] = confirmations.map((confirmation) => ({ confirmation, attempts: 0 }));
    for (let round = 0; pending.length > 0; round += 1) {
      if (round > 0) {
        const pause = backoffMs(round, this.#baseDelayMs);
        // No retry may outlive the invocation: what cannot be tried in time is reported.
        if ((deadline?.budgetMs() ?? Number.POSITIVE_INFINITY) <= pause) break;
        await this.#sleep(pause);
      }
      const retry: Pending[] = [];
      for (let start = 0; start < pending.length; start += MAX_BATCH) {
        const batch = pending.slice(start, start + MAX_BATCH);
        for (const entry of await this.#sendBatch(batch, delay)) {
          if (entry.last === undefined) result.scheduled.push(entry.confirmation);
          else if (entry.retryable && entry.attempts < this.#maxAttempts) retry.push(entry);
          else result.failed.push(unscheduled(entry));
        }
      }
      pending = retry;
    }
    result.failed.push(...pending.map(unscheduled));
    return result;
  }

  async #sendBatch(
    batch: Pending[],
    delaySeconds: number,
  ): Promise<(Pending & { retryable?: boolean })[]> {
    const attempted = batch.map((entry) => ({ ...entry, attempts: entry.attempts + 1 }));
    const abortSignal = this.#time?.signal();
    let output: SendMessageBatchCommandOutput;
    try {
      // The SDK's SQS module is imported on the first confirmation, not at init: most
      // sweeps delete nothing (docs/benchmarks.md "Import cost and zip size, before and after").
      const { SendMessageBatchCommand } = await import('@aws-sdk/client-sqs');
      output = await (await this.#client()).send(
        new SendMessageBatchCommand({
          QueueUrl: this.#queueUrl,
          Entries: attempted.map((entry, index) => ({
            Id: `c${index}`,
            MessageBody: confirmationBody(entry.confirmation),
            DelaySeconds: delaySeconds,
          })),
        }),
        abortSignal ? { abortSignal } : {},
      );
    } catch (error) {
      const last = describeError(error);
      return attempted.map((entry) => ({ ...entry, last, retryable: true }));
    }
    const failures = new Map<string, BatchResultErrorEntry>(
      (output.Failed ?? []).map((failure) => [failure.Id ?? '', failure]),
    );
    const succeeded = new Set((output.Successful ?? []).map((entry) => entry.Id));
    return attempted.map((entry, index) => {
      const failure = failures.get(`c${index}`);
      if (failure) {
        const last = {
          code: failure.Code ?? 'Unknown',
          message: (failure.Message ?? '').slice(0, 300),
        };
        return { ...entry, last, retryable: failure.SenderFault !== true };
      }
      if (succeeded.has(`c${index}`)) return { ...entry, last: undefined };
      // Neither listed as sent nor as failed: not known to be on the queue, so try again.
      return {
        ...entry,
        last: { code: 'Unreported', message: 'missing from the batch result' },
        retryable: true,
      };
    });
  }
}

function unscheduled(entry: Pending): UnscheduledConfirmation {
  return {
    confirmation: entry.confirmation,
    code: entry.last?.code ?? 'DeadlineExceeded',
    message: entry.last?.message ?? 'no time left to send',
    attempts: entry.attempts,
  };
}

/** The SDK error's name and message; SQS errors carry neither the token nor credentials. */
function describeError(error: unknown): { code: string; message: string } {
  if (error instanceof Error) return { code: error.name, message: error.message.slice(0, 300) };
  return { code: 'Unknown', message: String(error).slice(0, 300) };
}
