import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '#simulator/server';
import { startSecretsManagerDouble } from '#test/fakes/secrets-manager-double';
import { leakedCanaries } from '#test/support/canaries';
import { operatorEnv, POLICY, startCanarySimulator } from './canary-fleet.ts';
import { type CliRun, spawnCli } from './spawn-cli.ts';

interface PlannedGateway {
  id: string;
  name: string;
  action: 'delete' | 'keep';
  reason: string;
  ruleId?: string;
  ageMs?: number;
  maxAgeMs?: number;
  detail: string;
}

describe('gateway-janitor plan', () => {
  let simulator: Simulator;
  const runs: CliRun[] = [];
  const cli = async (args: string[], env = operatorEnv(simulator)) => {
    const run = await spawnCli(args, { env });
    runs.push(run);
    return run;
  };

  beforeAll(async () => {
    simulator = await startCanarySimulator();
  });
  afterAll(async () => {
    // Nothing secret in anything the CLI printed: not the token, not the W&B apiKey.
    for (const run of runs) expect(leakedCanaries(run.stdout + run.stderr)).toEqual([]);
    await simulator.close();
  });

  it('prints every gateway with its verdict and reason, and deletes nothing', async () => {
    // Act
    const { code, stdout } = await cli(['plan', '--policy', POLICY]);
    // Assess
    expect(code).toBe(0);
    for (const gateway of simulator.list()) expect(stdout).toContain(gateway.spec.name);
    const row = (name: string) => stdout.split('\n').find((line) => line.startsWith(`${name} `));
    expect(row('pr-1377-streaming')).toMatch(/DELETE\s+expired by 6d \(rule pr-previews, max 3d\)/);
    expect(row('pr-1423-tokenizer-fix')).toMatch(/keep\s+too young: 2d2\dh left/);
    expect(row('prod-chat-east')).toMatch(/keep\s+protected/);
    expect(row('pr-1199-teardown')).toMatch(/keep\s+already deleting/);
    expect(row('pr-1255-bad-timestamp')).toMatch(/keep\s+unknown age/);
    expect(row('wandb-eval-gw')).toMatch(/keep\s+no rule matches/);
    expect(stdout).toContain('40 gateways: 19 to delete, 21 kept');
    expect(simulator.deletes()).toEqual([]);
  });

  it('--json gives one document with a verdict, reason and rule for every gateway', async () => {
    // Act
    const { code, stdout } = await cli(['plan', '--policy', POLICY, '--json']);
    // Assess
    expect(code).toBe(0);
    const plan = JSON.parse(stdout) as { planVersion: number; gateways: PlannedGateway[] };
    expect(plan).toMatchObject({
      planVersion: 1,
      listed: 40,
      expired: 19,
      blastRadius: { exceeded: false, maxDeletesPerRun: 25, maxDeletePercent: 50 },
    });
    expect(plan.gateways).toHaveLength(40);
    const expired = plan.gateways.filter((g) => g.action === 'delete');
    expect(expired).toHaveLength(19);
    for (const gateway of expired) {
      expect(gateway).toMatchObject({ reason: 'expired', ruleId: expect.any(String) });
      expect(gateway.ageMs).toBeGreaterThanOrEqual(gateway.maxAgeMs ?? Number.NaN);
    }
    const byName = new Map(plan.gateways.map((g) => [g.name, g]));
    expect(byName.get('prod-embed-west')).toMatchObject({ action: 'keep', reason: 'protected' });
    expect(byName.get('pr-1249-no-timestamp')).toMatchObject({ reason: 'unknown_age' });
    expect(simulator.deletes()).toEqual([]);
  });

  it('--expiring lists only the gateways deleted within that time, and refuses a bad duration', async () => {
    // Act
    const { code, stdout } = await cli(['plan', '--policy', POLICY, '--expiring', '1h', '--json']);
    const bad = await cli(['plan', '--policy', POLICY, '--expiring', 'soon']);
    // Assess
    expect(code).toBe(0);
    const plan = JSON.parse(stdout) as { registry: string; gateways: PlannedGateway[] };
    expect(plan.registry).toBe('off');
    expect(plan.gateways.map((g) => g.action)).toEqual(Array(19).fill('delete'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--expiring');
  });

  it('reads a YAML policy file', async () => {
    // Prepare
    const file = join(tmpdir(), `janitor-policy-${process.pid}.yaml`);
    await writeFile(
      file,
      'rules:\n  - id: everything-old\n    match: { name: "*" }\n    maxAge: 30d\nprotect:\n  names: ["prod-*"]\n',
    );
    // Act
    const { code, stdout } = await cli(['plan', '--policy', file, '--json']);
    // Assess
    expect(code).toBe(0);
    const plan = JSON.parse(stdout) as { gateways: PlannedGateway[] };
    const expired = plan.gateways.filter((g) => g.action === 'delete').map((g) => g.name);
    expect(expired).toContain('exp-moe-routing');
    expect(expired).not.toContain('pr-1377-streaming');
  });

  it('reads the token from Secrets Manager with --secret-id', async () => {
    // Prepare
    const secrets = await startSecretsManagerDouble({
      secrets: { 'coreweave/janitor': JSON.stringify({ token: simulator.token }) },
    });
    try {
      // Act
      const { code, stdout } = await cli(
        [
          'plan',
          '--policy',
          POLICY,
          '--api-url',
          simulator.url,
          '--secret-id',
          'coreweave/janitor',
          '--secret-key',
          'token',
        ],
        {
          AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST',
          AWS_SECRET_ACCESS_KEY: 'local-test-secret',
        },
      );
      // Assess
      expect(code).toBe(0);
      expect(stdout).toContain('40 gateways');
      expect(secrets.calls).toEqual([{ secretId: 'coreweave/janitor' }]);
    } finally {
      await secrets.close();
    }
  });
});
