import { RegistryError } from '../errors.ts';
import type { Gateway } from '../model.ts';
import type { Policy } from '../policy/compile-policy.ts';
import { isProtected, type Verdict } from '../policy/evaluate-gateway.ts';
import type { Registry, RegistrySnapshot } from '../registry-port.ts';
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
