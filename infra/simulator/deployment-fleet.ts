import { mulberry32, uuidFrom } from './prng.ts';
import type { WireGateway } from './wire.ts';
import type { WireDeployment } from './wire-deployment.ts';

const MINUTE = 60_000;

type Plan = { name: string; gateways: readonly string[]; model: string };

/**
 * Who serves through which seeded gateway (names from seedFleet): previews and load tests
 * with a deployment of their own, one deployment shared with a protected gateway, and one
 * whose gateway no longer exists.
 */
const PLANS: readonly Plan[] = [
  { name: 'streaming-preview', gateways: ['pr-1377-streaming'], model: 'llama-8b' },
  { name: 'kv-cache-preview', gateways: ['pr-1398-kv-cache'], model: 'qwen-32b' },
  { name: 'llama-70b-bench', gateways: ['loadtest-llama-70b'], model: 'llama-70b' },
  { name: 'mistral-7b-bench', gateways: ['loadtest-mistral-7b'], model: 'mistral-7b' },
  { name: 'chat-shadow', gateways: ['prod-chat-east', 'exp-moe-routing'], model: 'mixtral' },
  { name: 'orphaned-eval', gateways: [], model: 'phi-4' },
];

export type SeedDeploymentsOptions = { seed?: number; now: Date };

/**
 * Deployments for a fleet from seedFleet, deterministic for a seed. Plans whose gateways
 * are not in the fleet are left out, except `orphaned-eval`, which always points at a
 * gateway id nobody has.
 */
export function seedDeployments(
  gateways: readonly WireGateway[],
  { seed = 42, now }: SeedDeploymentsOptions,
): WireDeployment[] {
  // A stream of its own, so deployment ids never repeat the gateways' ids.
  const random = mulberry32(seed ^ 0x0de910e);
  const byName = new Map(gateways.map((gateway) => [gateway.spec.name, gateway]));
  const out: WireDeployment[] = [];
  for (const plan of PLANS) {
    const id = uuidFrom(random);
    const served = plan.gateways.map((name) => byName.get(name));
    if (served.some((gateway) => gateway === undefined)) continue;
    const gatewayIds =
      plan.gateways.length === 0
        ? [uuidFrom(random)]
        : served.map((gateway) => (gateway as WireGateway).spec.id);
    const first = served[0]?.status?.createdAt;
    const createdMs =
      first !== undefined && !Number.isNaN(Date.parse(first))
        ? Date.parse(first) + 10 * MINUTE
        : now.getTime() - 60 * MINUTE;
    out.push(buildDeployment(id, plan, gatewayIds, new Date(createdMs).toISOString()));
  }
  return out;
}

function buildDeployment(
  id: string,
  plan: Plan,
  gatewayIds: string[],
  createdAt: string,
): WireDeployment {
  return {
    spec: {
      id,
      name: plan.name,
      gatewayIds,
      runtime: { engine: 'vllm', version: '0.11.0' },
      resources: { gpuType: 'H100', gpuCount: 1 },
      model: { name: plan.model, source: { uri: `s3://models.example.invalid/${plan.model}` } },
      autoscaling: { minReplicas: 1, maxReplicas: 2 },
      traffic: { weight: 100 },
    },
    status: {
      createdAt,
      updatedAt: createdAt,
      status: 'STATUS_READY',
      conditions: [
        {
          type: 'ResourcesApplied',
          status: 'True',
          reason: 'AsExpected',
          lastUpdateTime: createdAt,
        },
      ],
    },
  };
}
