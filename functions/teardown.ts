import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse } from 'aws-lambda';
import { lazySqsClient } from '#adapters/aws/lazy-sqs-client';
import { SqsConfirmationQueue } from '#adapters/aws/sqs-confirmation-queue';
import { SqsTeardownQueue } from '#adapters/aws/sqs-teardown-queue';
import { createHandlerSetup, type HandlerDeps } from '#adapters/create-handler-setup';
import { errorSummary } from '#adapters/logging/error-summary';
import { loadTeardownConfig, type TeardownConfig } from '#config/load-config';
import { runTeardown } from '#core/teardown/run-teardown';
import { parseTeardownEvent } from '#core/teardown/teardown-event';

/** Edges the handler's tests replace; production uses the defaults. */
export interface TeardownHandlerDeps extends HandlerDeps {
  sqsClient?: Pick<SQSClient, 'send'>;
}

/**
 * Builds the teardown handler for SQS events with ReportBatchItemFailures: it answers
 * with exactly the records that must come back (transient failure, or not started
 * before the deadline); everything else was acknowledged with an audit record.
 */
export function createTeardownHandler(deps: TeardownHandlerDeps = {}) {
  const setup = createHandlerSetup(deps, { loadConfig: loadTeardownConfig, profile: 'teardown' });
  const { logger, sink, clock } = setup;
  let queues: { requests: SqsTeardownQueue; confirmations: SqsConfirmationQueue } | undefined;
  const queuesFor = (config: TeardownConfig) => {
    if (queues) return queues;
    // One client for deferrals, parking and confirmations, made once per environment and
    // only when the first of them is sent: an invocation that only confirms deletions
    // sends nothing, and its cold start does not load the SQS client.
    const client = lazySqsClient(deps.sqsClient);
    queues = {
      requests: new SqsTeardownQueue({
        queueUrl: config.teardownQueueUrl,
        deadLetterQueueUrl: config.teardownDlqUrl,
        client,
        time: setup.time,
      }),
      confirmations: new SqsConfirmationQueue({
        queueUrl: config.teardownQueueUrl,
        client,
        time: setup.time,
      }),
    };
    return queues;
  };

  return async (event: unknown, context?: Partial<Context>): Promise<SQSBatchResponse> => {
    setup.begin(context);
    try {
      const messages = parseTeardownEvent(event);
      const { config, api, notifier, deadline, runId } = setup.invocation(context);
      const notice = notifier.watch(sink);
      const { requests, confirmations } = queuesFor(config);
      const result = await runTeardown(messages, {
        api,
        sink: notice.sink,
        clock,
        queue: requests,
        policy: config.policy,
        deadline,
        concurrency: config.deleteConcurrency,
        maxHorizonMs: config.teardownMaxHorizonMs,
        confirm: {
          queue: confirmations,
          afterMs: config.confirmAfterMs,
          withinMs: config.confirmWithinMs,
        },
        run: { runId, trigger: 'sqs', dryRun: config.dryRun },
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

/** The `teardown` Lambda entry point (serverless.yml). */
export const handler = createTeardownHandler();
