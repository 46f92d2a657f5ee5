import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { runCliInProcess } from './run-cli-in-process.ts';
import { REPO_ROOT } from './spawn-cli.ts';

describe('gateway-janitor --version', () => {
  it('prints the version in package.json and exits 0', async () => {
    // Prepare
    const pkg = JSON.parse(await readFile(`${REPO_ROOT}/package.json`, 'utf8'));
    // Act
    const run = await runCliInProcess(['--version']);
    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${pkg.version}\n`);
  });

  it('matches the licence in package.json with the LICENSE file', async () => {
    const pkg = JSON.parse(await readFile(`${REPO_ROOT}/package.json`, 'utf8'));
    const license = await readFile(`${REPO_ROOT}/LICENSE`, 'utf8');
    expect(pkg.license).toBe('MIT');
    expect(license).toMatch(/^MIT License\n/);
  });
});

describe('--confirm-within', () => {
  it('takes 1m at a terminal: the CLI polls, so the Lambdas’ 5m first look does not apply', async () => {
    // Act
    const run = await runCliInProcess(
      ['sweep', '--simulate', '--apply', '--wait', '--confirm-within', '1m', '--json'],
      { env: {} },
    );
    // Assess
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('"event":"gateway.delete_confirmed"');
  });

  it('ignores a DELETE_CONFIRM_AFTER in the shell, which only the Lambdas use', async () => {
    const run = await runCliInProcess(['sweep', '--simulate', '--confirm-within', '1m', '--json'], {
      env: { DELETE_CONFIRM_AFTER: '10m' },
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it('no longer offers --confirm-after, which the CLI never used', async () => {
    const run = await runCliInProcess(['sweep', '--simulate', '--confirm-after', '5m']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown option '--confirm-after'");
  });
});
