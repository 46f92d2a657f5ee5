import type { Gateway } from '../common/gateway.ts';
import { pinIdentity } from './decide-teardown.ts';
import { pinnedBody } from './pinned-body.ts';
import type { RequestFields, Settled } from './settle-request.ts';
import type { TeardownDeps, TeardownMessage } from './teardown-deps.ts';
import type { TeardownRequest } from './teardown-request.ts';

// The next invocation has a fresh limit: a short wait, yet no hot loop when the limit is 0.
const RUN_LIMIT_DELAY_SECONDS = 60;

/** What the requests of one teardown batch share: its DELETE limit, and what its summary says. */
export interface TeardownBatch {
  /**
   * Takes `count` DELETEs (a request's deployments and its gateway) from the batch's
   * `limits.maxDeletesPerRun`, all or none. Synchronous, so concurrent requests of the
   * batch can never take more than the limit between them.
   */
  reserve(count: number): boolean;
  /** A deployment list answered 404 (read as none); `run.summary` says so. */
  deploymentListNotFound: boolean;
}

/** The shared state of one batch, bounded by the policy's `limits.maxDeletesPerRun`. */
export function createTeardownBatch(maxDeletesPerRun: number): TeardownBatch {
  let left = maxDeletesPerRun;
  return {
    reserve(count) {
      if (count > left) return false;
      left -= count;
      return true;
    },
    deploymentListNotFound: false,
  };
}

/**
 * Defers a due request the batch has no DELETEs left for (docs/contract.md "teardown"): sent
 * again, pinned to the live gateway, and the original acknowledged, so the wait never counts
 * towards the dead-letter redrive and the request is never dropped. Without a queue (the
 * CLI) it is skipped, and the command says so.
 */
export async function deferForRunLimit(
  _message: TeardownMessage,
  request: TeardownRequest,
  live: Gateway | undefined,
  deps: TeardownDeps,
  named: RequestFields & { gateway?: Gateway },
): Promise<Settled> {
  if (!deps.queue) return { outcome: { event: 'gateway.skipped', ...named, reason: 'run_limit' } };
  const pinned = pinIdentity(request, live);
  const text = pinnedBody(pinned.action === 'defer' ? pinned.request : request);
  if (text === undefined)
    return { outcome: { event: 'gateway.skipped', ...named, reason: 'unknown_identity' } };
  await deps.queue.defer(text, RUN_LIMIT_DELAY_SECONDS);
  return { outcome: { event: 'gateway.deferred', ...named, reason: 'run_limit' } };
}
