import type { Logger } from '@aws-lambda-powertools/logger';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse } from 'aws-lambda';
import { InvocationTime, lambdaDeadline } from '#adapters/aws/lambda-deadline';
import { createRunNotifier } from '#adapters/aws/sns-run-notifier';
import { SqsConfirmationQueue } from '#adapters/aws/sqs-confirmation-queue';
import { SqsTeardownQueue } from '#adapters/aws/sqs-teardown-queue';
import {
  type ApiOverrides,
  createGatewayApi,
  deadlineMarginMs,
} from '#adapters/create-gateway-api';
import { createLogger } from '#adapters/logging/create-logger';
import { errorSummary } from '#adapters/logging/error-summary';
import { LoggerAuditSink } from '#adapters/logging/logger-audit-sink';
import { type Config, loadConfig } from '#config/load-config';
import { ValidationError } from '#core/shared/errors';
import type { AuditSink, Clock } from '#core/shared/ports';
import { runTeardown } from '#core/teardown/run-teardown';
import type { TeardownMessage } from '#core/teardown/teardown-deps';

/** Edges the handler's tests replace; production uses the defaults. */
export interface TeardownHandlerDeps extends ApiOverrides {
  env?: Record<string, string | undefined>;
  sink?: AuditSink;
  clock?: Clock;
  logger?: Logger;
  sqsClient?: Pick<SQSClient, 'send'>;
}

/**
 * Builds the teardown handler for SQS events with ReportBatchItemFailures: it answers
 * with exactly the records that must come back (transient failure, or not started
 * before the deadline); everything else was acknowledged with an audit record.
 */
export function createTeardownHandler(deps: TeardownHandlerDeps = {}) {
  const logger = deps.logger ?? createLogger();
  const sink = deps.sink ?? new LoggerAuditSink(logger);
  const clock = deps.clock ?? { now: Date.now };
  const time = new InvocationTime();
  let wired: ReturnType<typeof wire> | undefined;

  return async (event: unknown, context?: Partial<Context>): Promise<SQSBatchResponse> => {
    time.start(context);
    try {
      const messages = readRecords(event);
      wired ??= wire(deps, time, logger);
      const { config, api, queue, notifier, confirmations } = wired;
      const notice = notifier.watch(sink);
      const result = await runTeardown(messages, {
        api,
        sink: notice.sink,
        clock,
        queue,
        policy: config.policy as NonNullable<Config['policy']>,
        deadline: lambdaDeadline(context, deadlineMarginMs(config)),
        concurrency: config.deleteConcurrency,
        maxHorizonMs: config.teardownMaxHorizonMs,
        confirm: {
          queue: confirmations,
          afterMs: config.confirmAfterMs,
          withinMs: config.confirmWithinMs,
        },
        run: {
          runId: context?.awsRequestId ?? crypto.randomUUID(),
          trigger: 'sqs',
          dryRun: config.dryRun,
        },
      }).finally(notice.publish);
      // A bad token fails every record: fail the invocation so the error alarm fires.
      if (result.stopError && result.retry.length === messages.length) throw result.stopError;
      if (result.stopError)
        logger.error('teardown stopped', { error: errorSummary(result.stopError) });
      return { batchItemFailures: result.retry.map((itemIdentifier) => ({ itemIdentifier })) };
    } catch (error) {
      logger.error('teardown failed', { error: errorSummary(error) });
      throw error;
    }
  };
}

function wire(deps: TeardownHandlerDeps, time: InvocationTime, logger: Logger) {
  const config = loadConfig(deps.env ?? process.env, { policy: true, queue: true });
  // One client for deferrals, parking and confirmations.
  const client = deps.sqsClient ?? new SQSClient({});
  const queue = new SqsTeardownQueue({
    queueUrl: config.teardownQueueUrl as string,
    deadLetterQueueUrl: config.teardownDlqUrl,
    client,
    time,
  });
  const confirmations = new SqsConfirmationQueue({
    queueUrl: config.teardownQueueUrl as string,
    client,
    time,
  });
  const api = createGatewayApi(config, { ...deps, time, profile: 'teardown' }).api;
  const notifier = createRunNotifier({
    mode: config.notify,
    topicArn: config.notifyTopicArn,
    warn: (message, detail) => logger.warn(message, detail),
  });
  return { config, api, queue, notifier, confirmations };
}

function readRecords(event: unknown): TeardownMessage[] {
  const records = (event as { Records?: unknown } | null)?.Records;
  if (!Array.isArray(records))
    throw new ValidationError('EVENT_INVALID', 'event.Records', 'expected an SQS event');
  return records.map((record, index) => {
    const { messageId, body, attributes } = (record ?? {}) as {
      messageId?: unknown;
      body?: unknown;
      attributes?: { ApproximateReceiveCount?: unknown };
    };
    if (typeof messageId !== 'string' || typeof body !== 'string') {
      throw new ValidationError(
        'EVENT_INVALID',
        `event.Records[${index}]`,
        'expected messageId and body strings',
      );
    }
    const receiveCount = Number(attributes?.ApproximateReceiveCount);
    return Number.isInteger(receiveCount) && receiveCount > 0
      ? { messageId, body, receiveCount }
      : { messageId, body };
  });
}

/** The `teardown` Lambda entry point (serverless.yml). */
export const handler = createTeardownHandler();
