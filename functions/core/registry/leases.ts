import { describeError, type RecordFields } from '../audit/record.ts';
import type { RunDeps, RunRecorder } from '../audit/recorder.ts';
import { RegistryError } from '../errors.ts';
import { mapBounded } from '../map-bounded.ts';
import type { Gateway } from '../model.ts';
import type { Policy } from '../policy/compile-policy.ts';
import { isProtected, type Verdict } from '../policy/evaluate-gateway.ts';
import type {
  Lease,
  LeaseIdentity,
  LeaseInput,
  Registry,
  RegistrySnapshot,
} from '../registry-port.ts';
import { registryVerdict } from './registry-verdict.ts';

/** The part of a registry snapshot a plan decides with. */
export type RegistryView = Pick<RegistrySnapshot, 'leases' | 'exemptions' | 'unreadable'>;

/** What a run learnt from the registry: none configured, a snapshot, or that it is unreadable. */
export type RegistryRead =
  | { state: 'off' }
  | { state: 'on'; snapshot: RegistrySnapshot }
  | { state: 'unavailable'; error: RegistryError };

/**
 * Step 1 of a sweep (docs/contract.md "The registry"): one paginated read. A registry that
 * cannot be read is never read as an empty one: the caller deletes nothing.
 */
export async function readRegistry(registry: Registry | undefined): Promise<RegistryRead> {
  if (!registry) return { state: 'off' };
  try {
    return { state: 'on', snapshot: await registry.snapshot() };
  } catch (error) {
    const failure =
      error instanceof RegistryError
        ? error
        : new RegistryError('REGISTRY_UNAVAILABLE', 'registry: the snapshot read failed', {
            cause: error,
          });
    return { state: 'unavailable', error: failure };
  }
}

/**
 * A registry that cannot be read is never taken for an empty one (docs/contract.md "The
 * registry"): before anything is listed or deleted the sweep is aborted, says why, and
 * fails, so the aborted-run alarm and the function-error alarm both fire.
 */
export function abortForRegistry(
  error: RegistryError,
  recorder: RunRecorder,
  durationMs: number,
): never {
  recorder.write({
    event: 'run.aborted',
    reason: 'registry_unavailable',
    error: describeError(error),
  });
  recorder.write({
    event: 'run.summary',
    reason: 'aborted',
    counts: { listed: 0, expired: 0 },
    durationMs,
    registry: 'on',
  });
  throw error;
}

/** True when `teardown.allow.names` admits the gateway (or the policy sets none). */
export function allowedByTeardown(gateway: Pick<Gateway, 'name'>, policy: Policy): boolean {
  return policy.teardownAllowNames?.some((glob) => glob.test(gateway.name)) ?? true;
}

// Verdicts the registry can never loosen: protection, and an identity that cannot be trusted.
const FINAL = new Set<Verdict['reason']>(['protected', 'unknown_identity', 'duplicate_id']);

/**
 * A gateway's verdict once the registry has spoken (docs/contract.md "The registry"): the
 * rule's verdict stands when no item names the gateway; an unreadable item or an active
 * exemption keeps it; a lease decides expiry instead of the rule's maxAge, within
 * protection and `teardown.allow`, and only for the identity it was made for. A lease's
 * verdict carries its expiry as the deletion time D, and its owner.
 */
export function decideWithRegistry(
  gateway: Gateway,
  verdict: Verdict,
  view: RegistryView | undefined,
  policy: Policy,
  nowMs: number,
): Verdict {
  if (!view || FINAL.has(verdict.reason)) return verdict;
  const id = gateway.id.toLowerCase();
  const lease = view.leases.get(id);
  const exemption = view.exemptions.get(id);
  const decided = registryVerdict(
    gateway,
    { lease, exemption, unreadable: view.unreadable.has(id) },
    {
      protected: isProtected(gateway, policy),
      allowedByTeardown: allowedByTeardown(gateway, policy),
    },
    nowMs,
  );
  if (!decided.decides || decided.reason === 'notice_pending') return verdict;
  const owner = lease ? { owner: lease.owner } : {};
  if (decided.reason === 'exempt' && exemption) {
    // Once the exemption lapses, whatever decided before decides again: D is not before it.
    const underlying = lease ? lease.expiresAt : verdict.deletionAt;
    return {
      action: 'keep',
      reason: 'exempt',
      ...(lease ? { decidedBy: 'lease' as const } : pickRule(verdict)),
      ...(underlying === undefined ? {} : { deletionAt: Math.max(underlying, exemption.until) }),
      ...owner,
      exemptUntil: exemption.until,
    };
  }
  if (!lease) return { action: 'keep', reason: decided.reason };
  return {
    action: decided.action,
    reason: decided.reason,
    decidedBy: 'lease',
    ...(decided.deletionAt === undefined ? {} : { deletionAt: decided.deletionAt }),
    ...owner,
  };
}

function pickRule(verdict: Verdict): Partial<Verdict> {
  const { ruleId, ageMs, ageFrom, maxAgeMs } = verdict;
  return Object.fromEntries(
    Object.entries({ ruleId, ageMs, ageFrom, maxAgeMs }).filter(([, v]) => v !== undefined),
  );
}

/** How long a lease's gateway may go unlisted before the lease ends (`gateway_gone`). */
export const UNLISTED_FOR_MS = 7 * 86_400_000;

/** Why the janitor ended a lease. */
export type LeaseEnd = 'gateway_deleted' | 'gateway_gone';

/** The `lease.released` record of a lease the janitor ended. */
export function leaseReleased(lease: Lease, reason: LeaseEnd): RecordFields {
  return {
    event: 'lease.released',
    gatewayId: lease.gatewayId,
    gatewayName: lease.identity.name,
    reason,
    owner: lease.owner,
    expiresAt: new Date(lease.expiresAt).toISOString(),
  };
}

/**
 * Ends `lease` once its gateway's deletion is recorded, unless it changed since it was
 * read (someone who just wrote it keeps it; the unlisted rule ends it later). Undefined
 * when nothing was released; a registry failure is the caller's to count, never a failed
 * deletion.
 */
export async function releaseDeleted(
  registry: Registry,
  lease: Lease,
): Promise<RecordFields | undefined> {
  const released = await registry.releaseLease(lease.gatewayId, { version: lease.version });
  return released ? leaseReleased(released, 'gateway_deleted') : undefined;
}

/** What the sweep's lease upkeep (step 6) wrote, and how many of its writes failed. */
export interface LeaseUpkeep {
  records: RecordFields[];
  failed: number;
}

/**
 * Step 6 of a sweep (docs/contract.md "The registry", "In a sweep"): the lease of every
 * gateway whose deletion this run recorded is released (`gateway_deleted`); a lease whose
 * gateway is not listed gets `unlistedSince` once, loses it once listed again, and is
 * released after 7 days unlisted (`gateway_gone`). Writes happen only on those changes,
 * never one per lease per sweep, each conditional on the version the snapshot read; a dry
 * run writes nothing. A write that fails is counted, never thrown: the deletions stand.
 */
export async function upkeepLeases(input: {
  registry: Registry;
  leases: ReadonlyMap<string, Lease>;
  listed: ReadonlySet<string>;
  deleted: ReadonlySet<string>;
  nowMs: number;
  concurrency: number;
  canStart: () => boolean;
}): Promise<LeaseUpkeep> {
  const { registry, listed, deleted, nowMs } = input;
  const upkeep: LeaseUpkeep = { records: [], failed: 0 };
  const work = [...input.leases.values()].flatMap((lease): (() => Promise<void>)[] => {
    const id = lease.gatewayId.toLowerCase();
    const expect = { version: lease.version };
    if (deleted.has(id)) {
      return [
        async () => {
          const record = await releaseDeleted(registry, lease);
          if (record) upkeep.records.push(record);
        },
      ];
    }
    if (listed.has(id)) {
      if (lease.unlistedSince === undefined) return [];
      return [async () => void (await registry.markUnlisted(id, undefined, expect))];
    }
    if (lease.unlistedSince === undefined)
      return [async () => void (await registry.markUnlisted(id, nowMs, expect))];
    if (nowMs - lease.unlistedSince < UNLISTED_FOR_MS) return [];
    return [
      async () => {
        const released = await registry.releaseLease(id, expect);
        if (released) upkeep.records.push(leaseReleased(released, 'gateway_gone'));
      },
    ];
  });
  await mapBounded(
    work,
    input.concurrency,
    (write) =>
      write().catch(() => {
        upkeep.failed += 1;
      }),
    input.canStart,
  );
  return upkeep;
}

/**
 * Step 6 of a sweep: the leases this run ended, once it acted on a listing it trusted (not
 * one the blast radius aborted); a dry run writes nothing. Answers how many registry writes
 * failed; the next sweep tries them again.
 */
export async function endLeases(
  input: Pick<RunDeps, 'registry' | 'run' | 'clock' | 'deadline' | 'concurrency'> & {
    snapshot: RegistrySnapshot | undefined;
    listed: readonly { gateway: Pick<Gateway, 'id'> }[];
    deleted: ReadonlySet<string>;
    trusted: boolean;
    recorder: RunRecorder;
  },
): Promise<number> {
  const { snapshot, registry } = input;
  if (!snapshot || !registry || input.run.dryRun || !input.trusted) return 0;
  const upkeep = await upkeepLeases({
    registry,
    leases: snapshot.leases,
    listed: new Set(input.listed.map(({ gateway }) => gateway.id.toLowerCase())),
    deleted: input.deleted,
    nowMs: input.clock.now(),
    concurrency: input.concurrency,
    canStart: () => input.deadline.budgetMs() > 0,
  });
  for (const record of upkeep.records) input.recorder.write(record);
  return upkeep.failed;
}

/** A lease a teardown request asks for: its gateway, expiry, requester and identity. */
export type RequestedLease = Omit<LeaseInput, 'owner' | 'createdBy'> & { requestedBy: string };

/** The identities name the same gateway: same name, and same creation time where both pin one. */
function sameIdentity(a: LeaseIdentity, b: LeaseIdentity): boolean {
  if (a.name !== b.name) return false;
  return a.createdAt === undefined || b.createdAt === undefined || a.createdAt === b.createdAt;
}

/**
 * Writes the lease a future-dated teardown request becomes (docs/contract.md "Future-dated
 * teardown requests become leases"), owned by its requester. A lease already held for the
 * same gateway that expires no later is left as it is: the gateway goes at the earlier of
 * the two, as it would have with the request on the queue. Undefined when nothing was
 * written; throws a ValidationError past `leases.maxTtl`, a RegistryError when the
 * registry fails.
 */
export async function leaseForRequest(
  registry: Registry,
  wanted: RequestedLease,
  existing: Lease | undefined,
  nowMs: number,
): Promise<RecordFields | undefined> {
  if (
    existing &&
    existing.expiresAt <= wanted.expiresAt &&
    sameIdentity(existing.identity, wanted.identity)
  ) {
    return undefined;
  }
  const { requestedBy, ...lease } = wanted;
  const { current, previous } = await registry.setLease(
    { ...lease, owner: requestedBy, createdBy: requestedBy },
    nowMs,
  );
  return {
    event: 'lease.set',
    gatewayId: current.gatewayId,
    gatewayName: current.identity.name,
    reason: 'requested',
    requestedBy,
    owner: current.owner,
    expiresAt: new Date(current.expiresAt).toISOString(),
    ...(current.purpose ? { purpose: current.purpose } : {}),
    ...(previous ? { previousExpiresAt: new Date(previous.expiresAt).toISOString() } : {}),
  };
}
