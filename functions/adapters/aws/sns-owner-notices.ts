import type { SNSClient } from '@aws-sdk/client-sns';
import type { OwnerNotice } from '#core/audit/notice';
import { JanitorError } from '#core/errors';
import type { OwnerNoticePublisher } from '#core/registry/owner-notice';
import type { InvocationTime } from './lambda-deadline.ts';
import { lazyClient } from './lazy-client.ts';

// One Publish must not hold a sweep: as for run notices, it fits in the margin the
// deadline keeps free at the end of an invocation.
const PUBLISH_TIMEOUT_MS = 3_000;

/** One SNS client for an execution environment, its SDK module imported on the first message. */
export function lazySnsClient(given?: Pick<SNSClient, 'send'>) {
  return lazyClient<Pick<SNSClient, 'send'>>(
    () => import('@aws-sdk/client-sns').then(({ SNSClient }) => new SNSClient({})),
    given,
  );
}

/** Where owners' notices go and how long one Publish may take. */
export interface SnsOwnerNoticesOptions {
  topicArn: string;
  client?: Pick<SNSClient, 'send'>;
  /** the running invocation's remaining time, which also bounds each Publish */
  time?: InvocationTime;
  timeoutMs?: number;
}

/**
 * Publishes each owner's notice to the notices topic (NOTICE_TOPIC_ARN; docs/deploy.md):
 * a JSON message structure, plain text by default and an AWS Chatbot custom notification
 * for https (chat) subscriptions, with the String attribute `owner` that subscriptions
 * filter on. The SDK's SNS module is imported on the first notice, never at init. A
 * message SNS did not accept throws NOTICE_UNPUBLISHED with the SDK error's name only.
 */
export function createSnsOwnerNotices(options: SnsOwnerNoticesOptions): OwnerNoticePublisher {
  const getClient = lazySnsClient(options.client);
  return {
    async publish(notice: OwnerNotice) {
      try {
        const { PublishCommand } = await import('@aws-sdk/client-sns');
        const bound = AbortSignal.timeout(options.timeoutMs ?? PUBLISH_TIMEOUT_MS);
        const invocation = options.time?.signal();
        await (await getClient()).send(
          new PublishCommand({
            TopicArn: options.topicArn,
            Subject: notice.subject,
            MessageStructure: 'json',
            Message: JSON.stringify({ default: notice.text, https: notice.chat }),
            MessageAttributes: { owner: { DataType: 'String', StringValue: notice.owner } },
          }),
          { abortSignal: invocation ? AbortSignal.any([bound, invocation]) : bound },
        );
      } catch (error) {
        const name = error instanceof Error ? error.name : 'Error';
        throw new JanitorError('NOTICE_UNPUBLISHED', `notice not published: ${name}`);
      }
    },
  };
}
