import type { BudgetSlot } from './registry.ts';

/** The budget's rolling window (docs/contract.md "A rolling budget"). */
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
