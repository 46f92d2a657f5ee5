import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { budgetState } from '#core/registry/registry-verdict';
import {
  dynamoDbSubject,
  memorySubject,
  type RegistrySubject,
  rejection,
} from '#test/support/registry-subjects';

// What `gateway-janitor status` reads besides the pause: the budget's slots and each
// function's last run, on both implementations (docs/contract.md "The registry").
const H = 3_600_000;
const NOW = Date.parse('2026-06-01T12:00:00.000Z');

const subjects: RegistrySubject[] = [memorySubject, dynamoDbSubject()];

describe.each(subjects)('registry status reads: $name', (subject) => {
  beforeAll(() => subject.start());
  afterAll(() => subject.stop());

  describe('last run', () => {
    const run = {
      kind: 'sweep' as const,
      runId: 'run-1',
      trigger: 'schedule',
      dryRun: false,
      at: NOW,
      outcome: 'completed',
      deleted: 3,
      failed: 0,
    };

    it('has no run until one is recorded, then the latest of each function', async () => {
      const { registry } = await subject.make();
      expect(await registry.readLastRuns()).toEqual([]);
      expect(await registry.recordLastRun(run)).toBe(true);
      expect(await registry.recordLastRun({ ...run, runId: 'run-2', at: NOW + H })).toBe(true);
      await registry.recordLastRun({ ...run, kind: 'teardown', runId: 't-1', trigger: 'sqs' });
      const runs = await registry.readLastRuns();
      expect(runs.map((r) => [r.kind, r.runId])).toEqual([
        ['sweep', 'run-2'],
        ['teardown', 't-1'],
      ]);
      expect(runs[0]).toMatchObject({ deleted: 3, failed: 0, dryRun: false, version: 2 });
    });

    it('keeps a later run when an earlier one finishes after it', async () => {
      const { registry } = await subject.make();
      await registry.recordLastRun({ ...run, runId: 'late', at: NOW + H });
      expect(await registry.recordLastRun({ ...run, runId: 'early' })).toBe(false);
      expect((await registry.readLastRuns())[0]?.runId).toBe('late');
    });

    it('refuses a run record with a bad count, writing nothing', async () => {
      const { registry } = await subject.make();
      const error = await rejection(registry.recordLastRun({ ...run, deleted: -1 }));
      expect(error).toMatchObject({ code: 'INPUT_INVALID', field: 'lastRun.deleted' });
      expect(await registry.readLastRuns()).toEqual([]);
    });

    it('is not mistaken for a gateway, the pause or the budget by the snapshot', async () => {
      const { registry } = await subject.make();
      await registry.recordLastRun(run);
      const snap = await registry.snapshot();
      expect([snap.leases.size, snap.unreadable.size, snap.budget.length]).toEqual([0, 0, 0]);
      expect(snap.control).toBeUndefined();
    });
  });

  describe('budget', () => {
    it('reads the budget slots alone', async () => {
      const { registry } = await subject.make();
      expect(await registry.readBudget()).toEqual([]);
      await registry.takeBudget(2, NOW, 5, { by: 'run-1' });
      const slots = await registry.readBudget();
      expect(budgetState(slots, NOW + H, 5)).toMatchObject({ used: 2, left: 3 });
      expect(slots.every((slot) => slot.by === 'run-1')).toBe(true);
    });
  });
});
