import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseDeploymentListBody, parseListBody } from '#adapters/coreweave/wire';
import { DEMO_REGISTRY } from '#cli/demo-registry';
import { compilePolicy } from '#core/policy/compile-policy';
import { parsePolicyJson } from '#core/policy/policy';
import { holdForDeployments, planCleanup } from '#core/sweep/plan';
import { seedDeployments } from '#simulator/deployment-fleet';
import { seedFleet } from '#simulator/fleet';
import { POLICY } from './canary-fleet.ts';
import { auditRecords, REPO_ROOT, spawnCli } from './spawn-cli.ts';

describe('npm start (the demo)', () => {
  it('runs the demo command with --json, exits 0, and names each deleted gateway', async () => {
    // Prepare: what the bundled policy must delete from the seeded fleet, decided here
    // by the core alone.
    const pkg = JSON.parse(await readFile(`${REPO_ROOT}/package.json`, 'utf8'));
    expect(pkg.scripts.start).toBe('node functions/cli/main.ts demo');
    const now = Date.now();
    const fleet = seedFleet({ now: new Date(now) });
    const http = { attempts: 1, durationMs: 0 };
    const gateways = parseListBody({ items: fleet }, 'GET', '/', http);
    const deployments = parseDeploymentListBody(
      { items: seedDeployments(fleet, { now: new Date(now) }) },
      'GET',
      '/',
      http,
    );
    const policy = compilePolicy(parsePolicyJson(await readFile(POLICY, 'utf8'), POLICY));
    const plan = holdForDeployments(planCleanup(gateways, policy, now), deployments, policy);
    // A gateway whose deployments were just deleted waits for them to vanish: next run. The
    // demo's registry keeps two expired gateways and lets one go that no rule matches.
    const steered: string[] = [DEMO_REGISTRY.extended, DEMO_REGISTRY.kept];
    const expected = [
      ...plan.expired
        .filter((e) => !e.verdict.deployments?.length && !steered.includes(e.gateway.name))
        .map((e) => e.gateway.name),
      DEMO_REGISTRY.leased,
    ];
    expect(plan.expired.map((e) => e.gateway.name)).toEqual(expect.arrayContaining(steered));
    const cascading = plan.expired.filter((e) => e.verdict.deployments?.length);
    // Act
    const { code, stdout, stderr } = await spawnCli(['demo', '--json'], { env: {} });
    // Assess
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(expected.length).toBeGreaterThan(10);
    for (const name of expected)
      expect(stdout).toMatch(new RegExp(`^ {2}deleted\\s+${name} `, 'm'));
    const deleted = auditRecords(stdout).filter((r) => r.event === 'gateway.deleted');
    expect(deleted.map((r) => r.gatewayName).sort()).toEqual([...expected].sort());
    expect(stdout).toMatch(/prod-chat-east\s.*keep\s+protected by the policy/);
    expect(stdout).toMatch(
      /wandb-eval-gw\s.*team-eval\s.*DELETE\s+lease expired \(owner team-eval\)/,
    );
    expect(stdout).toMatch(/pr-1236-docs-typo\s.*team-docs\s.*keep\s+leased \(owner team-docs\)/);
    expect(stdout).toMatch(/pr-1404-otel-traces\s.*keep\s+exempt until/);
    expect(auditRecords(stdout).filter((r) => r.event === 'lease.released')).toMatchObject([
      { gatewayName: DEMO_REGISTRY.leased, reason: 'gateway_deleted', owner: 'team-eval' },
    ]);
    expect(stdout).toMatch(
      /pr-1377-streaming\s.*keep\s+expired, but used by deployment streaming-preview/,
    );
    expect(cascading.length).toBeGreaterThan(0);
    expect(auditRecords(stdout).filter((r) => r.event === 'deployment.deleted')).toHaveLength(
      plan.deployments.length,
    );
    for (const { gateway } of cascading)
      expect(stdout).toMatch(
        new RegExp(`^ {2}skipped\\s+${gateway.name}\\s.*deployments_deleting`, 'm'),
      );
    expect(stdout).toContain('Sweep completed (live');
    const confirmed = auditRecords(stdout).filter((r) => r.event === 'gateway.delete_confirmed');
    expect(confirmed.map((r) => r.gatewayName).sort()).toEqual([...expected].sort());
    for (const name of expected)
      expect(stdout).toMatch(new RegExp(`^ {2}confirmed\\s+${name} `, 'm'));
    expect(stdout).not.toContain('wandb-canary-');
  });

  it('shows people the report, a short summary and the notice cycle, and no JSON without --json', async () => {
    // Act
    const { code, stdout, stderr } = await spawnCli(['demo'], { env: {} });
    // Assess
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(auditRecords(stdout)).toEqual([]);
    expect(stdout).not.toMatch(/^\{/m);
    expect(stdout).toMatch(/^In short: 40 gateways listed, \d+ expired under the policy\.$/m);
    expect(stdout).toMatch(/^ {2}Deleted \d+ gateway\(s\).*; (\d+) of \1 confirmed gone\.$/m);
    expect(stdout).toMatch(
      /2 gateway\(s\) wait for their deployments to finish deleting \(loadtest-.*\): run the sweep again/,
    );
    const registryLine = stdout.split('\n').find((line) => line.includes('The registry decided'));
    expect(registryLine).toMatch(/wandb-eval-gw deleted when its lease ran out/);
    expect(registryLine).toContain(
      'pr-1236-docs-typo kept by its extended lease (owner team-docs)',
    );
    expect(registryLine).toContain('pr-1404-otel-traces kept by its exemption');
    expect(stdout).toContain('gateway-janitor lease extend pr-1236-docs-typo --by 1d');
    expect(stdout).toContain('npm start -- --json');
    expect(stdout).toMatch(/^ {2}noticed\s+exp-\S+\s.*notice_pending$/m);
    expect(stdout).toContain('Message to the notices topic, attribute owner=team-demo:');
    expect(stdout).toMatch(/^ {2}skipped\s+exp-\S+\s.*notice_pending$/m);
    expect(stdout).toMatch(/^ {2}deleted\s+exp-\S+\s.*lease_expired/m);
    // The notice act (told, kept through the grace, deleted) adds about 20 lines.
    expect(stdout.split('\n').length).toBeLessThan(140);
  });
});

describe('gateway-janitor simulate', () => {
  it('serves the seeded fleet at the printed URL with the printed token until interrupted', async () => {
    // Prepare
    const child = spawn(process.execPath, ['functions/cli/main.ts', 'simulate', '--size', '25'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '' },
      timeout: 15_000,
    });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    // Act
    while (!/token: (\S+)/.test(stdout)) {
      const [chunk] = (await once(child.stdout, 'data')) as [string];
      stdout += chunk;
    }
    const url = /URL: +(\S+)/.exec(stdout)?.[1];
    const token = /token: (\S+)/.exec(stdout)?.[1];
    const response = await fetch(`${url}/v1alpha1/inference/gateways`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await response.json()) as { items: unknown[] };
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    // Assess
    expect(response.status).toBe(200);
    expect(body.items).toHaveLength(25);
    expect(code).toBe(0);
  });
});
