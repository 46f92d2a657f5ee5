import type { GatewayOutcome } from '../audit/record.ts';
import { refusedWhileDeploymentsGo } from '../cascade.ts';
import { ApiError } from '../errors.ts';
import type { Gateway } from '../model.ts';
import { parkMessage } from './admit.ts';
import type {
  RequestFields,
  Settled,
  TeardownBatch,
  TeardownDeps,
  TeardownMessage,
} from './context.ts';
import {
  checkDue,
  decideTeardown,
  describesRequested,
  pinIdentity,
  pinnedBody,
  type TeardownRequest,
} from './request.ts';
import { clearDeployments, holdRequest, type RequestCascade } from './resend.ts';

/**
 * Settles one admitted request: holds it back in a dry run, defers it when not yet
 * due, otherwise tears the gateway down if the live gateway, the policy and the batch's
 * DELETE limit allow; a request the API refuses for good is parked, not retried.
 * Transient failures throw, for the batch to hand the message back.
 */
export async function settleRequest(
  message: TeardownMessage,
  request: TeardownRequest,
  deps: TeardownDeps,
  batch: TeardownBatch,
): Promise<Settled> {
  const fields: RequestFields = {
    gatewayId: request.gatewayId,
    sqsMessageId: message.messageId,
    requestedBy: request.requestedBy,
  };
  const due = checkDue(request, deps.clock.now());
  if (due.due && deps.run.dryRun && deps.queue) return holdBack(message, fields);
  if (!due.due) {
    return deferRequest(message, request, deps, fields, due).catch((error) =>
      parkIfRefused(error, message, deps, fields, undefined),
    );
  }
  return tearDownNow(message, request, deps, fields, batch);
}

/**
 * Dry run consumes nothing: a due queued request goes back to the queue unserved, so
 * it is served once the stack goes live (the deployment also disables the trigger in
 * dry run). One record on its first delivery says so; redeliveries stay quiet.
 */
function holdBack(message: TeardownMessage, fields: RequestFields): Settled {
  const first = (message.receiveCount ?? 1) <= 1;
  return {
    outcome: { event: 'gateway.deferred', ...fields, reason: 'dry_run' },
    handBack: true,
    unrecorded: !first,
  };
}

/** A due request: the live gateway is checked against the request and the policy, then deleted. */
async function tearDownNow(
  message: TeardownMessage,
  request: TeardownRequest,
  deps: TeardownDeps,
  fields: RequestFields,
  batch: TeardownBatch,
): Promise<Settled> {
  let looked: Awaited<ReturnType<TeardownDeps['api']['get']>>;
  try {
    looked = await deps.api.get(request.gatewayId, deps.deadline);
  } catch (error) {
    return parkIfRefused(error, message, deps, fields, undefined);
  }
  const { gateway: live, http } = looked;
  // A GET that describes another gateway must not lend its name to this id's record.
  const gateway = live && describesRequested(request, live) ? live : undefined;
  const named = { ...fields, gateway };
  const verdict = decideTeardown(request, live, deps.policy);
  if (verdict.action === 'gone')
    return { outcome: { event: 'gateway.already_gone', ...named, reason: verdict.reason, http } };
  if (verdict.action === 'skip')
    return { outcome: { event: 'gateway.skipped', ...named, reason: verdict.reason } };
  const lateForDeployments = outOfTime(deps, named);
  if (lateForDeployments) return lateForDeployments;
  // Never orphan what is serving: deployments are looked at before any DELETE.
  let cascade: Extract<RequestCascade, { action: 'proceed' }>;
  try {
    const cleared = await clearDeployments(message, request, live, deps, named, batch);
    if (cleared.action === 'settled') return cleared.settled;
    cascade = cleared;
  } catch (error) {
    return parkIfRefused(error, message, deps, fields, gateway);
  }
  const { deployments, records } = cascade;
  if (deps.run.dryRun)
    return {
      outcome: { event: 'gateway.would_delete', ...named, reason: 'requested', deployments },
    };
  const lateForDelete = outOfTime(deps, named);
  if (lateForDelete) return lateForDelete;
  try {
    const result = await deps.api.delete(request.gatewayId, deps.deadline);
    if (result.kind === 'already_gone') {
      return {
        outcome: {
          event: 'gateway.already_gone',
          ...named,
          reason: 'not_found',
          http: result.http,
          deployments,
        },
        records,
      };
    }
    return {
      outcome: {
        event: 'gateway.deleted',
        ...named,
        reason: 'requested',
        http: result.http,
        finalState: result.gateway,
        deployments,
      },
      records,
    };
  } catch (error) {
    // The API refuses the gateway while the deployments just deleted are still going.
    if (deployments?.length && refusedWhileDeploymentsGo(error)) {
      const held = await holdRequest(message, request, live, deps, named, {
        reason: 'deployments_deleting',
        deployments,
      });
      return { ...held, records };
    }
    const parked = await parkIfRefused(error, message, deps, fields, gateway);
    return { ...parked, records };
  }
}

/**
 * The deadline margin covers one request in flight, but a teardown makes several: a call
 * that retried into the margin must not be followed by more, or the invocation can outlive
 * its deadline (docs/reliability.md). The message goes back; the next delivery retries.
 */
function outOfTime(
  deps: TeardownDeps,
  named: RequestFields & Pick<GatewayOutcome, 'gateway'>,
): Settled | undefined {
  if (deps.deadline.budgetMs() > 0) return undefined;
  return { outcome: { event: 'gateway.skipped', ...named, reason: 'deadline' }, handBack: true };
}

/**
 * Defers a request that is not due: re-sent rather than returned to the queue, so the
 * wait does not count towards the dead-letter redrive. A request that names no creation
 * time is first pinned to the gateway holding its id now (ids can be reused).
 */
async function deferRequest(
  message: TeardownMessage,
  request: TeardownRequest,
  deps: TeardownDeps,
  fields: RequestFields,
  due: { dueAt: string; delaySeconds: number },
): Promise<Settled> {
  if (!deps.queue) throw new Error('no teardown queue to defer to');
  let body = message.body;
  let gateway: Gateway | undefined;
  if (request.expectedCreatedAt === undefined) {
    const { gateway: live, http } = await deps.api.get(request.gatewayId, deps.deadline);
    const pinned = pinIdentity(request, live);
    if (pinned.action === 'gone')
      return { outcome: { event: 'gateway.already_gone', ...fields, reason: 'not_found', http } };
    if (pinned.action === 'skip')
      return { outcome: { event: 'gateway.skipped', ...fields, reason: pinned.reason } };
    gateway = live;
    const pinnedText = pinnedBody(pinned.request);
    if (pinnedText === undefined)
      return { outcome: { event: 'gateway.skipped', ...fields, reason: 'unknown_identity' } };
    body = pinnedText;
  }
  await deps.queue.defer(body, due.delaySeconds);
  return {
    outcome: { event: 'gateway.deferred', ...fields, gateway, reason: 'not_due', dueAt: due.dueAt },
  };
}

/**
 * Retrying will not help when the API refuses a request for good (e.g. still referenced
 * by deployments): the request is parked where an operator will see it and acknowledged.
 * Any other failure is rethrown, for the batch to hand the message back.
 */
async function parkIfRefused(
  error: unknown,
  message: TeardownMessage,
  deps: TeardownDeps,
  fields: RequestFields,
  gateway: Gateway | undefined,
): Promise<Settled> {
  if (!(error instanceof ApiError && error.code === 'API_PERMANENT')) throw error;
  const parked = await parkMessage(message, deps, error.message);
  return {
    outcome: {
      event: 'gateway.delete_failed',
      ...fields,
      gateway,
      reason: 'permanent',
      http: error.http,
      error,
    },
    handBack: !parked,
  };
}
