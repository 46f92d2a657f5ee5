import { type DeploymentRef, GATEWAY_ID, type Gateway } from '../model.ts';
import { parseRfc3339 } from '../time.ts';
import type { CompiledRule, Policy } from './compile-policy.ts';
import type { AgeFrom } from './policy.ts';

/** Why a gateway is kept or deleted: the policy's and the registry's part of the audit reasons. */
export type VerdictReason = PolicyReason | RegistryPlanReason;

/**
 * What the registry adds to a plan (docs/contract.md "The registry"): a lease decided
 * (`lease_expired`, or `too_young` before its expiry), the live gateway is not the one
 * leased (`lease_mismatch`), an exemption keeps it (`exempt`), its item cannot be read
 * (`registry_unavailable`), or the lease reaches past `teardown.allow` (`not_allowed`).
 */
export type RegistryPlanReason =
  | 'lease_expired'
  | 'lease_mismatch'
  | 'exempt'
  | 'registry_unavailable'
  | 'not_allowed';

/** The policy's decision for one gateway. */
export interface Verdict {
  action: 'delete' | 'keep';
  reason: VerdictReason;
  ruleId?: string;
  /** now - the deciding rule's `ageFrom` timestamp, when known. */
  ageMs?: number;
  /** The timestamp the deciding rule measured age from. */
  ageFrom?: AgeFrom;
  /** The deciding rule's maxAge. */
  maxAgeMs?: number;
  /** The deployments that keep the gateway, or that go first when its rule cascades. */
  deployments?: DeploymentRef[];
  /** When it is (or was) due, epoch ms: its lease's expiry, else its rule's age limit. */
  deletionAt?: number;
  /** Who answers for it: its lease's owner (the notice step adds the rule's and the default). */
  owner?: string;
  /** A lease decided instead of the rule's maxAge. */
  decidedBy?: 'lease';
  /** An exemption keeps it until then, epoch ms. */
  exemptUntil?: number;
}

/**
 * True when a gateway (or a deployment) has a uuid id and a non-blank name, so protection
 * can be checked.
 */
export function hasUsableIdentity(gateway: Pick<Gateway, 'id' | 'name'>): boolean {
  return GATEWAY_ID.test(gateway.id) && gateway.name.trim() !== '';
}

/** True when the protect list names this gateway by id or by name glob. */
export function isProtected(gateway: Pick<Gateway, 'id' | 'name'>, policy: Policy): boolean {
  return (
    policy.protectIds.has(gateway.id.toLowerCase()) ||
    policy.protectNames.some((glob) => glob.test(gateway.name))
  );
}

/** The first rule whose every match field holds, or undefined. */
export function findRule(gateway: Gateway, policy: Policy): CompiledRule | undefined {
  return policy.rules.find(
    (rule) =>
      (rule.name === undefined || rule.name.test(gateway.name)) &&
      (rule.nameRegex === undefined || rule.nameRegex.test(gateway.name)) &&
      (rule.zones === undefined || gateway.zones.some((zone) => rule.zones?.has(zone))) &&
      (rule.status === undefined || rule.status.has(gateway.status)) &&
      (rule.organizationId === undefined || rule.organizationId === gateway.organizationId),
  );
}

/**
 * Decides one gateway, failing closed: protection wins over everything, a gateway
 * without a usable identity or already being deleted is left alone, and an age we
 * cannot trust (from the rule's `ageFrom` timestamp) means keep
 * (docs/contract.md; cloud-nuke never treats unknown age as expired either).
 */
export function evaluateGateway(gateway: Gateway, policy: Policy, nowMs: number): Verdict {
  if (isProtected(gateway, policy)) return { action: 'keep', reason: 'protected' };
  // Name globs pass a blank name by, and an id that is not a uuid cannot be protected
  // or deleted reliably: without an identity, keep.
  if (!hasUsableIdentity(gateway)) return { action: 'keep', reason: 'unknown_identity' };
  if (gateway.status === 'STATUS_DELETING') return { action: 'keep', reason: 'already_deleting' };
  const rule = findRule(gateway, policy);
  if (!rule) return { action: 'keep', reason: 'no_matching_rule' };
  const { ageFrom } = rule;
  let since = parseRfc3339(gateway[ageFrom]);
  const createdAt = parseRfc3339(gateway.createdAt);
  // No state is older than the gateway: an updatedAt before createdAt is bad data, and
  // must not make a gateway created an hour ago look six hours into its state.
  if (since !== undefined && createdAt !== undefined && createdAt > since) since = createdAt;
  if (since === undefined || since > nowMs) {
    return {
      action: 'keep',
      reason: 'unknown_age',
      ruleId: rule.id,
      ageFrom,
      maxAgeMs: rule.maxAgeMs,
    };
  }
  const ageMs = nowMs - since;
  const base = {
    ruleId: rule.id,
    ageMs,
    ageFrom,
    maxAgeMs: rule.maxAgeMs,
    deletionAt: since + rule.maxAgeMs,
  };
  return ageMs >= rule.maxAgeMs
    ? { action: 'delete', reason: 'expired', ...base }
    : { action: 'keep', reason: 'too_young', ...base };
}

/** Why the policy deleted or kept a gateway (a plan verdict). */
export type PolicyReason =
  | 'expired'
  | 'too_young'
  | 'unknown_age'
  | 'no_matching_rule'
  | 'already_deleting'
  | 'protected'
  | 'unknown_identity'
  | 'duplicate_id'
  | 'has_deployments';
