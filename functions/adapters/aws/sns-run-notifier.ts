import type { SNSClient } from '@aws-sdk/client-sns';
import { buildRunNotice, isNoticed, type NotifyMode } from '#core/audit/notice';
import type { AuditRecord, AuditSink } from '#core/audit/record';
import { lazySnsClient } from './sns-owner-notices.ts';

// Long enough for one Publish, short enough that a slow SNS never holds a run: it fits in
// the margin the deadline keeps free at the end of an invocation (COREWEAVE_HTTP_TIMEOUT_MS + 2 s).
const PUBLISH_TIMEOUT_MS = 3_000;

/** How a run's notice is published, and where a failure to publish is told. */
export interface RunNotifierOptions {
  mode: NotifyMode;
  topicArn?: string;
  /** a failed publish is logged here, never thrown */
  warn: (message: string, detail: Record<string, unknown>) => void;
  client?: Pick<SNSClient, 'send'>;
  timeoutMs?: number;
}

/** Watches one run's audit records and publishes its notice when the run ends. */
export interface RunNotifier {
  watch(sink: AuditSink): { sink: AuditSink; publish(): Promise<void> };
}

/**
 * Publishes one short message per run to the stack's SNS topic (NOTIFY, NOTIFY_TOPIC_ARN;
 * docs/deploy.md). The SNS client is imported only when NOTIFY is not off, so it stays
 * out of the functions' init path; the publish is bounded in time and always settles.
 */
export function createRunNotifier(options: RunNotifierOptions): RunNotifier {
  const getClient = lazySnsClient(options.client);
  return {
    watch(inner) {
      if (options.mode === 'off' || !options.topicArn) {
        return { sink: inner, publish: () => Promise.resolve() };
      }
      const records: AuditRecord[] = [];
      return {
        sink: {
          write(record) {
            inner.write(record);
            // A run's context and what the notice tells: not every kept gateway's record.
            if (records.length === 0 || isNoticed(record.event)) records.push(record);
          },
        },
        publish: async () => {
          const notice = buildRunNotice(records, options.mode);
          if (!notice) return;
          try {
            const { PublishCommand } = await import('@aws-sdk/client-sns');
            await (await getClient()).send(
              new PublishCommand({
                TopicArn: options.topicArn,
                Subject: notice.subject.slice(0, 100),
                Message: notice.message,
              }),
              { abortSignal: AbortSignal.timeout(options.timeoutMs ?? PUBLISH_TIMEOUT_MS) },
            );
          } catch (error) {
            options.warn('run notice not published', {
              error: { name: error instanceof Error ? error.name : 'Error' },
              runId: records[0]?.runId,
            });
          }
        },
      };
    },
  };
}
