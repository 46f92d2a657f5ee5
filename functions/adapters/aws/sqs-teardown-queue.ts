import type { SendMessageCommandInput } from '@aws-sdk/client-sqs';
import { JanitorError } from '#core/errors';
import type { TeardownQueue } from '#core/ports';
import type { InvocationTime } from './lambda-deadline.ts';
import { type SqsClientSource, type SqsSender, sqsClientFrom } from './lazy-sqs-client.ts';

/** Where deferred and parked teardown requests go. */
export interface SqsTeardownQueueOptions {
  queueUrl: string;
  deadLetterQueueUrl?: string;
  /** default: one made on the first send (lazySqsClient) */
  client?: SqsClientSource;
  /** bounds each SendMessage by the invocation's remaining time */
  time?: Pick<InvocationTime, 'signal'>;
}

/** The teardown queue on SQS: delayed re-sends for requests not yet due, and the DLQ. */
export class SqsTeardownQueue implements TeardownQueue {
  readonly #options: SqsTeardownQueueOptions;
  readonly #client: () => Promise<SqsSender>;

  constructor(options: SqsTeardownQueueOptions) {
    this.#options = options;
    this.#client = sqsClientFrom(options.client);
  }

  async defer(body: string, delaySeconds: number): Promise<void> {
    await this.#send({
      QueueUrl: this.#options.queueUrl,
      MessageBody: body,
      DelaySeconds: delaySeconds,
    });
  }

  async deadLetter(body: string, why: string): Promise<boolean> {
    const queueUrl = this.#options.deadLetterQueueUrl;
    if (!queueUrl) return false;
    await this.#send({
      QueueUrl: queueUrl,
      MessageBody: body,
      MessageAttributes: {
        rejectedBecause: { DataType: 'String', StringValue: why.slice(0, 256) },
      },
    });
    return true;
  }

  async #send(input: SendMessageCommandInput): Promise<void> {
    const abortSignal = this.#options.time?.signal();
    try {
      const { SendMessageCommand } = await import('@aws-sdk/client-sqs');
      const client = await this.#client();
      await client.send(new SendMessageCommand(input), abortSignal ? { abortSignal } : {});
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
