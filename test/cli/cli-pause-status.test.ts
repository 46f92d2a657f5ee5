import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryRegistryStore } from '#adapters/memory-registry';
import { createRegistry } from '#core/registry/create-registry';
import type { Expect, StoredItem } from '#core/registry-port';
import { operatorEnv, POLICY } from './canary-fleet.ts';
import { useRegistryCli } from './registry-cli.ts';
import { type CliRun, runCliInProcess } from './run-cli-in-process.ts';
import { auditRecords } from './spawn-cli.ts';

const H = 3_600_000;
const D = 24 * H;

describe('gateway-janitor pause, resume and status on an in-memory registry', () => {
  const harness = useRegistryCli();
  const { cli, fresh } = harness;

  describe('pause, resume and status', () => {
    beforeAll(fresh);

    it('shows the pause, by whom and why, then resumes; each change one record', async () => {
      const paused = await cli(['pause', '--for', '2h', '--reason', 'incident 42', '--json']);
      const during = await cli(['status', '--policy', POLICY]);
      const resumed = await cli(['resume', '--json']);
      const after = await cli(['status', '--json']);
      expect(auditRecords(paused.stdout)).toMatchObject([
        {
          event: 'control.paused',
          reason: 'operator',
          note: 'incident 42',
          until: expect.any(String),
        },
      ]);
      expect(during.stdout).toMatch(
        /pause: +PAUSED until .* \(in (2h|1h59m)\), set by cli:\S+ at .*: incident 42/,
      );
      expect(during.stdout).toMatch(
        /budget: +0 of 100 deletions used in the last 24 hours, 100 left/,
      );
      expect(during.stdout).toContain('last run: no run recorded yet');
      expect(auditRecords(resumed.stdout)).toMatchObject([
        { event: 'control.resumed', reason: 'operator' },
      ]);
      expect(JSON.parse(after.stdout)).toMatchObject({
        pause: { state: 'not paused' },
        failed: false,
      });
    });

    it('lets audit filter on the registry events', async () => {
      const file = join(harness.dir, 'pause.jsonl');
      await cli(['pause', '--reason', 'drill', '--audit-file', file]);
      await cli(['resume', '--audit-file', file]);
      const run = await cli(['audit', 'history', '--file', file, '--event', 'control.paused']);
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
    });

    it('names who made a change as --requested-by says, in the record and the item', async () => {
      const run = await cli([
        'pause',
        '--reason',
        'drill',
        '--requested-by',
        'oncall@example.com',
        '--json',
      ]);
      await cli(['resume', '--requested-by', 'oncall@example.com']);
      expect(auditRecords(run.stdout)[0]?.requestedBy).toBe('oncall@example.com');
      expect((await harness.registry.readControl()).control?.by).toBe('oncall@example.com');
    });

    it('stops a CLI sweep sharing the registry while paused, and lets it through after resume', async () => {
      await cli(['pause', '--reason', 'drill']);
      const paused = await cli(['sweep', '--policy', POLICY, '--json']);
      await cli(['resume']);
      const resumed = await cli(['sweep', '--policy', POLICY, '--json']);
      const reasons = (run: CliRun, event: string) =>
        auditRecords(run.stdout)
          .filter((r) => r.event === event)
          .map((r) => r.reason);
      expect(paused.code).toBe(0);
      expect(reasons(paused, 'gateway.would_delete')).toEqual([]);
      expect(reasons(paused, 'gateway.skipped')).toContain('paused');
      expect(reasons(resumed, 'gateway.would_delete').length).toBeGreaterThan(0);
      expect(reasons(resumed, 'gateway.skipped')).not.toContain('paused');
      expect(harness.simulator.deletes()).toEqual([]);
    });

    it('refuses a pause without a reason', async () => {
      const run = await cli(['pause']);
      expect(run).toMatchObject({ code: 2, stderr: expect.stringContaining('--reason: required') });
    });

    it('shows a closed window with its next opening, the budget used and the last run', async () => {
      // The sweeps above recorded later runs of their own.
      fresh();
      const now = Date.now();
      const day = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'][
        new Date(now + 2 * D).getUTCDay()
      ];
      const policy = join(harness.dir, 'windows.json');
      const doc = JSON.parse(readFileSync(POLICY, 'utf8'));
      const windows = [{ days: [day], from: '00:00', to: '00:01', timeZone: 'UTC' }];
      const limits = { ...doc.limits, maxDeletesPer24h: 5 };
      writeFileSync(policy, JSON.stringify({ ...doc, windows, limits }));
      await harness.registry.takeBudget(2, now - H, 5);
      await harness.registry.recordLastRun({
        kind: 'sweep',
        runId: 'run-7',
        trigger: 'schedule',
        dryRun: false,
        at: now - 5 * 60_000,
        outcome: 'completed',
        deleted: 2,
        failed: 0,
      });
      const run = await cli(['status', '--policy', policy], {
        ...operatorEnv(harness.simulator),
        DRY_RUN: 'false',
      });
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/mode: +LIVE/);
      expect(run.stdout).toMatch(/window: +closed; next opening \S+T00:00:00Z \(in 1d\d+h/);
      expect(run.stdout).toMatch(/budget: +2 of 5 deletions used in the last 24 hours, 3 left/);
      expect(run.stdout).toMatch(
        /last run: sweep .*\(5m ago\): completed, live, 2 deleted, 0 failed \(run run-7\)/,
      );
    });

    it('exits 1 and says nothing is deleted when the registry cannot be read', async () => {
      harness.store.unavailable = true;
      const run = await cli(['status']);
      const pause = await cli(['pause', '--reason', 'x']);
      harness.store.unavailable = false;
      expect(run.code).toBe(1);
      expect(run.stdout).toMatch(/pause: +UNREADABLE: counts as paused/);
      expect(run.stdout).toContain('the janitor deletes nothing until it can');
      expect(pause).toMatchObject({
        code: 1,
        stderr: expect.stringContaining('registry (memory): made unavailable'),
      });
    });
  });
});

/** A store where another writer changes the item between each read and write, `losses` times. */
class RacingStore extends MemoryRegistryStore {
  losses: number;
  constructor(losses: number) {
    super();
    this.losses = losses;
  }
  override async put(item: StoredItem, expect: Expect) {
    if (this.losses > 0) {
      this.losses -= 1;
      return false;
    }
    return super.put(item, expect);
  }
}

describe('gateway-janitor registry commands when a write loses a race', () => {
  it('retries a write that lost a race, and reports one that keeps losing with exit 1', async () => {
    const once = new RacingStore(1);
    const always = new RacingStore(1_000);
    const pause = (store: RacingStore) =>
      runCliInProcess(['pause', '--reason', 'x', '--json'], {
        deps: { registry: createRegistry(store) },
      });
    const won = await pause(once);
    const lost = await pause(always);
    expect(won.code).toBe(0);
    expect(auditRecords(won.stdout)).toHaveLength(1);
    expect(lost.code).toBe(1);
    expect(lost.stderr).toContain('changed 5 times while being written');
    expect(lost.stderr).toContain('nothing was changed');
    expect(lost.stdout).toBe('');
    expect(always.items()).toEqual([]);
  });
});

describe('gateway-janitor registry commands with --simulate or no registry', () => {
  it('runs status with registry off, without a token', async () => {
    const run = await runCliInProcess(['status']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/registry: off/);
    expect(run.stdout).toMatch(/pause: +off \(no registry/);
  });

  it('asks for the table for a change when no registry is configured', async () => {
    const run = await runCliInProcess(['pause', '--reason', 'x']);
    expect(run).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--registry-table: required'),
    });
  });

  it('asks for the token only when a gateway must be looked up', async () => {
    const run = await runCliInProcess([
      'keep',
      'pr-1377',
      '--for',
      '1d',
      '--reason',
      'x',
      '--simulate',
      '--registry-table',
      't1',
    ]);
    const noToken = await runCliInProcess([
      'keep',
      'pr-1377',
      '--for',
      '1d',
      '--reason',
      'x',
      '--registry-table',
      'tbl',
    ]);
    expect(run).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--registry-table: cannot be combined with --simulate'),
    });
    expect(noToken).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('COREWEAVE_API_TOKEN: not set: needed to find a gateway'),
    });
  });

  it('sets a lease on the embedded simulator with its in-memory registry', async () => {
    const run = await runCliInProcess([
      'lease',
      'set',
      'pr-1377-streaming',
      '--ttl',
      '2d',
      '--owner',
      'me',
      '--simulate',
    ]);
    const status = await runCliInProcess(['status', '--simulate']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('lease set: pr-1377-streaming');
    expect(status.stdout).toMatch(/registry: in memory/);
  });
});
