import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse } from 'aws-lambda';
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
  let queue: SqsTeardownQueue | undefined;
  const queueFor = (config: TeardownConfig) =>
    (queue ??= new SqsTeardownQueue({
      queueUrl: config.teardownQueueUrl,
      deadLetterQueueUrl: config.teardownDlqUrl,
      client: deps.sqsClient,
      time: setup.time,
    }));

  return async (event: unknown, context?: Partial<Context>): Promise<SQSBatchResponse> => {
    setup.begin(context);
    try {
      const messages = parseTeardownEvent(event);
      const { config, api, notifier, deadline, runId } = setup.invocation(context);
      const notice = notifier.watch(sink);
      const result = await runTeardown(messages, {
        api,
        sink: notice.sink,
        clock,
        queue: queueFor(config),
        policy: config.policy,
        deadline,
        concurrency: config.deleteConcurrency,
        maxHorizonMs: config.teardownMaxHorizonMs,
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
