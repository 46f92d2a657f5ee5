import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSweepConfig } from '#config/load-config';

// The deployment packs the policy into each function's zip and names it with
// JANITOR_POLICY_FILE, relative to the code (LAMBDA_TASK_ROOT): docs/deploy.md, "The policy".
const POLICY = { rules: [{ id: 'from-file', match: { name: 'pr-*' }, maxAge: '1h' }] };
let taskRoot: string;

beforeAll(async () => {
  taskRoot = await mkdtemp(join(tmpdir(), 'janitor-task-root-'));
  await writeFile(join(taskRoot, 'policy.json'), JSON.stringify(POLICY));
  await writeFile(join(taskRoot, 'typo.json'), JSON.stringify({ ...POLICY, protekt: {} }));
});

afterAll(async () => {
  await rm(taskRoot, { recursive: true, force: true });
});

const env = (overrides: Record<string, string | undefined>) => ({
  COREWEAVE_TOKEN_SECRET_ID: 'cw-token',
  LAMBDA_TASK_ROOT: taskRoot,
  ...overrides,
});

describe('JANITOR_POLICY_FILE', () => {
  it('reads the policy from a file beside the code, relative to LAMBDA_TASK_ROOT', () => {
    const config = loadSweepConfig(env({ JANITOR_POLICY_FILE: 'policy.json' }));

    expect(config.policy.rules.map((rule) => rule.id)).toEqual(['from-file']);
  });

  it('reads an absolute path as it is', () => {
    const config = loadSweepConfig(env({ JANITOR_POLICY_FILE: join(taskRoot, 'policy.json') }));

    expect(config.policy.rules.map((rule) => rule.id)).toEqual(['from-file']);
  });

  it('names the file and the key when the policy in it is invalid', () => {
    expect(() => loadSweepConfig(env({ JANITOR_POLICY_FILE: 'typo.json' }))).toThrow(
      'typo.json: unknown key "protekt"',
    );
  });

  it('names the variable when the file cannot be read', () => {
    expect(() => loadSweepConfig(env({ JANITOR_POLICY_FILE: 'missing.json' }))).toThrow(
      'JANITOR_POLICY_FILE: cannot read missing.json (ENOENT)',
    );
  });

  it('refuses JANITOR_POLICY and JANITOR_POLICY_FILE together: which one runs would be a guess', () => {
    const both = env({
      JANITOR_POLICY_FILE: 'policy.json',
      JANITOR_POLICY: JSON.stringify(POLICY),
    });

    expect(() => loadSweepConfig(both)).toThrow('set either JANITOR_POLICY or JANITOR_POLICY_FILE');
  });

  it('still requires one of them for a function', () => {
    expect(() => loadSweepConfig(env({}))).toThrow('JANITOR_POLICY: required');
  });
});
