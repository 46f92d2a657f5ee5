import type { CompiledRule, Policy } from './compile-policy.ts';
import type { Gateway } from './gateway.ts';
import { parseRfc3339 } from './rfc3339.ts';

/** Why a gateway is kept or deleted; a closed set that audit queries depend on. */
export type VerdictReason =
  | 'expired'
  | 'protected'
  | 'already_deleting'
  | 'no_matching_rule'
  | 'unknown_age'
  | 'too_young';

/** The policy's decision for one gateway. */
export interface Verdict {
  action: 'delete' | 'keep';
  reason: VerdictReason;
  ruleId?: string;
  /** now - createdAt, when known. */
  ageMs?: number;
  /** The deciding rule's maxAge. */
  maxAgeMs?: number;
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
 * already being deleted is left alone, and an age we cannot trust means keep
 * (docs/contract.md; cloud-nuke never treats unknown age as expired either).
 */
export function evaluateGateway(gateway: Gateway, policy: Policy, nowMs: number): Verdict {
  if (isProtected(gateway, policy)) return { action: 'keep', reason: 'protected' };
  if (gateway.status === 'STATUS_DELETING') return { action: 'keep', reason: 'already_deleting' };
  const rule = findRule(gateway, policy);
  if (!rule) return { action: 'keep', reason: 'no_matching_rule' };
  const createdAt = parseRfc3339(gateway.createdAt);
  if (createdAt === undefined || createdAt > nowMs) {
    return { action: 'keep', reason: 'unknown_age', ruleId: rule.id, maxAgeMs: rule.maxAgeMs };
  }
  const ageMs = nowMs - createdAt;
  const base = { ruleId: rule.id, ageMs, maxAgeMs: rule.maxAgeMs };
  return ageMs >= rule.maxAgeMs
    ? { action: 'delete', reason: 'expired', ...base }
    : { action: 'keep', reason: 'too_young', ...base };
}
