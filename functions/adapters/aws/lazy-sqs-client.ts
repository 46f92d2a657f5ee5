import type { SQSClient } from '@aws-sdk/client-sqs';

/** What the queues need of an SQS client. */
export type SqsSender = Pick<SQSClient, 'send'>;

/** A client, or where to get one when the first message is sent. */
export type SqsClientSource = SqsSender | (() => Promise<SqsSender>);

/**
 * One SQS client for an execution environment, with the SDK's SQS module imported on the
 * first call rather than at init: a sweep that deletes nothing never makes one, and the
 * teardown's init stays short (docs/benchmarks.md, "Import cost"). An import that fails is
 * tried again on the next call.
 */
export function lazySqsClient(given?: SqsSender): () => Promise<SqsSender> {
  let client: Promise<SqsSender> | undefined = given ? Promise.resolve(given) : undefined;
  return () => {
    client ??= import('@aws-sdk/client-sqs').then(
      ({ SQSClient }) => new SQSClient({}),
      (error: unknown) => {
        client = undefined;
        throw error;
      },
    );
    return client;
  };
}

/** The client a queue's options give, made lazy when none is given. */
export function sqsClientFrom(source: SqsClientSource | undefined): () => Promise<SqsSender> {
  if (typeof source === 'function') return source;
  return lazySqsClient(source);
}
