import type { GatewayOutcome, RecordFields } from '../audit/outcome.ts';
import { toDeploymentFinalState } from '../deployments/delete-deployments-first.ts';
import type { Deployment } from '../deployments/deployment.ts';
import type { PlanEntry } from '../sweep/plan-cleanup.ts';
import { isStuckDeleting } from './decide-confirmation.ts';

/**
 * The sweep's own check (docs/contract.md "Deletion is confirmed, not assumed"): every
 * listed gateway STATUS_DELETING for at least the window is stuck, whoever deleted it, so
 * a lost confirmation cannot hide it. Nothing is sent to it. Entries without a trustworthy
 * identity are left out: their record could name the wrong gateway.
 */
export function reportStuckDeletions(
  entries: readonly PlanEntry[],
  nowMs: number,
  withinMs: number,
): GatewayOutcome[] {
  return entries
    .filter(({ gateway, verdict }) => {
      const trusted = verdict.reason !== 'unknown_identity' && verdict.reason !== 'duplicate_id';
      return trusted && isStuckDeleting(gateway, nowMs, withinMs);
    })
    .map(({ gateway }) => ({
      event: 'gateway.delete_stuck',
      gatewayId: gateway.id,
      gateway,
      reason: 'deleting_too_long',
      finalState: gateway,
    }));
}

/**
 * The same check on the listed deployments: one STATUS_DELETING for at least the window is
 * `deployment.delete_stuck`, as a gateway would be, since it may still be billed. A
 * deployment without an id or a name is left out: its record could not say which it is.
 */
export function reportStuckDeployments(
  deployments: readonly Deployment[],
  nowMs: number,
  withinMs: number,
): RecordFields[] {
  return deployments
    .filter((deployment) => deployment.id !== '' && deployment.name !== '')
    .filter((deployment) => isStuckDeleting(deployment, nowMs, withinMs))
    .map((deployment) => ({
      event: 'deployment.delete_stuck',
      reason: 'deleting_too_long',
      deploymentId: deployment.id,
      deploymentName: deployment.name,
      gatewayIds: [...deployment.gatewayIds],
      finalState: toDeploymentFinalState(deployment),
    }));
}
