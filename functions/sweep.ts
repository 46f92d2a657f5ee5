import type { Context } from 'aws-lambda';
import { createHandlerSetup, type HandlerDeps } from '#adapters/create-handler-setup';
import { errorSummary } from '#adapters/logging/error-summary';
import { loadSweepConfig } from '#config/load-config';
import { JanitorError } from '#core/shared/errors';
import { runSweep, type SweepSummary } from '#core/sweep/run-sweep';
import { parseSweepEvent } from '#core/sweep/sweep-event';

/** What the sweep Lambda returns: the run summary without the per-gateway plan. */
export type SweepResult = Omit<SweepSummary, 'plan'>;

/** Edges the handler's tests replace; production uses the defaults. */
export type SweepHandlerDeps = HandlerDeps;

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

  return async (event: unknown, context?: Partial<Context>): Promise<SweepResult> => {
    setup.begin(context);
    try {
      const request = parseSweepEvent(event);
      const { config, api, notifier, deadline, runId } = setup.invocation(context);
      // An event may force a dry run, never a live one: live needs DRY_RUN=false.
      const dryRun = config.dryRun || request.dryRun === true;
      const notice = notifier.watch(sink);
      const { plan: _plan, ...summary } = await runSweep({
        api,
        sink: notice.sink,
        clock,
        policy: config.policy,
        deadline,
        concurrency: config.deleteConcurrency,
        run: { runId, trigger: request.trigger, dryRun },
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

/** The `sweep` Lambda entry point (serverless.yml). */
export const handler = createSweepHandler();
