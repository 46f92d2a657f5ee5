import type { Policy } from '../policy/compile-policy.ts';
import { isProtected } from '../policy/evaluate-gateway.ts';
import type { CleanupPlan, PlanEntry, PlannedDeployment } from '../sweep/plan-cleanup.ts';
import type { Deployment } from './deployment.ts';
import { planDeployments } from './plan-deployments.ts';

/**
 * Adds the deployments to a sweep's plan (docs/contract.md "Never orphan what is serving"):
 * an expired gateway that a deployment still serves is kept (`has_deployments`, naming
 * them) unless its rule cascades and every deployment in front of it can go; those
 * deployments join the plan, to be deleted first, and count in the blast radius. A cascade
 * stopped by a protected or unidentifiable deployment keeps it `protected` or `unknown_identity`.
 */
export function holdForDeployments(
  plan: CleanupPlan,
  deployments: readonly Deployment[],
  policy: Policy,
): CleanupPlan {
  const cascades = new Set(policy.rules.filter((r) => r.deleteDeployments).map((r) => r.id));
  const candidates = plan.expired.map(({ gateway, verdict }) => ({
    id: gateway.id,
    cascade: verdict.ruleId !== undefined && cascades.has(verdict.ruleId),
  }));
  // Protection covers deployments too: a protected name or id is never deleted.
  const decided = planDeployments(candidates, deployments, (d) => isProtected(d, policy));
  const entries = plan.entries.map((entry): PlanEntry => {
    const fate =
      entry.verdict.action === 'delete' ? decided.fates.get(entry.gateway.id) : undefined;
    if (fate === undefined || fate.kind === 'free') return entry;
    const { verdict } = entry;
    if (fate.kind === 'cascade')
      return { ...entry, verdict: { ...verdict, deployments: fate.deployments } };
    return {
      ...entry,
      verdict: {
        ...verdict,
        action: 'keep',
        reason: fate.reason,
        deployments: fate.deployments,
      },
    };
  });
  const expired = entries.filter((entry) => entry.verdict.action === 'delete');
  const ruleOf = new Map(expired.map((e) => [e.gateway.id.toLowerCase(), e.verdict.ruleId]));
  const planned = decided.deployments.map((deployment): PlannedDeployment => {
    const ruleId = ruleOf.get(deployment.gatewayIds[0]?.toLowerCase() ?? '');
    return ruleId === undefined ? { deployment } : { deployment, ruleId };
  });
  const { maxDeletesPerRun, maxDeletePercent } = policy.limits;
  const percent = entries.length === 0 ? 0 : (expired.length / entries.length) * 100;
  return {
    entries,
    expired,
    deployments: planned,
    blastRadius: {
      exceeded: expired.length + planned.length > maxDeletesPerRun || percent > maxDeletePercent,
      expired: expired.length,
      listed: entries.length,
      maxDeletesPerRun,
      maxDeletePercent,
      deployments: planned.length,
    },
  };
}

/**
 * The expired gateways the plan keeps because deployments still serve them (reason
 * `has_deployments`, or `protected`/`unknown_identity` for a deployment a cascade may not take).
 */
export function heldByDeployments(plan: CleanupPlan): PlanEntry[] {
  return plan.entries.filter(
    (entry) => entry.verdict.action === 'keep' && entry.verdict.deployments?.length,
  );
}
