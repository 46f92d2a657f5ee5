import type { SQSClient } from '@aws-sdk/client-sqs';
import { lazyClient } from './lazy-client.ts';

/** What the queues need of an SQS client. */
export type SqsSender = Pick<SQSClient, 'send'>;

/** A client, or where to get one when the first message is sent. */
export type SqsClientSource = SqsSender | (() => Promise<SqsSender>);

/**
 * One SQS client for an execution environment, with the SDK's SQS module imported on the
 * first call rather than at init: a sweep that deletes nothing never makes one, and the
 * teardown's init stays short (docs/benchmarks.md, "Import cost and zip size, before and after").
 */
export function lazySqsClient(given?: SqsSender): () => Promise<SqsSender> {
  return lazyClient<SqsSender>(
    () => import('@aws-sdk/client-sqs').then(({ SQSClient }) => new SQSClient({})),
    given,
  );
}

/** The client a queue's options give, made lazy when none is given. */
export function sqsClientFrom(source: SqsClientSource | undefined): () => Promise<SqsSender> {
  if (typeof source === 'function') return source;
  return lazySqsClient(source);
}
