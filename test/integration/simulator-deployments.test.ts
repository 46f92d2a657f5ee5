import { afterEach, describe, expect, it } from 'vitest';
import { CoreWeaveClient } from '#adapters/coreweave/client';
import { StaticTokenSource } from '#adapters/static-token-source';
import { seedDeployments } from '#simulator/deployment-fleet';
import { seedFleet } from '#simulator/fleet';
import { type Simulator, type SimulatorOptions, startSimulator } from '#simulator/server';
import type { WireDeployment } from '#simulator/wire-deployment';

const NOW = Date.parse('2026-09-01T12:00:00Z');
const GATEWAYS = '/v1alpha1/inference/gateways';
const DEPLOYMENTS = '/v1alpha1/inference/deployments';
const fleet = seedFleet({ now: new Date(NOW) });
const deployments = seedDeployments(fleet, { now: new Date(NOW) });
const gatewayNamed = (name: string) => {
  const gateway = fleet.find((g) => g.spec.name === name);
  if (!gateway) throw new Error(`no seeded gateway ${name}`);
  return gateway;
};
const deploymentNamed = (name: string) => {
  const deployment = deployments.find((d) => d.spec.name === name);
  if (!deployment) throw new Error(`no seeded deployment ${name}`);
  return deployment;
};

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(options: SimulatorOptions = {}) {
  const time = { now: NOW };
  sim = await startSimulator({
    gateways: fleet,
    deployments,
    clock: () => time.now,
    deleteDelayMs: 1000,
    ...options,
  });
  return { sim, time };
}

async function call(s: Simulator, path: string, method = 'GET') {
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${s.token}` },
  });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) };
}

describe('seedDeployments', () => {
  it('is deterministic and references the seeded previews by id', () => {
    // Act
    const again = seedDeployments(fleet, { now: new Date(NOW) });
    // Assess
    expect(again).toEqual(deployments);
    expect(deploymentNamed('streaming-preview').spec.gatewayIds).toEqual([
      gatewayNamed('pr-1377-streaming').spec.id,
    ]);
    expect(deploymentNamed('chat-shadow').spec.gatewayIds).toEqual([
      gatewayNamed('prod-chat-east').spec.id,
      gatewayNamed('exp-moe-routing').spec.id,
    ]);
  });

  it('gives deployments ids of their own and one deployment a gateway nobody has', () => {
    // Act
    const gatewayIds = new Set(fleet.map((g) => g.spec.id));
    const ids = deployments.map((d) => d.spec.id);
    // Assess
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.some((id) => gatewayIds.has(id))).toBe(false);
    const orphan = deploymentNamed('orphaned-eval').spec.gatewayIds ?? [];
    expect(orphan).toHaveLength(1);
    expect(gatewayIds.has(orphan[0] ?? '')).toBe(false);
  });
});

describe('simulator deployments', () => {
  it('lists deployments as items and none as {}', async () => {
    // Prepare
    const { sim } = await start();
    // Act
    const full = await call(sim, DEPLOYMENTS);
    sim.seedDeployments([]);
    const empty = await call(sim, DEPLOYMENTS);
    // Assess
    expect(full.status).toBe(200);
    expect(full.json().items.map((d: WireDeployment) => d.spec.id)).toEqual(
      deployments.map((d) => d.spec.id),
    );
    expect(empty.text).toBe('{}');
  });

  it('gets one deployment, and answers 404 with code 5 for an unknown id', async () => {
    // Prepare
    const { sim } = await start();
    const bench = deploymentNamed('llama-70b-bench');
    // Act
    const found = await call(sim, `${DEPLOYMENTS}/${bench.spec.id}`);
    const missing = await call(sim, `${DEPLOYMENTS}/00000000-0000-4000-8000-000000000000`);
    // Assess
    expect(found.json().deployment.spec.name).toBe('llama-70b-bench');
    expect(missing.status).toBe(404);
    expect(missing.json().code).toBe(5);
  });

  it('answers 405 for a method the deployment routes do not serve', async () => {
    // Prepare
    const { sim } = await start();
    // Act
    const reply = await call(
      sim,
      `${DEPLOYMENTS}/${deploymentNamed('llama-70b-bench').spec.id}`,
      'PATCH',
    );
    // Assess
    expect(reply.status).toBe(405);
  });

  it('deletes a deployment as DELETING, then it vanishes', async () => {
    // Prepare
    const { sim, time } = await start();
    const bench = deploymentNamed('llama-70b-bench');
    // Act
    const deleted = await call(sim, `${DEPLOYMENTS}/${bench.spec.id}`, 'DELETE');
    const during = await call(sim, `${DEPLOYMENTS}/${bench.spec.id}`);
    time.now += 1000;
    const after = await call(sim, `${DEPLOYMENTS}/${bench.spec.id}`);
    // Assess
    expect(deleted.status).toBe(200);
    expect(deleted.json().deployment.status.status).toBe('STATUS_DELETING');
    expect(during.json().deployment.status.status).toBe('STATUS_DELETING');
    expect(after.status).toBe(404);
    expect(sim.deploymentDeletes()).toEqual([bench.spec.id]);
  });

  it('refuses to delete a referenced gateway with 409 FAILED_PRECONDITION naming the deployment', async () => {
    // Prepare
    const { sim } = await start();
    const gateway = gatewayNamed('loadtest-llama-70b');
    // Act
    const refused = await call(sim, `${GATEWAYS}/${gateway.spec.id}`, 'DELETE');
    // Assess
    expect(refused.status).toBe(409);
    expect(refused.json()).toMatchObject({
      code: 9,
      message: expect.stringContaining('llama-70b-bench'),
    });
    expect(sim.get(gateway.spec.id)?.status?.status).toBe('STATUS_READY');
    expect(sim.deletes()).toEqual([]);
  });

  it('deletes the gateway once its deployment has vanished, not while it is deleting', async () => {
    // Prepare
    const { sim, time } = await start();
    const gateway = gatewayNamed('loadtest-llama-70b');
    const bench = deploymentNamed('llama-70b-bench');
    await call(sim, `${DEPLOYMENTS}/${bench.spec.id}`, 'DELETE');
    // Act
    const whileDeleting = await call(sim, `${GATEWAYS}/${gateway.spec.id}`, 'DELETE');
    time.now += 1000;
    const afterwards = await call(sim, `${GATEWAYS}/${gateway.spec.id}`, 'DELETE');
    // Assess
    expect(whileDeleting.status).toBe(409);
    expect(afterwards.status).toBe(200);
    expect(afterwards.json().gateway.status.status).toBe('STATUS_DELETING');
  });

  it('keeps a gateway served by a shared deployment until that deployment is gone', async () => {
    // Prepare
    const { sim } = await start();
    const shared = gatewayNamed('exp-moe-routing');
    // Act
    const refused = await call(sim, `${GATEWAYS}/${shared.spec.id}`, 'DELETE');
    // Assess
    expect(refused.status).toBe(409);
    expect(refused.json().message).toContain('chat-shadow');
  });

  it('injects faults on the deployment list and records its route', async () => {
    // Prepare
    const { sim } = await start();
    sim.addFault({ route: 'deployment-list', kind: 'status', status: 503, times: 1 });
    // Act
    const first = await call(sim, DEPLOYMENTS);
    const second = await call(sim, DEPLOYMENTS);
    // Assess
    expect([first.status, second.status]).toEqual([503, 200]);
    expect(sim.stats().byRoute['deployment-list']).toBe(2);
  });

  it('injects a fault on one deployment by its id', async () => {
    // Prepare
    const { sim } = await start();
    const bench = deploymentNamed('llama-70b-bench');
    const other = deploymentNamed('streaming-preview');
    sim.addFault({
      route: 'deployment-delete',
      gatewayId: bench.spec.id,
      kind: 'status',
      status: 500,
    });
    // Act
    const faulted = await call(sim, `${DEPLOYMENTS}/${bench.spec.id}`, 'DELETE');
    const served = await call(sim, `${DEPLOYMENTS}/${other.spec.id}`, 'DELETE');
    // Assess
    expect(faulted.status).toBe(500);
    expect(served.status).toBe(200);
    expect(sim.requests.map((r) => r.deploymentId)).toEqual([bench.spec.id, other.spec.id]);
  });

  it('empties the deployments on reset', async () => {
    // Prepare
    const { sim } = await start();
    // Act
    sim.reset();
    // Assess
    expect(sim.listDeployments()).toEqual([]);
  });
});

describe('CoreWeaveClient against the simulator', () => {
  const clientFor = (s: Simulator) =>
    new CoreWeaveClient({
      baseUrl: s.url,
      tokens: new StaticTokenSource(s.token),
      retry: { baseDelayMs: 1, maxDelayMs: 2 },
    });
  const forever = { budgetMs: () => 60_000 };

  it('lists the seeded deployments through a transient fault', async () => {
    // Prepare
    const { sim } = await start();
    sim.addFault({ route: 'deployment-list', kind: 'status', status: 503, times: 1 });
    // Act
    const { deployments: listed } = await clientFor(sim).listDeployments(forever);
    // Assess
    expect(listed.map((d) => d.name)).toEqual(deployments.map((d) => d.spec.name));
    expect(listed.find((d) => d.name === 'chat-shadow')?.gatewayIds).toEqual([
      gatewayNamed('prod-chat-east').spec.id,
      gatewayNamed('exp-moe-routing').spec.id,
    ]);
  });

  it('deletes a deployment and then finds it already gone', async () => {
    // Prepare
    const { sim, time } = await start();
    const bench = deploymentNamed('llama-70b-bench');
    const client = clientFor(sim);
    // Act
    const first = await client.deleteDeployment(bench.spec.id, forever);
    time.now += 1000;
    const second = await client.deleteDeployment(bench.spec.id, forever);
    // Assess
    expect(first).toMatchObject({ kind: 'deleted', deployment: { status: 'STATUS_DELETING' } });
    expect(second.kind).toBe('already_gone');
  });
});
