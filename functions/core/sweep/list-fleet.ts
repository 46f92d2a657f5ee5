import type { Gateway } from '../common/gateway.ts';
import type { Deadline, GatewayApi } from '../common/ports.ts';
import type { Deployment } from '../deployments/deployment.ts';

/**
 * The gateway and deployment lists, fetched together for a sweep and for the CLI's `plan`:
 * both are needed before anything is decided and neither depends on the other, so a run
 * waits one round trip, not two (a cold invocation's end-to-end time, docs/benchmarks.md).
 * Unknown means keep: if either fails (a deployment 404 is none, not a failure), the run
 * fails here, before anything is decided or deleted, and only once both have settled, so
 * nothing the run started outlives it. The gateway list's error wins when both fail.
 */
export async function listFleet(api: GatewayApi, deadline: Deadline): Promise<Fleet> {
  const [gateways, deployments] = await Promise.allSettled([
    api.list(deadline),
    api.listDeployments(deadline),
  ]);
  if (gateways.status === 'rejected') throw gateways.reason;
  if (deployments.status === 'rejected') throw deployments.reason;
  const fleet: Fleet = { gateways: gateways.value, deployments: deployments.value.deployments };
  if (deployments.value.notFound) fleet.deploymentListNotFound = true;
  return fleet;
}

/** What a run decides on; `deploymentListNotFound` when the deployment list answered 404. */
export interface Fleet {
  gateways: Gateway[];
  deployments: Deployment[];
  deploymentListNotFound?: true;
}
