import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Simulator } from '#simulator/server';
import { leakedCanaries } from '#test/support/canaries';
import { operatorEnv, POLICY, startCanarySimulator } from './canary-fleet.ts';
import { auditRecords, type CliRun, spawnCli } from './spawn-cli.ts';

describe('gateway-janitor sweep and teardown', () => {
  let simulator: Simulator;
  let dir: string;
  const runs: CliRun[] = [];
  const cli = async (args: string[]) => {
    const run = await spawnCli(args, { env: operatorEnv(simulator) });
    runs.push(run);
    return run;
  };
  const planned = async () => {
    const { stdout } = await cli(['plan', '--policy', POLICY, '--json']);
    const plan = JSON.parse(stdout) as {
      gateways: Array<{ id: string; name: string; action: string; reason: string }>;
    };
    return plan.gateways;
  };
  const idOf = (name: string) => simulator.list().find((g) => g.spec.name === name)?.spec.id ?? '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'janitor-cli-'));
  });
  beforeEach(async () => {
    simulator = await startCanarySimulator();
  });
  afterEach(async () => {
    for (const run of runs.splice(0)) expect(leakedCanaries(run.stdout + run.stderr)).toEqual([]);
    await simulator.close();
  });

  it('without --apply is a dry run that deletes nothing', async () => {
    // Act
    const { code, stdout } = await cli(['sweep', '--policy', POLICY]);
    // Assess
    expect(code).toBe(0);
    expect(simulator.deletes()).toEqual([]);
    expect(stdout.match(/^ {2}would delete /gm)).toHaveLength(19);
    expect(stdout).toContain('Dry run: nothing was deleted. Add --apply to delete these 19.');
  });

  it('with --apply deletes exactly the planned set and audits each to --audit-file', async () => {
    // Prepare
    const expected = (await planned()).filter((g) => g.action === 'delete');
    const auditFile = join(dir, 'apply.jsonl');
    // Act
    const { code, stdout } = await cli([
      'sweep',
      '--policy',
      POLICY,
      '--apply',
      '--audit-file',
      auditFile,
    ]);
    // Assess
    expect(code).toBe(0);
    expect(simulator.deletes().sort()).toEqual(expected.map((g) => g.id).sort());
    for (const { name } of expected) expect(stdout).toMatch(new RegExp(`deleted\\s+${name} `));
    const audit = await readFile(auditFile, 'utf8');
    expect(leakedCanaries(audit)).toEqual([]);
    const records = auditRecords(audit);
    const deleted = records.filter((r) => r.event === 'gateway.deleted');
    expect(deleted.map((r) => r.gatewayId).sort()).toEqual(expected.map((g) => g.id).sort());
    for (const record of deleted) {
      expect(record).toMatchObject({
        schemaVersion: 1,
        trigger: 'cli',
        dryRun: false,
        reason: 'expired',
        finalState: { status: { status: 'STATUS_DELETING' } },
      });
    }
    expect(records.at(-1)).toMatchObject({ event: 'run.summary', reason: 'completed' });
  });

  it('--json writes only audit records, one JSON line each, to stdout', async () => {
    // Act
    const { code, stdout } = await cli(['sweep', '--policy', POLICY, '--json']);
    // Assess
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    const records = auditRecords(stdout);
    expect(records).toHaveLength(lines.length);
    expect(records.filter((r) => r.event === 'gateway.would_delete')).toHaveLength(19);
    expect(records.at(-1)).toMatchObject({
      event: 'run.summary',
      trigger: 'cli',
      dryRun: true,
      counts: { listed: 40, expired: 19 },
    });
  });

  it('aborts, deletes nothing and exits 1 when the plan is over the blast-radius limits', async () => {
    // Prepare
    const strict = JSON.parse(await readFile(POLICY, 'utf8')) as Record<string, unknown>;
    const file = join(dir, 'strict.json');
    await writeFile(file, JSON.stringify({ ...strict, limits: { maxDeletesPerRun: 5 } }));
    // Act
    const { code, stdout, stderr } = await cli(['sweep', '--policy', file, '--apply']);
    // Assess
    expect(code).toBe(1);
    expect(simulator.deletes()).toEqual([]);
    expect(stderr).toContain('sweep aborted: 19 of 40 gateways expired');
    expect(stdout).toContain('Nothing was deleted');
  });

  it('teardown deletes the named gateways only with --apply, never a protected one', async () => {
    // Prepare
    const ids = [idOf('pr-1423-tokenizer-fix'), idOf('prod-chat-east')];
    // Act
    const dry = await cli(['teardown', ...ids, '--policy', POLICY]);
    const deletesAfterDryRun = simulator.deletes();
    const live = await cli(['teardown', ...ids, '--policy', POLICY, '--apply', '--json']);
    // Assess
    expect(dry.code).toBe(0);
    expect(deletesAfterDryRun).toEqual([]);
    expect(dry.stdout).toMatch(/would delete\s+pr-1423-tokenizer-fix/);
    expect(live.code).toBe(0);
    expect(simulator.deletes()).toEqual([ids[0]]);
    const records = auditRecords(live.stdout);
    expect(records.find((r) => r.gatewayId === ids[1])).toMatchObject({
      event: 'gateway.skipped',
      reason: 'protected',
    });
    expect(records.find((r) => r.gatewayId === ids[0])).toMatchObject({
      event: 'gateway.deleted',
      trigger: 'cli',
      requestedBy: expect.stringMatching(/^cli:/),
    });
  });

  it("teardown honours the policy's teardown.allow, in the preview and with --apply", async () => {
    // Prepare
    const policy = JSON.parse(await readFile(POLICY, 'utf8')) as object;
    const narrowed = join(dir, 'teardown-allow.json');
    await writeFile(
      narrowed,
      JSON.stringify({ ...policy, teardown: { allow: { names: ['pr-*'] } } }),
    );
    const outside = simulator
      .list()
      .find((g) => !g.spec.name.startsWith('pr-') && !g.spec.name.startsWith('prod-'));
    const ids = [idOf('pr-1423-tokenizer-fix'), outside?.spec.id ?? ''];
    // Act
    const dry = await cli(['teardown', ...ids, '--policy', narrowed, '--json']);
    const live = await cli(['teardown', ...ids, '--policy', narrowed, '--apply', '--json']);
    // Assess
    const outcomes = (stdout: string) =>
      auditRecords(stdout)
        .filter((r) => r.gatewayId)
        .map((r) => `${r.gatewayId} ${r.event}:${r.reason}`)
        .sort((a, b) => (a.includes('not_allowed') ? 1 : 0) - (b.includes('not_allowed') ? 1 : 0));
    expect(outcomes(dry.stdout)).toEqual([
      `${ids[0]} gateway.would_delete:requested`,
      `${ids[1]} gateway.skipped:not_allowed`,
    ]);
    expect(outcomes(live.stdout)).toEqual([
      `${ids[0]} gateway.deleted:requested`,
      `${ids[1]} gateway.skipped:not_allowed`,
    ]);
    expect(simulator.deletes()).toEqual([ids[0]]);
  });
});
