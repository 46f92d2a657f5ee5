import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { seedFleet } from '#simulator/fleet';
import { type Simulator, startSimulator } from '#simulator/server';
import {
  type SecretsManagerDouble,
  startSecretsManagerDouble,
} from '#test/fakes/secrets-manager-double';
import { SCHEDULED_EVENT } from '#test/fixtures/scheduled-event';
import { copyStack, packageIn, REQUIRED_PARAMS } from '#test/support/package-stack';
import { runBundle } from '#test/support/run-bundle';
import { unzipArtifact } from '#test/support/unzip-artifact';
import { buildAll } from '../../infra/build.ts';

// Deploy-time validation (docs/contract.md, "Checked before it deploys"): `osls package`
// checks the policy with the functions' own schema and ships it inside both zips, so its size
// is not bound by Lambda's 4 KB environment; the packaged sweep handler then runs with it.

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are free-form JSON
type Template = { Resources: Record<string, { Properties: Record<string, any> }> };

const SECRET_ID = 'coreweave/api-token';
const PAD = 'x'.repeat(150);
/** 99 rules that match nothing, 300 protect globs that match nothing, and the one that counts last. */
const BIG_POLICY = {
  rules: [
    ...Array.from({ length: 99 }, (_, i) => ({
      id: `padding-${i}`,
      match: { name: `padding-${i}-${PAD}-*` },
      maxAge: '1h',
    })),
    { id: 'the-last-rule', match: { name: 'pr-*' }, maxAge: '1h' },
  ],
  protect: { names: Array.from({ length: 300 }, (_, i) => `reserved-${i}-${PAD}-*`) },
  limits: { maxDeletesPerRun: 100, maxDeletePercent: 100 },
};
const dirs: string[] = [];
const stackDir = async (zips?: Record<'sweep' | 'teardown', string>) => {
  const dir = await copyStack(zips);
  dirs.push(dir);
  return dir;
};
const stackTrace = /\n\s+at .+:\d+:\d+/;

afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('packaging a policy of 64 KB and more', () => {
  let outDir: string;
  let stack: string;
  let template: Template;
  let simulator: Simulator;
  let secrets: SecretsManagerDouble;

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'janitor-dist-'));
    dirs.push(outDir);
    await buildAll({ outDir });
    stack = await stackDir({
      sweep: join(outDir, 'sweep.zip'),
      teardown: join(outDir, 'teardown.zip'),
    });
    await writeFile(join(stack, 'big-policy.yaml'), toYaml(BIG_POLICY));
    const packaged = await packageIn(stack, [
      ...REQUIRED_PARAMS,
      '--param',
      'policyFile=big-policy.yaml',
    ]);
    if (!packaged.ok) throw new Error(packaged.output);
    template = packaged.template as Template;
    simulator = await startSimulator({ gateways: seedFleet({ now: new Date() }) });
    secrets = await startSecretsManagerDouble({ secrets: { [SECRET_ID]: simulator.token } });
  }, 120_000);

  afterAll(async () => {
    await simulator?.close();
    await secrets?.close();
  });

  it('packs the validated policy into both zips and names it in the environment, not inline', async () => {
    for (const name of ['sweep', 'teardown']) {
      const into = join(stack, `${name}-zip`);
      expect(await unzipArtifact(join(stack, 'dist', `${name}.zip`), into)).toContain(
        'policy.json',
      );
      const packed = await readFile(join(into, 'policy.json'), 'utf8');
      expect(packed.length).toBeGreaterThanOrEqual(64 * 1024);
      expect(JSON.parse(packed).rules.at(-1).id).toBe('the-last-rule');
    }
    const variables = template.Resources.SweepLambdaFunction?.Properties.Environment.Variables;
    expect(variables.JANITOR_POLICY_FILE).toBe('policy.json');
    // Lambda refuses more than 4 KB of variables in all: the policy must not be among them.
    expect(JSON.stringify(variables).length).toBeLessThan(4096);
  });

  it('runs the packaged sweep handler with that policy', async () => {
    const variables = template.Resources.SweepLambdaFunction?.Properties.Environment.Variables;
    const taskRoot = join(stack, 'sweep-zip');

    const run = await runBundle(join(taskRoot, 'index.mjs'), SCHEDULED_EVENT, {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
      LAMBDA_TASK_ROOT: taskRoot,
      COREWEAVE_API_URL: simulator.url,
      COREWEAVE_TOKEN_SECRET_ID: SECRET_ID,
      JANITOR_POLICY_FILE: variables.JANITOR_POLICY_FILE,
      DRY_RUN: variables.DRY_RUN,
    });

    expect(run.outcome).toMatchObject({ ok: true, result: { dryRun: true } });
    const wouldDelete = run.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line).audit)
      .filter((record) => record?.event === 'gateway.would_delete');
    expect(wouldDelete.length).toBeGreaterThan(0);
    expect(new Set(wouldDelete.map((record) => record.ruleId))).toEqual(new Set(['the-last-rule']));
  });
});

describe('packaging refuses', () => {
  it('a misspelt key in a YAML policy, naming the file and the key, without a stack trace', async () => {
    const stack = await stackDir();
    await writeFile(
      join(stack, 'typo.yaml'),
      'rules:\n  - id: previews\n    match: { name: "pr-*" }\n    maxAgee: 72h\n',
    );

    const packaged = await packageIn(stack, [
      ...REQUIRED_PARAMS,
      '--param',
      'policyFile=typo.yaml',
    ]);

    expect(packaged.ok).toBe(false);
    const { output } = packaged as { output: string };
    expect(output).toContain('policyFile: typo.yaml: rules[0]: unknown key "maxAgee"');
    expect(output).not.toMatch(stackTrace);
  });

  it('a deploy that does not say dryRun, rather than falling back to dry run or live', async () => {
    const stack = await stackDir();

    const packaged = await packageIn(stack, REQUIRED_PARAMS.slice(2));

    expect(packaged.ok).toBe(false);
    const { output } = packaged as { output: string };
    expect(output).toContain('dryRun: required on every deploy');
    expect(output).not.toMatch(stackTrace);
  });

  it('the placeholder secret ARN of the examples', async () => {
    const stack = await stackDir();
    const placeholder =
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:gateway-janitor/coreweave-api-token-AbCdEf';

    const packaged = await packageIn(stack, [
      '--param',
      'dryRun=true',
      '--param',
      `secretArn=${placeholder}`,
    ]);

    expect(packaged).toMatchObject({ ok: false });
    expect((packaged as { output: string }).output).toContain(
      `secretArn: "${placeholder}" is a placeholder`,
    );
  });
});
