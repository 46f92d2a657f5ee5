import { GATEWAY_ID, type Gateway } from '../common/gateway.ts';
import { parseRfc3339 } from '../common/rfc3339.ts';
import type { Control, Exemption, Lease, Notice } from './registry.ts';

/** The audit reasons the registry's decisions add (docs/contract.md, version 3 vocabulary). */
export type RegistryReason =
  | 'lease_expired'
  | 'lease_mismatch'
  | 'exempt'
  | 'notice_pending'
  | 'registry_unavailable';

/** What the registry says about one gateway, before or instead of the policy's rules. */
export type RegistryVerdict =
  /** nothing in the registry decides: the policy's rules do */
  | { decides: false }
  | {
      decides: true;
      action: 'keep' | 'delete';
      reason:
        | RegistryReason
        | 'protected'
        | 'unknown_identity'
        | 'already_deleting'
        | 'not_allowed'
        | 'too_young';
      /** the lease's expiry: the deletion time D it sets */
      deletionAt?: number;
    };

/** What the registry holds for one gateway. */
export interface RegistryEntry {
  lease?: Lease;
  exemption?: Exemption;
  /** the registry holds an item for this gateway that cannot be read */
  unreadable?: boolean;
}

/** True while an exemption holds: it lapses by itself at `until`. */
export function isExemptionActive(exemption: Exemption | undefined, now: number): boolean {
  return exemption !== undefined && now < exemption.until;
}

/** True while deletion is paused; a control item that cannot be read counts as paused. */
export function isPaused(control: Control | undefined, readable: boolean, now: number): boolean {
  if (!readable) return true;
  if (!control?.paused) return false;
  return control.until === undefined || now < control.until;
}

/** Why a live gateway is not the one the lease was made for, or undefined when it is. */
export function leaseMismatch(gateway: Pick<Gateway, 'name' | 'createdAt'>, lease: Lease) {
  if (gateway.name !== lease.identity.name) return 'name';
  const pinned = lease.identity.createdAt;
  if (pinned !== undefined && parseRfc3339(gateway.createdAt) !== pinned) return 'createdAt';
  return undefined;
}

/**
 * The registry's verdict for one gateway (docs/contract.md "The registry"): protection
 * wins; an unreadable item or an exemption keeps; a lease decides expiry instead of any
 * rule's maxAge, may delete what no rule matches, but only its own identity and only
 * within `teardown.allow` when set. Without a lease, the rules decide.
 */
export function registryVerdict(
  gateway: Gateway,
  entry: RegistryEntry,
  policy: { protected: boolean; allowedByTeardown: boolean },
  now: number,
): RegistryVerdict {
  if (policy.protected) return { decides: true, action: 'keep', reason: 'protected' };
  if (entry.unreadable) return { decides: true, action: 'keep', reason: 'registry_unavailable' };
  if (isExemptionActive(entry.exemption, now)) {
    return { decides: true, action: 'keep', reason: 'exempt' };
  }
  const lease = entry.lease;
  if (!lease) return { decides: false };
  if (!GATEWAY_ID.test(gateway.id) || gateway.name.trim() === '') {
    return { decides: true, action: 'keep', reason: 'unknown_identity' };
  }
  const deletionAt = lease.expiresAt;
  if (leaseMismatch(gateway, lease)) {
    return { decides: true, action: 'keep', reason: 'lease_mismatch', deletionAt };
  }
  if (gateway.status === 'STATUS_DELETING') {
    return { decides: true, action: 'keep', reason: 'already_deleting', deletionAt };
  }
  if (!policy.allowedByTeardown) {
    return { decides: true, action: 'keep', reason: 'not_allowed', deletionAt };
  }
  return now >= deletionAt
    ? { decides: true, action: 'delete', reason: 'lease_expired', deletionAt }
    : { decides: true, action: 'keep', reason: 'too_young', deletionAt };
}

/** When a rule's verdict makes a gateway due: the start of its age plus the rule's maxAge. */
export function ruleDeletionAt(
  verdict: { ageMs?: number; maxAgeMs?: number },
  now: number,
): number | undefined {
  if (verdict.ageMs === undefined || verdict.maxAgeMs === undefined) return undefined;
  if (!Number.isFinite(verdict.maxAgeMs)) return undefined;
  return now - verdict.ageMs + verdict.maxAgeMs;
}

/** Whose the gateway is, for its notice: the lease's owner, else the rule's, else the default. */
export function resolveOwner(input: {
  lease?: Pick<Lease, 'owner'>;
  ruleOwner?: string;
  defaultOwner: string;
}): { owner: string; from: 'lease' | 'rule' | 'default' } {
  if (input.lease?.owner) return { owner: input.lease.owner, from: 'lease' };
  if (input.ruleOwner) return { owner: input.ruleOwner, from: 'rule' };
  return { owner: input.defaultOwner, from: 'default' };
}

/** When a notice given at `noticedAt` lets the gateway go: never before D, nor before `before`. */
export function deleteAfter(deletionAt: number, noticedAt: number, beforeMs: number): number {
  return Math.max(deletionAt, noticedAt + beforeMs);
}

/** What notice requires of a gateway that would be deleted at D (docs/contract.md "Notice"). */
export type NoticeStep =
  /** D is further ahead than `before`: nothing to tell yet */
  | { step: 'not_yet' }
  /** tell the owner now, record the notice, keep the gateway this run */
  | { step: 'notify'; deleteAfter: number }
  /** told; keep until `deleteAfter` (`notice_pending`) */
  | { step: 'wait'; deleteAfter: number }
  /** told at least `before` ago, and D has come: may be deleted */
  | { step: 'delete' };

/**
 * Whether a deletion at D may go ahead under notice: only once a notice made for this D
 * has had its `deleteAfter` pass. A notice made for another D is void: moving D later
 * (extend, keep) must not let an old notice cover it, and moving it earlier must not cut
 * short the time the owner was told.
 */
export function noticeStep(
  deletionAt: number,
  notice: Notice | undefined,
  beforeMs: number,
  now: number,
): NoticeStep {
  if (notice && notice.forDeletionAt === deletionAt) {
    return now >= notice.deleteAfter
      ? { step: 'delete' }
      : { step: 'wait', deleteAfter: notice.deleteAfter };
  }
  if (deletionAt - now > beforeMs) return { step: 'not_yet' };
  return { step: 'notify', deleteAfter: deleteAfter(deletionAt, now, beforeMs) };
}
