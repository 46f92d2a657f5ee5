import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedDeployments } from '#simulator/deployment-fleet';
import { seedFleet } from '#simulator/fleet';
import { type Simulator, startSimulator } from '#simulator/server';
import { CANARY_TOKEN, leakedCanaries } from '#test/support/canaries';
import { operatorEnv, POLICY } from './canary-fleet.ts';
import { auditRecords, type CliRun, spawnCli } from './spawn-cli.ts';

describe('gateway-janitor with deployments', () => {
  let simulator: Simulator;
  const runs: CliRun[] = [];
  const cli = async (args: string[]) => {
    const run = await spawnCli(args, { env: operatorEnv(simulator) });
    runs.push(run);
    return run;
  };
  const idOf = (name: string) => simulator.list().find((g) => g.spec.name === name)?.spec.id ?? '';
  const deploymentIdOf = (name: string) =>
    simulator.listDeployments().find((d) => d.spec.name === name)?.spec.id ?? '';

  beforeEach(async () => {
    const now = new Date();
    const gateways = seedFleet({ now });
    simulator = await startSimulator({
      token: CANARY_TOKEN,
      gateways,
      deployments: seedDeployments(gateways, { now }),
      deploymentDeleteDelayMs: 0,
    });
  });
  afterEach(async () => {
    for (const run of runs.splice(0)) expect(leakedCanaries(run.stdout + run.stderr)).toEqual([]);
    await simulator.close();
  });

  it('plan shows a gateway kept by its deployment and the deployments a cascade deletes', async () => {
    // Act
    const table = await cli(['plan', '--policy', POLICY]);
    const json = JSON.parse((await cli(['plan', '--policy', POLICY, '--json'])).stdout);
    // Assess
    expect(table.stdout).toMatch(
      /pr-1377-streaming\s.*keep\s+expired, but used by deployment streaming-preview \(rule pr-previews/,
    );
    expect(table.stdout).toMatch(
      /loadtest-llama-70b\s.*DELETE\s+expired by .*; deletes deployment llama-70b-bench first/,
    );
    expect(table.stdout).toMatch(/Deleted first, by rules that cascade: 2 deployments/);
    expect(
      json.gateways.find((g: { name: string }) => g.name === 'pr-1377-streaming'),
    ).toMatchObject({
      action: 'keep',
      reason: 'has_deployments',
      deployments: [{ id: deploymentIdOf('streaming-preview'), name: 'streaming-preview' }],
    });
    expect(json.deployments.map((d: { name: string }) => d.name).sort()).toEqual([
      'llama-70b-bench',
      'mistral-7b-bench',
    ]);
  });

  it('teardown keeps a gateway in use, and deletes its deployment first with --delete-deployments when the policy allows it', async () => {
    // Prepare
    const id = idOf('pr-1377-streaming');
    const deploymentId = deploymentIdOf('streaming-preview');
    const dir = await mkdtemp(join(tmpdir(), 'janitor-cascade-'));
    const allowing = join(dir, 'allow-cascade.json');
    const policy = JSON.parse(await readFile(POLICY, 'utf8')) as object;
    await writeFile(
      allowing,
      JSON.stringify({ ...policy, teardown: { allow: { deleteDeployments: true } } }),
    );
    const cascade = ['teardown', id, '--apply', '--delete-deployments', '--json'];
    // Act
    const kept = await cli(['teardown', id, '--policy', POLICY, '--apply', '--json']);
    const refused = await cli([...cascade, '--policy', POLICY]);
    const cascaded = await cli([...cascade, '--policy', allowing]);
    await rm(dir, { recursive: true });
    // Assess
    for (const run of [kept, refused])
      expect(auditRecords(run.stdout)[0]).toMatchObject({
        event: 'gateway.skipped',
        reason: 'has_deployments',
      });
    expect(auditRecords(cascaded.stdout).map((r) => r.event)).toEqual([
      'deployment.deleted',
      'gateway.deleted',
      'run.summary',
    ]);
    expect(simulator.deploymentDeletes()).toEqual([deploymentId]);
    expect(simulator.deletes()).toEqual([id]);
  });
});
