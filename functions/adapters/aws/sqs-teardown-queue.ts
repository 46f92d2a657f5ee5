import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { TeardownQueue } from '#core/ports';

/** Where deferred and parked teardown requests go. */
export interface SqsTeardownQueueOptions {
  queueUrl: string;
  deadLetterQueueUrl?: string;
  client?: Pick<SQSClient, 'send'>;
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
    await this.#client.send(
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
    await this.#client.send(
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
}
