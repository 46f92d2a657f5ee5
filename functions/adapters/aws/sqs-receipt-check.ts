import type { ChangeMessageVisibilityBatchRequestEntry } from '@aws-sdk/client-sqs';
import { JanitorError } from '#core/errors';
import type { QueueIdentity, ReceiptCheck } from '#core/teardown/context';
import type { InvocationTime } from './lambda-deadline.ts';
import { type SqsClientSource, type SqsSender, sqsClientFrom } from './lazy-sqs-client.ts';

/** The teardown queue, its identity, and the invocation whose time bounds the call. */
export interface SqsReceiptCheckOptions {
  queueUrl: string;
  queue: QueueIdentity;
  client?: SqsClientSource;
  time?: Pick<InvocationTime, 'signal'>;
  /** the invocation's remaining time in ms; undefined outside Lambda */
  remainingMs(): number | undefined;
}

// SQS takes at most 10 entries per batch call; Lambda delivers at most 10 per batch here.
const MAX_ENTRIES = 10;
// Kept past the invocation's end: Lambda deletes the served messages only after the
// function returns, and a message that turned visible before then would be served twice.
const VISIBILITY_MARGIN_S = 30;
// Lambda's longest invocation, when no context says how much of it is left.
const LONGEST_INVOCATION_S = 900;

/**
 * Proves receipt handles on the teardown queue with ChangeMessageVisibilityBatch: SQS
 * accepts a handle only for a message of that queue in flight now. One call per 10
 * handles, so one per batch the event source mapping delivers.
 */
export class SqsReceiptCheck implements ReceiptCheck {
  readonly queue: QueueIdentity;
  readonly #options: SqsReceiptCheckOptions;
  readonly #client: () => Promise<SqsSender>;

  constructor(options: SqsReceiptCheckOptions) {
    this.queue = options.queue;
    this.#options = options;
    this.#client = sqsClientFrom(options.client);
  }

  async accept(handles: ReadonlyMap<string, string>): Promise<Set<string>> {
    // The new timeout replaces the queue's (360 s, six times the function's): the message
    // stays invisible for the rest of this invocation plus the margin, so no other
    // invocation receives it while this one serves it, and one handed back in
    // batchItemFailures returns no later than the queue itself would return it.
    const remainingMs = this.#options.remainingMs();
    const remainingS =
      remainingMs === undefined ? LONGEST_INVOCATION_S : Math.ceil(Math.max(0, remainingMs) / 1000);
    const entries: ChangeMessageVisibilityBatchRequestEntry[] = [...handles].map(
      ([Id, ReceiptHandle]) => ({
        Id,
        ReceiptHandle,
        VisibilityTimeout: Math.min(remainingS, LONGEST_INVOCATION_S) + VISIBILITY_MARGIN_S,
      }),
    );
    const accepted = new Set<string>();
    for (let start = 0; start < entries.length; start += MAX_ENTRIES) {
      const answer = await this.#send(entries.slice(start, start + MAX_ENTRIES));
      for (const entry of answer.Successful ?? []) if (entry.Id) accepted.add(entry.Id);
    }
    return accepted;
  }

  async #send(entries: ChangeMessageVisibilityBatchRequestEntry[]) {
    const abortSignal = this.#options.time?.signal();
    try {
      const { ChangeMessageVisibilityBatchCommand } = await import('@aws-sdk/client-sqs');
      const client = await this.#client();
      const command = new ChangeMessageVisibilityBatchCommand({
        QueueUrl: this.#options.queueUrl,
        Entries: entries,
      });
      return await client.send(command, abortSignal ? { abortSignal } : {});
    } catch (error) {
      if (!abortSignal?.aborted) throw error;
      throw new JanitorError(
        'DEADLINE_EXCEEDED',
        "ChangeMessageVisibilityBatch did not answer within the invocation's remaining time",
      );
    }
  }
}
