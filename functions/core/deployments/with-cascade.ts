import type { GatewayOutcome } from '../audit/outcome.ts';
import type { SweepExecutor } from '../sweep/sweep-executor.ts';
import { type DeploymentResult, refusedWhileDeploymentsGo } from './delete-deployments.ts';
import { gatewayAfterCascade } from './gateway-after-cascade.ts';

/**
 * Wraps a sweep's executor for gateways that deployments served: a gateway goes only once
 * every deployment in front of it is gone or going, and a DELETE the API refuses because
 * they are still deleting is a skip for this run (`deployments_deleting`), not a failure.
 * Each such gateway's record names those deployments.
 */
export function withCascade(
  inner: SweepExecutor,
  results: ReadonlyMap<string, DeploymentResult>,
): SweepExecutor {
  const wrapped: SweepExecutor = {
    spendsBudget: inner.spendsBudget,
    async execute(entry): Promise<GatewayOutcome> {
      const deployments = entry.verdict.deployments;
      if (!deployments?.length) return inner.execute(entry);
      const after = gatewayAfterCascade({ kind: 'cascade', deployments }, results);
      const planned = {
        gatewayId: entry.gateway.id,
        gateway: entry.gateway,
        ruleId: entry.verdict.ruleId,
        deployments,
      };
      if (after.action === 'keep')
        return { event: 'gateway.skipped', ...planned, reason: after.reason };
      const outcome = await inner.execute(entry);
      if (outcome.event === 'gateway.delete_failed' && refusedWhileDeploymentsGo(outcome.error)) {
        const { error: _error, ...rest } = outcome;
        return { ...rest, event: 'gateway.skipped', reason: 'deployments_deleting', deployments };
      }
      return { ...outcome, deployments };
    },
  };
  if (inner.settle) wrapped.settle = (record) => inner.settle?.(record) ?? Promise.resolve();
  return wrapped;
}
