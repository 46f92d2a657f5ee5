import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryRegistry } from '#adapters/memory-registry';
import type { Simulator } from '#simulator/server';
import { type SnsDouble, startSnsDouble } from '#test/fakes/sns-double';
import { leakedCanaries } from '#test/support/canaries';
import { operatorEnv, startCanarySimulator } from './canary-fleet.ts';
import { runCliInProcess } from './run-cli-in-process.ts';
import { auditRecords } from './spawn-cli.ts';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:gateway-janitor-dev-notices';
const SDK_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST',
  AWS_SECRET_ACCESS_KEY: 'local-test-secret',
};

describe('gateway-janitor sweep with notice before deletion', () => {
  let simulator: Simulator;
  let sns: SnsDouble;
  let dir: string;
  let policy: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    simulator = await startCanarySimulator();
    sns = await startSnsDouble({ topics: [TOPIC] });
    // The SDK reads its endpoint and credentials from the process, as it would in a shell.
    Object.assign(process.env, SDK_ENV, { AWS_ENDPOINT_URL_SNS: sns.url });
    dir = mkdtempSync(join(tmpdir(), 'janitor-notice-cli-'));
    policy = join(dir, 'policy.json');
    writeFileSync(
      policy,
      JSON.stringify({
        rules: [{ id: 'pr-previews', match: { name: 'pr-*' }, maxAge: '72h', owner: 'team-pr' }],
        protect: { names: ['prod-*'] },
        limits: { maxDeletesPerRun: 25, maxDeletePercent: 50 },
        notice: { before: '1h', defaultOwner: 'platform' },
      }),
    );
  });
  afterAll(async () => {
    for (const key of Object.keys({ ...SDK_ENV, AWS_ENDPOINT_URL_SNS: '' })) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
    await Promise.all([simulator.close(), sns.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('tells the owner on NOTICE_TOPIC_ARN and deletes nothing yet', async () => {
    // Prepare
    const { registry, store } = createMemoryRegistry();
    // Act
    const run = await runCliInProcess(['sweep', '--policy', policy, '--apply', '--json'], {
      env: { ...operatorEnv(simulator), NOTICE_TOPIC_ARN: TOPIC },
      deps: { registry },
    });
    // Assess
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(simulator.deletes()).toEqual([]);
    expect(sns.published.map((m) => m.attributes.owner)).toEqual(['team-pr']);
    const noticed = auditRecords(run.stdout).filter((r) => r.event === 'gateway.noticed');
    expect(noticed.length).toBeGreaterThan(5);
    expect(store.items().filter((item) => item.sk === 'notice')).toHaveLength(noticed.length);
    expect(leakedCanaries(run.stdout + JSON.stringify(sns.published))).toEqual([]);
  });

  it('keeps every gateway (notice_failed) without NOTICE_TOPIC_ARN', async () => {
    // Prepare
    const { registry, store } = createMemoryRegistry();
    // Act
    const run = await runCliInProcess(['sweep', '--policy', policy, '--apply', '--json'], {
      env: operatorEnv(simulator),
      deps: { registry },
    });
    // Assess
    expect(simulator.deletes()).toEqual([]);
    const failed = auditRecords(run.stdout).filter((r) => r.reason === 'notice_failed');
    expect(failed.length).toBeGreaterThan(5);
    expect(failed[0]?.error).toMatchObject({ code: 'NOTICE_UNPUBLISHED' });
    // No notice recorded: only the sweep's last-run record.
    expect(store.items().map((item) => item.pk)).toEqual(['run']);
  });

  it('plans who would be told and when each gateway would go, telling no one', async () => {
    // Act
    const run = await runCliInProcess(['plan', '--simulate', '--policy', policy, '--json']);
    const soon = await runCliInProcess([
      ...['plan', '--simulate', '--policy', policy, '--json', '--expiring', '30m'],
    ]);
    // Assess
    expect(run.code).toBe(0);
    const gateways = JSON.parse(run.stdout).gateways as Array<Record<string, string>>;
    const expired = gateways.filter((g) => g.reason === 'expired');
    expect(expired.length).toBeGreaterThan(5);
    const planned = Date.parse(JSON.parse(run.stdout).plannedAt);
    for (const gateway of expired) {
      expect(gateway.owner).toBe('team-pr');
      // Nobody was told yet: a notice given now lets it go an hour from now, no sooner.
      expect(Date.parse(gateway.deletesAfter ?? '')).toBe(planned + 3_600_000);
    }
    expect(JSON.parse(soon.stdout).gateways).toEqual([]);
    expect(sns.published).toHaveLength(1);
  });
});
