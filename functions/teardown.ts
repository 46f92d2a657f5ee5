import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse } from 'aws-lambda';
import { lazySqsClient } from '#adapters/aws/lazy-sqs-client';
import { SqsConfirmationQueue } from '#adapters/aws/sqs-confirmation-queue';
import { SqsReceiptCheck } from '#adapters/aws/sqs-receipt-check';
import { SqsTeardownQueue } from '#adapters/aws/sqs-teardown-queue';
import { errorSummary } from '#adapters/logging/error-summary';
import { loadTeardownConfig, type TeardownConfig } from '#config/load-config';
import { parseTeardownEvent } from '#core/teardown/context';
import { runTeardown } from '#core/teardown/run-teardown';
import { createHandlerSetup, type HandlerDeps } from '#wiring/handler-setup';

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
  let remainingMs: () => number | undefined = () => undefined;
  let queues:
    | { requests: SqsTeardownQueue; confirmations: SqsConfirmationQueue; receipts: SqsReceiptCheck }
    | undefined;
  const queuesFor = (config: TeardownConfig) => {
    if (queues) return queues;
    // One client for proving records, deferrals, parking and confirmations, made once per
    // environment when the first batch is proven.
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
      receipts: new SqsReceiptCheck({
        queueUrl: config.teardownQueueUrl,
        queue: config.teardownQueue,
        client,
        time: setup.time,
        remainingMs: () => remainingMs(),
      }),
    };
    return queues;
  };

  return async (event: unknown, context?: Partial<Context>): Promise<SQSBatchResponse> => {
    setup.begin(context);
    remainingMs = () => context?.getRemainingTimeInMillis?.();
    try {
      const messages = parseTeardownEvent(event);
      const { config, api, notifier, registry, deadline, runId } = setup.invocation(context);
      const notice = notifier.watch(sink);
      const { requests, confirmations, receipts } = queuesFor(config);
      const result = await runTeardown(messages, {
        api,
        sink: notice.sink,
        clock,
        mode: { kind: 'queue', queue: requests },
        ...(registry ? { registry } : {}),
        policy: config.policy,
        deadline,
        concurrency: config.deleteConcurrency,
        maxHorizonMs: config.teardownMaxHorizonMs,
        receipts,
        janitorRoleIds: config.janitorRoleIds,
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
      if (result.unproven !== undefined)
        logger.warn('teardown batch handed back: the queue could not prove its records', {
          error: errorSummary(result.unproven),
        });
      return { batchItemFailures: result.retry.map((itemIdentifier) => ({ itemIdentifier })) };
    } catch (error) {
      logger.error('teardown failed', { error: errorSummary(error) });
      throw error;
    }
  };
}

/** The `teardown` Lambda entry point (serverless.yml). */
export const handler = createTeardownHandler();
