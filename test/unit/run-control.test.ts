import { describe, expect, it } from 'vitest';
import { createMemoryRegistry } from '#adapters/memory-registry';
import { RegistryError } from '#core/errors';
import type { ChangeWindow } from '#core/policy/change-windows';
import { openRunBudget, readGate } from '#core/registry/control';

// Thursday 26 November 2026, 12:00 UTC: 13:00 in Berlin.
const NOW = Date.parse('2026-11-26T12:00:00Z');
const H = 3_600_000;
const clock = { now: () => NOW };
const berlin = (from: string, to: string): ChangeWindow => ({
  days: ['thu'],
  from,
  to,
  timeZone: 'Europe/Berlin',
});
const unreachable = {
  readControl: async () => {
    throw new RegistryError('REGISTRY_UNAVAILABLE', 'table unreachable');
  },
  takeBudget: async () => {
    throw new RegistryError('REGISTRY_UNAVAILABLE', 'table unreachable');
  },
};

describe('readGate', () => {
  it('is open without a registry and without windows', async () => {
    expect(await readGate({ now: NOW })).toEqual({ open: true });
  });

  it('is open with a registry that was never paused', async () => {
    const { registry } = createMemoryRegistry();
    expect(await readGate({ registry, now: NOW })).toEqual({ open: true });
  });

  it('is closed (paused) while a pause holds, and says when a timed pause ends', async () => {
    const { registry } = createMemoryRegistry();
    await registry.pause({ reason: 'incident', by: 'ops', until: NOW + H }, NOW - H);
    expect(await readGate({ registry, now: NOW })).toEqual({
      open: false,
      reason: 'paused',
      until: NOW + H,
    });
    expect(await readGate({ registry, now: NOW + H })).toEqual({ open: true });
  });

  it('is open again after resume', async () => {
    const { registry } = createMemoryRegistry();
    await registry.pause({ reason: 'incident', by: 'ops' }, NOW - H);
    await registry.resume({ by: 'ops' }, NOW - 1);
    expect(await readGate({ registry, now: NOW })).toEqual({ open: true });
  });

  it('counts a control item that cannot be read as paused', async () => {
    const { registry, store } = createMemoryRegistry();
    store.inject({ pk: 'control', sk: 'control', paused: 'maybe' });
    expect(await readGate({ registry, now: NOW })).toMatchObject({
      open: false,
      reason: 'paused',
      unreadable: true,
    });
  });

  it('counts a registry that cannot be reached as paused', async () => {
    expect(await readGate({ registry: unreachable, now: NOW })).toMatchObject({
      open: false,
      reason: 'paused',
      unreadable: true,
    });
  });

  it('is closed outside every window and names the next opening', async () => {
    const gate = await readGate({ windows: [berlin('14:00', '16:00')], now: NOW });
    expect(gate).toEqual({
      open: false,
      reason: 'outside_window',
      opensAt: Date.parse('2026-11-26T13:00:00Z'),
    });
  });

  it('is open inside a window', async () => {
    expect(await readGate({ windows: [berlin('12:00', '14:00')], now: NOW })).toEqual({
      open: true,
    });
  });

  it('says paused rather than outside_window when both hold', async () => {
    const { registry } = createMemoryRegistry();
    await registry.pause({ reason: 'incident', by: 'ops' }, NOW - H);
    const gate = await readGate({ registry, windows: [berlin('14:00', '16:00')], now: NOW });
    expect(gate).toMatchObject({ open: false, reason: 'paused' });
  });
});

describe('openRunBudget', () => {
  it('lets every DELETE go and reports nothing when no budget applies', async () => {
    const budget = openRunBudget({ clock, dryRun: false, by: 'run-1' });
    expect(await budget.take()).toBe('taken');
    expect(await budget.report()).toBeUndefined();
  });

  it('refuses a budget without a registry, naming the policy key', () => {
    expect(() => openRunBudget({ max: 5, clock, dryRun: false, by: 'run-1' })).toThrow(
      /limits\.maxDeletesPer24h: needs the registry/,
    );
  });

  it('takes units up to the budget, then answers daily_limit, and reports what is left', async () => {
    const { registry } = createMemoryRegistry();
    const budget = openRunBudget({ registry, max: 3, clock, dryRun: false, by: 'run-1' });
    const takes = await Promise.all(Array.from({ length: 5 }, () => budget.take()));
    expect(takes.filter((t) => t === 'taken')).toHaveLength(3);
    expect(takes.filter((t) => t === 'daily_limit')).toHaveLength(2);
    expect(await budget.report()).toEqual({ max: 3, used: 3, left: 0, taken: 3 });
  });

  it('shares the budget with other runs through the registry', async () => {
    const { registry } = createMemoryRegistry();
    await registry.takeBudget(2, NOW - H, 3);
    const budget = openRunBudget({ registry, max: 3, clock, dryRun: false, by: 'run-2' });
    expect([await budget.take(), await budget.take()]).toEqual(['taken', 'daily_limit']);
  });

  it('frees a unit 24 hours after it was taken, not before', async () => {
    const { registry } = createMemoryRegistry();
    await registry.takeBudget(1, NOW - 24 * H, 1);
    const atTheEdge = openRunBudget({ registry, max: 1, clock, dryRun: false, by: 'r' });
    expect(await atTheEdge.take()).toBe('daily_limit');
    const later = { now: () => NOW + 1 };
    const after = openRunBudget({ registry, max: 1, clock: later, dryRun: false, by: 'r' });
    expect(await after.take()).toBe('taken');
  });

  it('in a dry run writes nothing and counts down what a live run would take', async () => {
    const { registry, store } = createMemoryRegistry();
    await registry.takeBudget(1, NOW - H, 3);
    const before = store.items();
    const budget = openRunBudget({ registry, max: 3, clock, dryRun: true, by: 'run-1' });
    const takes = [await budget.take(), await budget.take(), await budget.take()];
    expect(takes).toEqual(['taken', 'taken', 'daily_limit']);
    expect(store.items()).toEqual(before);
    expect(await budget.report()).toEqual({ max: 3, used: 1, left: 2, taken: 2 });
  });

  it('keeps what is left to delete once the registry fails (registry_unavailable)', async () => {
    const budget = openRunBudget({
      registry: unreachable,
      max: 3,
      clock,
      dryRun: false,
      by: 'run-1',
    });
    expect(await budget.take()).toBe('registry_unavailable');
    expect(await budget.take()).toBe('registry_unavailable');
    expect(await budget.report()).toBeUndefined();
  });

  it('starts from the slots a snapshot read, without reading them again', async () => {
    const { registry } = createMemoryRegistry();
    await registry.takeBudget(1, NOW - H, 3);
    const { budget: known } = await registry.snapshot();
    const reads: boolean[] = [];
    const counting = {
      takeBudget: (...args: Parameters<typeof registry.takeBudget>) => {
        reads.push(args[3]?.known === undefined);
        return registry.takeBudget(...args);
      },
    };
    for (const dryRun of [true, false]) {
      const budget = openRunBudget({ registry: counting, max: 3, clock, dryRun, by: 'r', known });
      expect(await budget.take()).toBe('taken');
      expect(await budget.report()).toMatchObject({ max: 3, taken: 1 });
    }
    expect(reads).toEqual([false, false]);
  });

  it('reports the budget of a run that deleted nothing', async () => {
    const { registry } = createMemoryRegistry();
    await registry.takeBudget(1, NOW - H, 100);
    const budget = openRunBudget({ registry, max: 100, clock, dryRun: false, by: 'run-1' });
    expect(await budget.report()).toEqual({ max: 100, used: 1, left: 99, taken: 0 });
  });
});
