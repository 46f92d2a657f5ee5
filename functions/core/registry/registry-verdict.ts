import { GATEWAY_ID, type Gateway } from '../model.ts';
import type { BudgetSlot, Control, Exemption, Lease, Notice } from '../registry-port.ts';
import { parseRfc3339 } from '../time.ts';

/** The budget's rolling window (docs/contract.md "Pause, change windows and a rolling budget"). */
export const BUDGET_WINDOW_MS = 86_400_000;
/** The largest `limits.maxDeletesPer24h` the slot design serves. */
export const MAX_BUDGET = 10_000;

/** How much of the budget is used and what may still be taken now. */
export interface BudgetState {
  /** units used within the last 24 hours */
  used: number;
  /** units that may be taken now */
  left: number;
  /** the slots that may be taken now */
  free: number[];
}

/** True when the slot was taken within the last 24 hours (or when its time is unreadable). */
export function isSlotBusy(slot: BudgetSlot, now: number): boolean {
  return slot.usedAt !== undefined && slot.usedAt >= now - BUDGET_WINDOW_MS;
}

/**
 * The budget as seen in `slots`. Each unit is one slot, taken by a conditional write only
 * when its last use is more than 24 hours old, so no 24 hours hold more than `max` takes.
 * Takes use slots below a bound R, the largest with R + (busy slots at or above R) <= max:
 * slots left busy above a lowered `max` still count, so lowering it holds at once.
 */
export function budgetState(slots: readonly BudgetSlot[], now: number, max: number): BudgetState {
  const busy = new Set<number>();
  for (const slot of slots) if (isSlotBusy(slot, now)) busy.add(slot.index);
  let bound = Math.max(0, Math.floor(max));
  let busyAtOrAbove = [...busy].filter((index) => index >= bound).length;
  while (bound > 0 && bound + busyAtOrAbove > max) {
    bound -= 1;
    if (busy.has(bound)) busyAtOrAbove += 1;
  }
  const free: number[] = [];
  for (let index = 0; index < bound; index += 1) if (!busy.has(index)) free.push(index);
  return { used: busy.size, left: free.length, free };
}

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

/**
 * What notice requires of a gateway that would be deleted at D (docs/contract.md "Notice
 * before deletion").
 */
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
