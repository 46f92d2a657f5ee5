import type { Verdict, VerdictReason } from '#core/policy/evaluate-gateway';
import { formatAge } from './format-age.ts';

/** The order plan tables list reasons in: what will be deleted first, then the near misses. */
export const REASON_ORDER: readonly VerdictReason[] = [
  'expired',
  'lease_expired',
  'has_deployments',
  'too_young',
  'exempt',
  'lease_mismatch',
  'not_allowed',
  'registry_unavailable',
  'unknown_age',
  'no_matching_rule',
  'already_deleting',
  'protected',
  'unknown_identity',
  'duplicate_id',
];

/** One readable sentence for a verdict: the deciding rule and by how much, or why kept. */
export function describeVerdict(verdict: Verdict): string {
  const { ruleId, ageMs, maxAgeMs } = verdict;
  const limit = maxAgeMs === undefined ? '' : `, max ${formatAge(maxAgeMs)}`;
  switch (verdict.reason) {
    case 'expired':
      return `expired by ${formatAge((ageMs ?? 0) - (maxAgeMs ?? 0))} (rule ${ruleId}${limit})${
        verdict.deployments?.length ? `; deletes ${names(verdict)} first` : ''
      }`;
    case 'too_young':
      if (verdict.decidedBy === 'lease') return `leased${owner(verdict)}: not expired yet`;
      return `too young: ${formatAge((maxAgeMs ?? 0) - (ageMs ?? 0))} left (rule ${ruleId}${limit})`;
    case 'unknown_age':
      // Fail closed (docs/contract.md): an age we cannot read never counts as expired.
      return `unknown age: ${verdict.ageFrom ?? 'createdAt'} missing, unparseable or in the future (rule ${ruleId})`;
    case 'no_matching_rule':
      return 'no rule matches';
    case 'already_deleting':
      return 'already deleting';
    case 'protected':
      // A cascade may not take a protected deployment, so its gateway stays too.
      if (verdict.deployments?.length)
        return `expired, but used by ${names(verdict)}, and a cascade takes no protected deployment (rule ${ruleId})`;
      return 'protected by the policy';
    case 'unknown_identity':
      if (verdict.deployments?.length)
        return `expired, but used by ${names(verdict)}, and a cascade takes no deployment without a uuid id or a name (rule ${ruleId})`;
      return 'unknown identity: no uuid id or no name, so protection cannot be checked';
    case 'has_deployments':
      // Never orphan what is serving (docs/contract.md): the deployment holds the GPUs.
      if (verdict.decidedBy === 'lease') return `lease expired, but used by ${names(verdict)}`;
      return `expired, but used by ${names(verdict)} (rule ${ruleId}${limit})`;
    case 'duplicate_id':
      return 'duplicate id: listed more than once, so a DELETE could hit the wrong one';
    case 'lease_expired':
      return `lease expired${owner(verdict)}${
        verdict.deployments?.length ? `; deletes ${names(verdict)} first` : ''
      }`;
    case 'lease_mismatch':
      return `leased${owner(verdict)} for another gateway with this id (name or creation time differs)`;
    case 'exempt':
      return `exempt until ${new Date(verdict.exemptUntil ?? 0).toISOString()}`;
    case 'not_allowed':
      return `leased${owner(verdict)}, but outside teardown.allow`;
    case 'registry_unavailable':
      return 'its registry item cannot be read';
  }
}

function owner(verdict: Verdict): string {
  return verdict.owner ? ` (owner ${verdict.owner})` : '';
}

/** The deployments a verdict names, as `deployment a, b`. */
function names(verdict: Verdict): string {
  const list = (verdict.deployments ?? []).map((d) => d.name || d.id);
  return `${list.length === 1 ? 'deployment' : 'deployments'} ${list.join(', ')}`;
}

/** A compact label per reason for counts: `too young`, `no rule`. */
export function reasonLabel(reason: string): string {
  if (reason === 'no_matching_rule') return 'no rule';
  return reason.replaceAll('_', ' ');
}
