import type { RecordFields } from '../audit/record.ts';
import type { AuditReason } from '../audit/vocabulary.ts';
import {
  deleteDeployments,
  deploymentFields,
  gatewayAfterCascade,
  planDeployments,
} from '../cascade.ts';
import type { ApiError } from '../errors.ts';
import type { DeploymentRef, Gateway } from '../model.ts';
import { isProtected } from '../policy/evaluate-gateway.ts';
import { parseDuration, parseRfc3339 } from '../time.ts';
import {
  deferForRunLimit,
  type RequestFields,
  type Settled,
  type TeardownBatch,
  type TeardownDeps,
  type TeardownMessage,
} from './context.ts';
import {
  DEFAULT_TEARDOWN_MAX_HORIZON,
  pinIdentity,
  pinnedBody,
  type TeardownRequest,
} from './request.ts';

const DEFAULT_HORIZON_MS = parseDuration(DEFAULT_TEARDOWN_MAX_HORIZON) as number;
// SQS allows at most 15 minutes of DelaySeconds on a message.
const HOLD_DELAY_SECONDS = 900;

/** Whether a due request may go on to its gateway's DELETE, or has been settled here. */
export type RequestCascade =
  | { action: 'proceed'; deployments?: DeploymentRef[]; records: RecordFields[] }
  | { action: 'settled'; settled: Settled };

/** What a request's named gateway carries into its records. */
export type NamedFields = RequestFields & { gateway?: Gateway };

/**
 * Clears the deployments in front of a requested gateway (docs/contract.md "Never orphan
 * what is serving"). Unless the request says `deleteDeployments` and the policy allows it
 * (`teardown.allow.deleteDeployments`), a gateway a deployment serves holds the request
 * back; otherwise the deployments that serve only this gateway are deleted first (never in
 * a dry run), and one that also serves another gateway, is protected or has no uuid id or
 * name holds it back. The request's DELETEs, deployments and gateway together, are taken
 * from the batch's limit before any is sent; past it the request is deferred (`run_limit`).
 * A failure to list deployments throws: unknown means keep, and the message comes back.
 */
export async function clearDeployments(
  message: TeardownMessage,
  request: TeardownRequest,
  live: Gateway | undefined,
  deps: TeardownDeps,
  named: NamedFields,
  batch: TeardownBatch,
): Promise<RequestCascade> {
  const listed = await deps.api.listDeployments(deps.deadline);
  if (listed.notFound) batch.deploymentListNotFound = true;
  const cascade = request.deleteDeployments === true && deps.policy.teardownAllowsDeployments;
  const decided = planDeployments([{ id: request.gatewayId, cascade }], listed.deployments, (d) =>
    isProtected(d, deps.policy),
  );
  const fate = decided.fates.get(request.gatewayId) ?? { kind: 'free' };
  if (fate.kind === 'held') {
    const settled = await holdRequest(message, request, live, deps, named, {
      reason: fate.reason,
      deployments: fate.deployments,
    });
    return { action: 'settled', settled };
  }
  const toDelete = fate.kind === 'cascade' ? decided.deployments : [];
  if (!batch.reserve(toDelete.length + 1)) {
    const settled = await deferForRunLimit(message, request, live, deps, named);
    return { action: 'settled', settled };
  }
  if (fate.kind === 'free') return { action: 'proceed', records: [] };
  if (deps.run.dryRun) return { action: 'proceed', deployments: fate.deployments, records: [] };
  let stopError: ApiError | undefined;
  const results = await deleteDeployments(decided.deployments, {
    api: deps.api,
    deadline: deps.deadline,
    concurrency: deps.concurrency,
    onStop: (error) => {
      stopError ??= error;
    },
    stopped: () => stopError !== undefined,
  });
  if (stopError) throw stopError;
  const records = decided.deployments.flatMap((deployment) => {
    const result = results.get(deployment.id);
    const fields = result && deploymentFields(result, 'requested');
    return fields ? [fields] : [];
  });
  if (gatewayAfterCascade(fate, results).action === 'keep') {
    const settled = await holdRequest(message, request, live, deps, named, {
      reason: 'has_deployments',
      deployments: fate.deployments,
    });
    return { action: 'settled', settled: { ...settled, records } };
  }
  return { action: 'proceed', deployments: fate.deployments, records };
}

/**
 * Holds a due request back while deployments serve its gateway: sent again (at most 15
 * minutes later, pinned to the live gateway, carrying when the hold began) until
 * TEARDOWN_MAX_HORIZON has passed since then, when it is skipped and acknowledged.
 * Without a queue (the CLI) it is skipped at once.
 */
export async function holdRequest(
  _message: TeardownMessage,
  request: TeardownRequest,
  live: Gateway | undefined,
  deps: TeardownDeps,
  named: NamedFields,
  why: { reason: AuditReason; deployments: DeploymentRef[] },
): Promise<Settled> {
  const now = deps.clock.now();
  const since = parseRfc3339(request.deferredSince) ?? now;
  const horizonMs = deps.maxHorizonMs ?? DEFAULT_HORIZON_MS;
  if (!deps.queue || now - since >= horizonMs)
    return { outcome: { event: 'gateway.skipped', ...named, ...why } };
  const pinned = pinIdentity(request, live);
  const held: TeardownRequest = {
    ...(pinned.action === 'defer' ? pinned.request : request),
    deferredSince: request.deferredSince ?? new Date(now).toISOString(),
  };
  const text = pinnedBody(held);
  if (text === undefined)
    return { outcome: { event: 'gateway.skipped', ...named, reason: 'unknown_identity' } };
  await deps.queue.defer(text, HOLD_DELAY_SECONDS);
  return { outcome: { event: 'gateway.deferred', ...named, ...why } };
}
