import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CANARY_TOKEN, leakedCanaries } from '#test/support/canaries';
import { POLICY } from './canary-fleet.ts';
import { runCliInProcess } from './run-cli-in-process.ts';

const run = (args: string[], env: Record<string, string> = { COREWEAVE_API_TOKEN: CANARY_TOKEN }) =>
  runCliInProcess(args, { env });

describe('runCli usage and configuration errors', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'janitor-run-cli-'));
    await writeFile(join(dir, 'not-json.json'), '{ "rules": [ ');
    await writeFile(
      join(dir, 'typo.yaml'),
      'rules:\n  - id: pr\n    match: { nmae: "pr-*" }\n    maxAge: 3d\n',
    );
    await writeFile(join(dir, 'not-yaml.yml'), 'rules: [\n');
    await writeFile(
      join(dir, 'root.json'),
      '{"rules":[{"id":"a","match":{},"maxAge":"1d"}],"x":1}',
    );
  });

  it.each([
    {
      case: 'a policy that is not JSON',
      policy: 'not-json.json',
      message: 'not-json.json: not valid JSON (',
    },
    {
      case: 'a misspelt key in YAML',
      policy: 'typo.yaml',
      message: 'typo.yaml: rules[0].match: unknown key "nmae"',
    },
    {
      case: 'a policy that is not YAML',
      policy: 'not-yaml.yml',
      message: 'not-yaml.yml: not valid YAML (',
    },
    {
      case: 'an unknown top-level key',
      policy: 'root.json',
      message: 'root.json: unknown key "x"',
    },
    { case: 'a missing policy file', policy: 'absent.json', message: '--policy: cannot read' },
  ])('exits 2 on $case, naming the file and the path inside it', async ({ policy, message }) => {
    // Act
    const result = await run(['plan', '--policy', join(dir, policy)]);
    // Assess
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain(message);
  });

  it.each([
    { case: 'no policy', args: ['sweep'], message: '--policy: required' },
    {
      case: 'a bad --api-url',
      args: ['plan', '--policy', POLICY, '--api-url', 'ftp://example.com'],
      message: '--api-url: expected an http(s) URL',
    },
    {
      case: 'a plain-http --api-url to a host that is not loopback',
      args: ['plan', '--policy', POLICY, '--api-url', 'http://api.coreweave.com'],
      message: '--api-url: expected an https:// URL (plain http only for localhost',
    },
    {
      case: 'a bad --concurrency',
      args: ['sweep', '--policy', POLICY, '--concurrency', 'many'],
      message: '--concurrency: expected a whole number',
    },
    {
      case: 'an --http-timeout below its bound',
      args: ['plan', '--policy', POLICY, '--http-timeout', '5'],
      message: '--http-timeout: expected at least 100',
    },
    {
      case: '--simulate with --api-url',
      args: ['plan', '--simulate', '--api-url', 'https://api.coreweave.com'],
      message: '--api-url: cannot be combined with --simulate',
    },
    {
      case: 'a teardown name that matches no gateway',
      args: ['teardown', 'pr-1377', '--simulate'],
      message: '<gateway> #1: no gateway is named "pr-1377" or has an id starting with it',
    },
    { case: 'an unknown command', args: ['purge'], message: "unknown command 'purge'" },
    {
      case: 'teardown without ids',
      args: ['teardown'],
      message: "missing required argument 'gateway'",
    },
    { case: 'a bad --seed', args: ['simulate', '--seed', 'x'], message: 'expected a whole number' },
    {
      case: 'a bad --delete-delay',
      args: ['simulate', '--delete-delay', 'soon'],
      message: 'expected a duration such as 5s, 2m or 1h',
    },
  ])('exits 2 on $case', async ({ args, message }) => {
    // Act
    const result = await run(args);
    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(leakedCanaries(result.stderr)).toEqual([]);
  });

  it('names the variable, not a flag, when the bad value came from the environment', async () => {
    // Act
    const result = await run(['plan', '--policy', POLICY], {
      COREWEAVE_API_TOKEN: CANARY_TOKEN,
      DELETE_CONCURRENCY: '0',
    });
    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('DELETE_CONCURRENCY: expected at least 1');
  });

  it('names COREWEAVE_API_URL when the plain-http URL came from the environment', async () => {
    // Act
    const result = await run(['plan', '--policy', POLICY], {
      COREWEAVE_API_TOKEN: CANARY_TOKEN,
      COREWEAVE_API_URL: 'http://10.0.0.8:8080',
    });
    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('COREWEAVE_API_URL: expected an https:// URL');
    expect(leakedCanaries(result.stderr)).toEqual([]);
  });

  it.each(['plan', 'sweep', 'teardown', 'simulate', 'demo'])(
    'prints help for %s and exits 0',
    async (command) => {
      // Act
      const result = await run([command, '--help']);
      // Assess
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Usage: gateway-janitor ${command}`);
    },
  );
});
