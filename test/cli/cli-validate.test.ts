import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '#simulator/server';
import { leakedCanaries } from '#test/support/canaries';
import { operatorEnv, startCanarySimulator } from './canary-fleet.ts';
import { type CliRun, runCliInProcess } from './run-cli-in-process.ts';

// `gateway-janitor validate --policy FILE`: the deploy's policy checks from a terminal,
// plus warnings for footguns (docs/contract.md, "Checked before it deploys").

let dir: string;
let simulator: Simulator;
const runs: CliRun[] = [];
const cli = async (args: string[], env: Record<string, string> = {}) => {
  const run = await runCliInProcess(args, { env });
  runs.push(run);
  return run;
};
const policyFile = async (name: string, text: string) => {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
};
const warnings = (stdout: string) =>
  stdout
    .split('\n')
    .filter((line) => line.startsWith('warning: '))
    .map((line) => line.slice('warning: '.length));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'janitor-validate-'));
  simulator = await startCanarySimulator();
});

afterAll(async () => {
  for (const run of runs) expect(leakedCanaries(run.stdout + run.stderr)).toEqual([]);
  await simulator.close();
  await rm(dir, { recursive: true, force: true });
});

describe('gateway-janitor validate', () => {
  it('exits 0 on a sound policy, and says the fleet was not checked without a token', async () => {
    const file = await policyFile(
      'sound.json',
      JSON.stringify({
        rules: [{ id: 'previews', match: { name: 'pr-*' }, maxAge: '72h' }],
        protect: { names: ['prod-*'] },
      }),
    );

    const { code, stdout, stderr } = await cli(['validate', '--policy', file]);

    expect(code).toBe(0);
    expect(stdout).toContain(`${file}: valid (1 rule); patterns not checked against the fleet`);
    expect(warnings(stdout)).toEqual([]);
    expect(stderr).toBe('');
  });

  it('exits 2 on a misspelt key in a YAML policy, naming the file and the key, without a stack', async () => {
    const file = await policyFile(
      'typo.yaml',
      'rules:\n  - id: previews\n    match: { name: "pr-*" }\n    maxAgee: 72h\n',
    );

    const { code, stdout, stderr } = await cli(['validate', '--policy', file]);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`gateway-janitor: ${file}: rules[0]: unknown key "maxAgee"\n`);
  });

  it('exits 2 without --policy', async () => {
    const { code, stderr } = await cli(['validate']);

    expect(code).toBe(2);
    expect(stderr).toContain('--policy: required');
  });

  it('warns about a glob written as a regex, an empty match and no protect list, and still exits 0', async () => {
    const file = await policyFile(
      'footguns.yaml',
      [
        'rules:',
        '  - id: previews',
        '    match: { name: "pr-.*" }',
        '    maxAge: 72h',
        '  - id: everything',
        '    match: {}',
        '    maxAge: 30d',
      ].join('\n'),
    );

    const { code, stdout } = await cli(['validate', '--policy', file]);

    expect(code).toBe(0);
    expect(warnings(stdout)).toEqual([
      'rules[0].match.name: "pr-.*" looks like a regular expression, but globs know only * and ?; use match.nameRegex for a regex',
      'rules[1].match: empty, so rule "everything" matches every gateway older than 30d',
      'protect: none; no gateway is protected by name or id (e.g. "prod-*")',
    ]);
  });

  it('with a token, warns about each pattern and protected id that matches no listed gateway', async () => {
    const file = await policyFile(
      'fleet.json',
      JSON.stringify({
        rules: [
          { id: 'previews', match: { name: 'pr-*' }, maxAge: '72h' },
          { id: 'typo', match: { name: 'preview-*' }, maxAge: '72h' },
          { id: 'regex', match: { nameRegex: '^nightly-\\d+$' }, maxAge: '1d' },
        ],
        protect: {
          names: ['PROD-*', 'production-*'],
          ids: ['00000000-0000-4000-8000-00000000dead'],
        },
      }),
    );

    const { code, stdout } = await cli(['validate', '--policy', file], operatorEnv(simulator));

    expect(code).toBe(0);
    const listed = simulator.list().length;
    expect(stdout).toContain(`patterns checked against ${listed} gateways listed at`);
    // PROD-* protects prod-chat-east: protection ignores case, as the functions do.
    expect(warnings(stdout)).toEqual([
      `rules[1].match.name: "preview-*" matches none of the ${listed} listed gateways`,
      `rules[2].match.nameRegex: "^nightly-\\d+$" matches none of the ${listed} listed gateways`,
      `protect.names[1]: "production-*" matches none of the ${listed} listed gateways`,
      'protect.ids[0]: no listed gateway has id 00000000-0000-4000-8000-00000000dead',
    ]);
    expect(simulator.deletes()).toEqual([]);
  });
});
