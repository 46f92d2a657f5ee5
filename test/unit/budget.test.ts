import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMemoryRegistry } from '#adapters/memory-registry';
import { BUDGET_WINDOW_MS, budgetState } from '#core/registry/registry-verdict';
import type { BudgetSlot } from '#core/registry-port';

const NOW = Date.parse('2026-06-01T12:00:00.000Z');
const H = 3_600_000;
const used = (index: number, ago: number): BudgetSlot => ({ index, usedAt: NOW - ago });

describe('budgetState', () => {
  it.each<[string, BudgetSlot[], number, { used: number; left: number; free?: number[] }]>([
    ['a fresh budget is all free', [], 3, { used: 0, left: 3, free: [0, 1, 2] }],
    ['a slot used within 24 hours is busy', [used(1, H)], 3, { used: 1, left: 2, free: [0, 2] }],
    [
      'a slot used exactly 24 hours ago is still busy',
      [used(0, BUDGET_WINDOW_MS)],
      1,
      { used: 1, left: 0 },
    ],
    [
      'a slot used more than 24 hours ago is free',
      [used(0, BUDGET_WINDOW_MS + 1)],
      1,
      { used: 0, left: 1 },
    ],
    [
      'a slot with an unreadable time is busy',
      [{ index: 0, usedAt: Number.POSITIVE_INFINITY }],
      1,
      { used: 1, left: 0 },
    ],
    [
      'busy slots above a lowered max still count',
      [used(3, H), used(4, H)],
      3,
      { used: 2, left: 1, free: [0] },
    ],
    [
      'busy slots in the way of a lowered max count once',
      [used(1, H), used(2, H), used(3, H)],
      3,
      { used: 3, left: 0 },
    ],
    ['a budget of 0 allows nothing', [], 0, { used: 0, left: 0, free: [] }],
  ])('%s', (_, slots, max, expected) => {
    expect(budgetState(slots, NOW, max)).toMatchObject(expected);
  });
});

describe('takeBudget over time', () => {
  it('never takes more than max in any 24 hours, whatever the sequence of takes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 6 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 10 * H }), fc.integer({ min: 0, max: 4 })), {
          maxLength: 25,
        }),
        async (max, steps) => {
          const { registry } = createMemoryRegistry();
          const takes: number[] = [];
          let now = NOW;
          for (const [gap, n] of steps) {
            now += gap;
            const { taken } = await registry.takeBudget(n, now, max);
            for (let i = 0; i < taken; i += 1) takes.push(now);
          }
          for (const start of takes) {
            const inWindow = takes.filter((t) => t >= start && t < start + BUDGET_WINDOW_MS);
            expect(inWindow.length).toBeLessThanOrEqual(max);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
