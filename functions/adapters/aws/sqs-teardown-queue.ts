import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { JanitorError } from '#core/common/errors';
import type { TeardownQueue } from '#core/common/ports';
import type { InvocationTime } from './lambda-deadline.ts';

/** Where deferred and parked teardown requests go. */
export interface SqsTeardownQueueOptions {
  queueUrl: string;
  deadLetterQueueUrl?: string;
  client?: Pick<SQSClient, 'send'>;
  /** bounds each SendMessage by the invocation's remaining time */
  time?: Pick<InvocationTime, 'signal'>;
}

/** The teardown queue on SQS: delayed re-sends for requests not yet due, and the DLQ. */
export class SqsTeardownQueue implements TeardownQueue {
  readonly #options: SqsTeardownQueueOptions;
  readonly #client: Pick<SQSClient, 'send'>;

  constructor(options: SqsTeardownQueueOptions) {
    this.#options = options;
    this.#client = options.client ?? new SQSClient({});
  }

  async defer(body: string, delaySeconds: number): Promise<void> {
    await this.#send(
      new SendMessageCommand({
        QueueUrl: this.#options.queueUrl,
        MessageBody: body,
        DelaySeconds: delaySeconds,
      }),
    );
  }

  async deadLetter(body: string, why: string): Promise<boolean> {
    const queueUrl = this.#options.deadLetterQueueUrl;
    if (!queueUrl) return false;
    await this.#send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: body,
        MessageAttributes: {
          rejectedBecause: { DataType: 'String', StringValue: why.slice(0, 256) },
        },
      }),
    );
    return true;
  }

  async #send(command: SendMessageCommand): Promise<void> {
    const abortSignal = this.#options.time?.signal();
    try {
      await this.#client.send(command, abortSignal ? { abortSignal } : {});
    } catch (error) {
      if (!abortSignal?.aborted) throw error;
      // The message body is a teardown request: it stays out of the error.
      throw new JanitorError(
        'DEADLINE_EXCEEDED',
        "SendMessage did not answer within the invocation's remaining time",
      );
    }
  }
}
