import type { RecordFields } from '../audit/record.ts';
import {
  deleteDeploymentsFirst,
  gatewayAfterCascade,
  planDeployments,
  refusedWhileDeploymentsGo,
} from '../cascade.ts';
import { RegistryError, ValidationError } from '../errors.ts';
import type { DeploymentRef, Gateway } from '../model.ts';
import { isProtected } from '../policy/evaluate-gateway.ts';
import { leaseForRequest, releaseDeleted } from '../registry/leases.ts';
import { isExemptionActive } from '../registry/registry-verdict.ts';
import type { Lease, LeaseIdentity } from '../registry-port.ts';
import { parseRfc3339 } from '../time.ts';
import type {
  RequestContext,
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
  type TeardownRequest,
} from './request.ts';
import { type Resend, resend, resendIfRefused } from './resend.ts';

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
  const fields = {
    gatewayId: request.gatewayId,
    sqsMessageId: message.messageId,
    requestedBy: request.requestedBy,
  };
  const ctx: RequestContext = { message, request, deps, batch, fields };
  const due = checkDue(request, deps.clock.now());
  if (due.due && deps.run.dryRun && deps.mode.kind === 'queue') return holdBack(ctx);
  // Paused or outside every window: the body goes back as it came; a pause touches no API.
  const { gate } = batch.control;
  if (due.due && !gate.open) return resend(ctx, { why: 'gate', gate });
  if (!due.due) {
    const wait =
      deps.registry && !deps.run.dryRun && request.requestedBy ? leaseUntilDue : deferUntilDue;
    return wait(ctx, due).catch((error) => resendIfRefused(ctx, error));
  }
  return tearDownNow(ctx);
}

/**
 * Dry run consumes nothing: a due queued request goes back to the queue unserved, so
 * it is served once the stack goes live (the deployment also disables the trigger in
 * dry run). One record on its first delivery says so; redeliveries stay quiet.
 */
function holdBack({ message, fields }: RequestContext): Settled {
  const first = (message.receiveCount ?? 1) <= 1;
  return {
    outcome: { event: 'gateway.deferred', ...fields, reason: 'dry_run' },
    handBack: true,
    unrecorded: !first,
  };
}

/**
 * Defers a request that is not due. A request that names no creation time is first pinned
 * to the gateway holding its id now (ids can be reused), which takes a GET.
 */
async function deferUntilDue(
  ctx: RequestContext,
  due: { dueAt: string; delaySeconds: number },
): Promise<Settled> {
  const { request, deps, fields } = ctx;
  const not_due = { why: 'not_due', ...due } as const;
  if (request.expectedCreatedAt !== undefined) return resend(ctx, not_due);
  const { gateway: live, http } = await deps.api.get(request.gatewayId, deps.deadline);
  const pinned = pinIdentity(request, live);
  if (pinned.action === 'gone')
    return { outcome: { event: 'gateway.already_gone', ...fields, reason: 'not_found', http } };
  if (pinned.action === 'skip')
    return { outcome: { event: 'gateway.skipped', ...fields, reason: pinned.reason } };
  return resend({ ...ctx, live }, not_due);
}

/** A due request: the live gateway is checked against the request and the policy, then deleted. */
async function tearDownNow(looking: RequestContext): Promise<Settled> {
  const { request, deps } = looking;
  let looked: Awaited<ReturnType<TeardownDeps['api']['get']>>;
  try {
    looked = await deps.api.get(request.gatewayId, deps.deadline);
  } catch (error) {
    return resendIfRefused(looking, error);
  }
  const { gateway: live, http } = looked;
  // A GET that describes another gateway must not lend its name to this id's record.
  const gateway = live && describesRequested(request, live) ? live : undefined;
  const ctx: RequestContext = { ...looking, live, fields: { ...looking.fields, gateway } };
  const { fields } = ctx;
  const verdict = decideTeardown(request, live, deps.policy);
  if (verdict.action === 'gone')
    return { outcome: { event: 'gateway.already_gone', ...fields, reason: verdict.reason, http } };
  if (verdict.action === 'skip')
    return { outcome: { event: 'gateway.skipped', ...fields, reason: verdict.reason } };
  const registered = await readRegistered(ctx);
  if ('outcome' in registered) return registered;
  // Never orphan what is serving: deployments are looked at before any DELETE.
  const cleared =
    outOfTime(ctx) ?? (await clearDeployments(ctx).catch((error) => resendIfRefused(ctx, error)));
  if ('outcome' in cleared) return cleared;
  const { deployments, records } = cleared;
  const late = deps.run.dryRun ? undefined : outOfTime(ctx);
  if (late) return late;
  // One unit of the rolling budget right before the DELETE; a dry run only counts.
  const took = await ctx.batch.control.budget.take();
  if (took !== 'taken') return { ...(await resend(ctx, { why: 'budget', reason: took })), records };
  if (deps.run.dryRun)
    return {
      outcome: { event: 'gateway.would_delete', ...fields, reason: 'requested', deployments },
    };
  try {
    const result = await deps.api.delete(request.gatewayId, deps.deadline);
    const outcome =
      result.kind === 'already_gone'
        ? { event: 'gateway.already_gone' as const, ...fields, reason: 'not_found' as const }
        : { event: 'gateway.deleted' as const, ...fields, reason: 'requested' as const };
    const finalState = result.kind === 'deleted' ? { finalState: result.gateway } : {};
    const after = await releaseAfterDeletion(ctx, registered.lease);
    return {
      outcome: { ...outcome, http: result.http, ...finalState, deployments },
      records,
      after,
    };
  } catch (error) {
    // The API refuses the gateway while the deployments just deleted are still going.
    const settled =
      deployments?.length && refusedWhileDeploymentsGo(error)
        ? await resend(ctx, { why: 'held', reason: 'deployments_deleting', deployments })
        : await resendIfRefused(ctx, error);
    return { ...settled, records };
  }
}

/** The gateway may go: the deployments a cascade deleted first, and their records. */
interface Cleared {
  deployments?: DeploymentRef[];
  records: RecordFields[];
}

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
async function clearDeployments(ctx: RequestContext): Promise<Cleared | Settled> {
  const { request, deps, batch } = ctx;
  const listed = await deps.api.listDeployments(deps.deadline);
  if (listed.notFound) batch.deploymentListNotFound = true;
  const cascade = request.deleteDeployments === true && deps.policy.teardownAllowsDeployments;
  const decided = planDeployments([{ id: request.gatewayId, cascade }], listed.deployments, (d) =>
    isProtected(d, deps.policy),
  );
  const fate = decided.fates.get(request.gatewayId) ?? { kind: 'free' };
  if (fate.kind === 'held') return resend(ctx, { why: 'held', ...fate });
  const toDelete = fate.kind === 'cascade' ? decided.deployments : [];
  if (!batch.reserve(toDelete.length + 1)) return resend(ctx, { why: 'run_limit' });
  if (fate.kind === 'free') return { records: [] };
  if (deps.run.dryRun) return { deployments: fate.deployments, records: [] };
  const planned = toDelete.map((deployment) => ({ deployment, reason: 'requested' as const }));
  const take = batch.control.budget.take;
  const { results, records, stopError } = await deleteDeploymentsFirst(planned, { ...deps, take });
  if (stopError) throw stopError;
  const after = gatewayAfterCascade(fate, results);
  if (
    after.action === 'keep' &&
    (after.reason === 'daily_limit' || after.reason === 'registry_unavailable')
  )
    return { ...(await resend(ctx, { why: 'budget', reason: after.reason })), records };
  if (after.action === 'keep') {
    const why = { why: 'held', reason: 'has_deployments', deployments: fate.deployments } as const;
    return { ...(await resend(ctx, why)), records };
  }
  return { deployments: fate.deployments, records };
}

/**
 * The deadline margin covers one request in flight, but a teardown makes several: a call
 * that retried into the margin must not be followed by more, or the invocation can outlive
 * its deadline (docs/reliability.md). The message goes back; the next delivery retries.
 */
function outOfTime({ deps, fields }: RequestContext): Settled | undefined {
  if (deps.deadline.budgetMs() > 0) return undefined;
  return { outcome: { event: 'gateway.skipped', ...fields, reason: 'deadline' }, handBack: true };
}

/**
 * With a registry, a request not yet due becomes a lease owned by its requester
 * (docs/contract.md "The registry", "In a teardown") and is acknowledged:
 * the sweep deletes the gateway once due, instead of the request going round the queue
 * every 15 minutes. The lease pins the identity a deferral would: the request's own when it
 * names both, else the live gateway's; a gateway that does not exist yet is leased under the
 * name the request gives it. A lease the registry will not take (past `leases.maxTtl`, or
 * the registry unreachable) leaves the request on the queue, as without a registry.
 */
async function leaseUntilDue(
  ctx: RequestContext,
  due: { dueAt: string; delaySeconds: number },
): Promise<Settled> {
  const { request, deps, fields } = ctx;
  const not_due = { why: 'not_due', ...due } as const;
  const pinnedAt = parseRfc3339(request.expectedCreatedAt);
  let live: Gateway | undefined;
  let identity: LeaseIdentity | undefined;
  if (request.expectedName !== undefined && pinnedAt !== undefined) {
    identity = { name: request.expectedName, createdAt: pinnedAt };
  } else {
    const { gateway, http } = await deps.api.get(request.gatewayId, deps.deadline);
    const pinned = gateway ? pinIdentity(request, gateway) : undefined;
    if (pinned?.action === 'skip')
      return { outcome: { event: 'gateway.skipped', ...fields, reason: pinned.reason } };
    if (gateway && pinned?.action === 'defer') {
      live = gateway;
      if (!pinned.request.expectedName) return resend({ ...ctx, live }, not_due);
      identity = identityOf(pinned.request.expectedName, gateway);
    } else if (request.expectedName !== undefined) {
      identity = { name: request.expectedName };
    } else {
      return { outcome: { event: 'gateway.already_gone', ...fields, reason: 'not_found', http } };
    }
  }
  const record = await writeLease(ctx, parseRfc3339(request.expiresAt) ?? 0, identity);
  if (record === 'refused') return resend({ ...ctx, live }, not_due);
  const outcome = {
    event: 'gateway.deferred',
    ...fields,
    gateway: live,
    reason: 'not_due',
  } as const;
  return { outcome: { ...outcome, dueAt: due.dueAt }, records: record ? [record] : [] };
}

/** The lease a request asks for, written; `refused` when the registry would not take it. */
async function writeLease(
  { message, request, deps }: RequestContext,
  expiresAt: number,
  identity: LeaseIdentity,
): Promise<RecordFields | undefined | 'refused'> {
  const registry = deps.registry;
  if (!registry || !request.requestedBy) return 'refused';
  try {
    const { lease } = await registry.readGateway(request.gatewayId);
    const wanted = {
      gatewayId: request.gatewayId,
      expiresAt,
      requestedBy: request.requestedBy,
      ...(request.reason?.trim() ? { purpose: request.reason } : {}),
      identity,
    };
    const record = await leaseForRequest(registry, wanted, lease, deps.clock.now());
    return record && { ...record, sqsMessageId: message.messageId };
  } catch (error) {
    if (error instanceof RegistryError || error instanceof ValidationError) return 'refused';
    throw error;
  }
}

function identityOf(name: string, live: Gateway): LeaseIdentity {
  const createdAt = parseRfc3339(live.createdAt);
  return createdAt === undefined ? { name } : { name, createdAt };
}

/**
 * What the registry says about a due request's gateway (docs/contract.md "The registry"):
 * an exemption keeps it against every trigger, so the request waits for the exemption to
 * lapse, written as a lease to its `until` (on the queue when no lease can be written);
 * an item that cannot be read means keep, and the request waits on the queue. Otherwise
 * the gateway's lease, for its deletion to release.
 */
async function readRegistered(ctx: RequestContext): Promise<Settled | { lease?: Lease }> {
  const { request, deps, fields, live } = ctx;
  if (!deps.registry) return {};
  const unreadable: Resend = { why: 'held', reason: 'registry_unavailable', deployments: [] };
  const entries = await deps.registry.readGateway(request.gatewayId).catch(() => undefined);
  if (!entries || entries.unreadable) return resend(ctx, unreadable);
  const { exemption } = entries;
  if (!exemption || !isExemptionActive(exemption, deps.clock.now()))
    return { lease: entries.lease };
  const exempt: Resend = { why: 'held', reason: 'exempt', deployments: [] };
  if (deps.run.dryRun || deps.mode.kind === 'terminal' || !live) return resend(ctx, exempt);
  const record = await writeLease(ctx, exemption.until, identityOf(live.name, live));
  if (record === 'refused') return resend(ctx, exempt);
  const dueAt = new Date(exemption.until).toISOString();
  return {
    outcome: { event: 'gateway.deferred', ...fields, reason: 'exempt', dueAt },
    records: record ? [record] : [],
  };
}

/** A recorded deletion ends its gateway's lease (`gateway_deleted`); a failure leaves it to the sweep. */
async function releaseAfterDeletion(
  { deps }: RequestContext,
  lease: Lease | undefined,
): Promise<RecordFields[]> {
  if (!lease || !deps.registry) return [];
  const record = await releaseDeleted(deps.registry, lease).catch(() => undefined);
  return record ? [record] : [];
}
