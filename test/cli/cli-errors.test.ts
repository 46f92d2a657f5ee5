import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '#simulator/server';
import { CANARY_TOKEN, leakedCanaries, ROTATED_TOKEN } from '#test/support/canaries';
import { POLICY, startCanarySimulator } from './canary-fleet.ts';
import { spawnCli } from './spawn-cli.ts';

// Sequential: the tests share one simulator, and some assert that it saw no request.
describe('gateway-janitor process exit codes', () => {
  let dir: string;
  let simulator: Simulator;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'janitor-cli-errors-'));
    await writeFile(
      join(dir, 'policy.json'),
      JSON.stringify({ rules: [{ id: 'pr', match: { name: 'pr-*' }, maxAge: '3 days' }] }),
    );
    simulator = await startCanarySimulator();
  });
  afterAll(() => simulator.close());

  it('exits 2 and says where a token comes from when there is none', async () => {
    // Act
    const run = await spawnCli(['plan', '--policy', POLICY], { env: {} });
    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'gateway-janitor: COREWEAVE_API_TOKEN: not set: export the API token in it, or pass --secret-id',
    );
    expect(run.stdout).toBe('');
  });

  it('exits 2 naming the file and the path inside an invalid policy', async () => {
    // Act
    const run = await spawnCli(['sweep', '--apply', '--policy', join(dir, 'policy.json')], {
      env: { COREWEAVE_API_URL: simulator.url, COREWEAVE_API_TOKEN: CANARY_TOKEN },
    });
    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `${join(dir, 'policy.json')}: rules[0].maxAge: expected a duration such as 30m, 6h, 7d or 1d12h`,
    );
    expect(simulator.requests).toEqual([]);
    expect(leakedCanaries(run.stdout + run.stderr)).toEqual([]);
  });

  it('exits 2 on an unknown option, with a pointer to --help', async () => {
    // Act
    const run = await spawnCli(['sweep', '--dry-run'], { env: {} });
    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("error: unknown option '--dry-run'");
    expect(run.stderr).toContain('(add --help for usage)');
  });

  it('exits 1 naming the API failure when the token is rejected, without printing it', async () => {
    // Act
    const run = await spawnCli(['sweep', '--policy', POLICY, '--apply'], {
      env: { COREWEAVE_API_URL: simulator.url, COREWEAVE_API_TOKEN: ROTATED_TOKEN },
    });
    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/CoreWeave API: GET \/v1alpha1\/inference\/gateways -> 401/);
    expect(simulator.deletes()).toEqual([]);
    expect(leakedCanaries(run.stdout + run.stderr)).toEqual([]);
  });

  it('exits 1 naming the transport failure when the API cannot be reached', async () => {
    // Prepare: a loopback port that nothing listens on (the closed simulator's own).
    const closed = await startCanarySimulator();
    const url = closed.url;
    await closed.close();
    // Act
    const run = await spawnCli(['plan', '--policy', POLICY], {
      env: { COREWEAVE_API_URL: url, COREWEAVE_API_TOKEN: CANARY_TOKEN },
    });
    // Assess: four tries, then a message that says what happened.
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('attempts_exhausted (ECONNREFUSED)');
    expect(leakedCanaries(run.stdout + run.stderr)).toEqual([]);
  });
});
