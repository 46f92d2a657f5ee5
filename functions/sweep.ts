import { randomUUID } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { InvocationTime, lambdaDeadline } from '#adapters/aws/lambda-deadline';
import { createRunNotifier } from '#adapters/aws/sns-run-notifier';
import { SqsConfirmationQueue } from '#adapters/aws/sqs-confirmation-queue';
import {
  type ApiOverrides,
  createGatewayApi,
  deadlineMarginMs,
} from '#adapters/create-gateway-api';
import { createLogger } from '#adapters/logging/create-logger';
import { errorSummary } from '#adapters/logging/error-summary';
import { LoggerAuditSink } from '#adapters/logging/logger-audit-sink';
import { type Config, loadConfig } from '#config/load-config';
import { JanitorError } from '#core/shared/errors';
import type { AuditSink, Clock } from '#core/shared/ports';
import { runSweep, type SweepSummary } from '#core/sweep/run-sweep';
import { parseSweepEvent } from '#core/sweep/sweep-event';

/** What the sweep Lambda returns: the run summary without the per-gateway plan. */
export type SweepResult = Omit<SweepSummary, 'plan'>;

/** Edges the handler's tests replace; production uses the defaults. */
export interface SweepHandlerDeps extends ApiOverrides {
  env?: Record<string, string | undefined>;
  sink?: AuditSink;
  clock?: Clock;
  logger?: Logger;
  sqsClient?: Pick<SQSClient, 'send'>;
}

/**
 * Builds the sweep handler. Configuration, token source and connection pool are
 * created on the first invocation and reused while the execution environment lives;
 * nothing touches the network at import time.
 */
export function createSweepHandler(deps: SweepHandlerDeps = {}) {
  const logger = deps.logger ?? createLogger();
  const sink = deps.sink ?? new LoggerAuditSink(logger);
  const clock = deps.clock ?? { now: Date.now };
  const time = new InvocationTime();
  let wired: ReturnType<typeof wire> | undefined;

  return async (event: unknown, context?: Partial<Context>): Promise<SweepResult> => {
    time.start(context);
    try {
      const request = parseSweepEvent(event);
      wired ??= wire(deps, time, logger);
      const { config, api, notifier, confirmations } = wired;
      // Outside the deployment (which always sets it) a live sweep may run without the
      // queue: its deletions then go unconfirmed, and the stuck check still covers them.
      if (!confirmations && !config.dryRun)
        logger.warn('TEARDOWN_QUEUE_URL is not set: deletions will not be confirmed');
      const policy = config.policy;
      if (!policy) throw new JanitorError('CONFIG_INVALID', 'JANITOR_POLICY: required');
      // An event may force a dry run, never a live one: live needs DRY_RUN=false.
      const dryRun = config.dryRun || request.dryRun === true;
      const notice = notifier.watch(sink);
      const { plan: _plan, ...summary } = await runSweep({
        api,
        sink: notice.sink,
        clock,
        policy,
        deadline: lambdaDeadline(context, deadlineMarginMs(config)),
        concurrency: config.deleteConcurrency,
        run: { runId: context?.awsRequestId ?? randomUUID(), trigger: request.trigger, dryRun },
        confirm: {
          queue: confirmations,
          afterMs: config.confirmAfterMs,
          withinMs: config.confirmWithinMs,
        },
      }).finally(notice.publish);
      if (summary.status === 'aborted') {
        throw new JanitorError(
          'BLAST_RADIUS_EXCEEDED',
          `sweep aborted: ${summary.expired} of ${summary.listed} gateways expired, over the policy's limits`,
        );
      }
      return summary;
    } catch (error) {
      logger.error('sweep failed', { error: errorSummary(error) });
      throw error;
    }
  };
}

function wire(deps: SweepHandlerDeps, time: InvocationTime, logger: Logger) {
  const config: Config = loadConfig(deps.env ?? process.env, { policy: true });
  const confirmations =
    config.teardownQueueUrl === undefined
      ? undefined
      : new SqsConfirmationQueue({
          queueUrl: config.teardownQueueUrl,
          client: deps.sqsClient,
          time,
        });
  const notifier = createRunNotifier({
    mode: config.notify,
    topicArn: config.notifyTopicArn,
    warn: (message, detail) => logger.warn(message, detail),
  });
  return {
    config,
    api: createGatewayApi(config, { ...deps, time }).api,
    notifier,
    confirmations,
  };
}

/** The `sweep` Lambda entry point (serverless.yml). */
export const handler = createSweepHandler();
