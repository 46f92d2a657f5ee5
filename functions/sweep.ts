import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { createSnsOwnerNotices } from '#adapters/aws/sns-owner-notices';
import { SqsConfirmationQueue } from '#adapters/aws/sqs-confirmation-queue';
import { emitMetric } from '#adapters/logging/emf-metric';
import { errorSummary } from '#adapters/logging/error-summary';
import { loadSweepConfig, type SweepConfig } from '#config/load-config';
import { JanitorError } from '#core/errors';
import type { OwnerNoticePublisher } from '#core/registry/owner-notice';
import { parseSweepEvent, runSweep, type SweepSummary } from '#core/sweep/run-sweep';
import { createHandlerSetup, type HandlerDeps } from '#wiring/handler-setup';

/** What the sweep Lambda returns: the run summary without the per-gateway plan. */
export type SweepResult = Omit<SweepSummary, 'plan' | 'deletions'>;

/** Edges the handler's tests replace; production uses the defaults. */
export interface SweepHandlerDeps extends HandlerDeps {
  sqsClient?: Pick<SQSClient, 'send'>;
  /** where the embedded-metric line goes; stdout, which Lambda's log pipeline reads */
  writeMetric?: (line: string) => void;
}

/**
 * Builds the sweep handler. Configuration, token source and connection pool are
 * created on the first invocation and reused while the execution environment lives;
 * nothing touches the network at import time.
 */
export function createSweepHandler(deps: SweepHandlerDeps = {}) {
  const setup = createHandlerSetup(deps, {
    loadConfig: loadSweepConfig,
    profile: deps.profile ?? 'sweep',
  });
  const { logger, sink, clock } = setup;
  let confirmations: SqsConfirmationQueue | undefined;
  // Deletions are confirmed through the teardown queue (docs/contract.md "Deletion is
  // confirmed, not assumed"); the deployment always sets it.
  const confirmationsFor = (config: SweepConfig) => {
    if (config.teardownQueueUrl === undefined) return undefined;
    confirmations ??= new SqsConfirmationQueue({
      queueUrl: config.teardownQueueUrl,
      client: deps.sqsClient,
      time: setup.time,
    });
    return confirmations;
  };
  let notices: OwnerNoticePublisher | undefined;
  // Owners are told before deletion on the stack's notices topic (infra/notices.yml).
  const noticesFor = (config: SweepConfig) => {
    if (config.noticeTopicArn === undefined) return undefined;
    notices ??= createSnsOwnerNotices({ topicArn: config.noticeTopicArn, time: setup.time });
    return notices;
  };

  return async (event: unknown, context?: Partial<Context>): Promise<SweepResult> => {
    setup.begin(context);
    try {
      const request = parseSweepEvent(event);
      const { config, api, notifier, registry, deadline, runId } = setup.invocation(context);
      // An event may force a dry run, never a live one: live needs DRY_RUN=false.
      const dryRun = config.dryRun || request.dryRun === true;
      const queue = confirmationsFor(config);
      // Outside the deployment a live sweep may run without the queue: its deletions then
      // go unconfirmed, and the stuck check of later sweeps still covers them.
      if (!queue && !dryRun)
        logger.warn('TEARDOWN_QUEUE_URL is not set: deletions will not be confirmed');
      const publisher = noticesFor(config);
      const notice = notifier.watch(sink);
      const {
        plan: _plan,
        deletions: _deletions,
        ...summary
      } = await runSweep({
        api,
        sink: notice.sink,
        clock,
        policy: config.policy,
        deadline,
        concurrency: config.deleteConcurrency,
        run: { runId, trigger: request.trigger, dryRun },
        confirm: { queue, afterMs: config.confirmAfterMs, withinMs: config.confirmWithinMs },
        ...(registry ? { registry } : {}),
        ...(publisher ? { notices: publisher } : {}),
      }).finally(notice.publish);
      emitMetric('ExpiringWithin24h', summary.expiringWithin24h, {
        namespace: config.metricsNamespace,
        service: (deps.env ?? process.env).POWERTOOLS_SERVICE_NAME || 'gateway-janitor',
        ...(deps.writeMetric ? { write: deps.writeMetric } : {}),
      });
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

/** The `sweep` Lambda entry point (serverless.yml). */
export const handler = createSweepHandler();
