import { planDeployments } from '../cascade.ts';
import type { Deployment, Gateway } from '../model.ts';
import type { Policy } from '../policy/compile-policy.ts';
import { evaluateGateway, isProtected, type Verdict } from '../policy/evaluate-gateway.ts';
import type { Deadline, GatewayApi } from '../ports.ts';
import { decideWithRegistry, type RegistryView } from '../registry/leases.ts';

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
    registry: plan.registry,
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

/** One listed gateway with the policy's verdict on it. */
export interface PlanEntry {
  gateway: Gateway;
  verdict: Verdict;
}

/** The blast-radius check of a sweep (docs/contract.md "The policy"). */
export interface BlastRadius {
  exceeded: boolean;
  expired: number;
  listed: number;
  maxDeletesPerRun: number;
  maxDeletePercent: number;
  /** deployments a cascade deletes first; they count towards maxDeletesPerRun */
  deployments: number;
}

/** Every listed gateway with a verdict, the ones to delete, and the blast-radius check. */
export interface CleanupPlan {
  entries: PlanEntry[];
  expired: PlanEntry[];
  blastRadius: BlastRadius;
  /** Deployments to delete before the gateways they serve, with the rule that let them go. */
  deployments: PlannedDeployment[];
  /** Whether a registry's leases and exemptions took part (`registry: off` when none). */
  registry: 'on' | 'off';
}

/** A deployment a cascade deletes, and the rule of the gateways that took it along. */
export interface PlannedDeployment {
  deployment: Deployment;
  ruleId?: string;
}

/**
 * Plans a sweep: a verdict and a reason for every gateway, nothing deleted here; with a
 * registry, its leases and exemptions decide where they apply. Dry and live runs both act
 * on this one plan, so they cannot decide differently.
 */
export function planCleanup(
  gateways: Gateway[],
  policy: Policy,
  nowMs: number,
  registry?: RegistryView,
): CleanupPlan {
  const duplicated = duplicateIds(gateways);
  const entries = gateways.map((gateway): PlanEntry => {
    // One id listed twice may stand for two gateways, or one seen under two names (one of
    // them protected): a DELETE by that id could hit either, so keep every entry.
    if (duplicated.has(gateway.id.toLowerCase()))
      return { gateway, verdict: { action: 'keep', reason: 'duplicate_id' } };
    const verdict = evaluateGateway(gateway, policy, nowMs);
    const decided = decideWithRegistry(gateway, verdict, registry, policy, nowMs);
    return { gateway, verdict: withOwner(decided, policy) };
  });
  const expired = entries.filter((entry) => entry.verdict.action === 'delete');
  const { maxDeletesPerRun, maxDeletePercent } = policy.limits;
  const percent = entries.length === 0 ? 0 : (expired.length / entries.length) * 100;
  return {
    entries,
    expired,
    blastRadius: {
      exceeded: expired.length > maxDeletesPerRun || percent > maxDeletePercent,
      expired: expired.length,
      listed: entries.length,
      maxDeletesPerRun,
      maxDeletePercent,
      deployments: 0,
    },
    deployments: [],
    registry: registry ? 'on' : 'off',
  };
}

/**
 * Who answers for a gateway (docs/contract.md "Notice before deletion"): its lease's owner,
 * else its rule's `owner`, else `notice.defaultOwner`; none when the policy names none.
 */
function withOwner(verdict: Verdict, policy: Policy): Verdict {
  if (verdict.owner !== undefined) return verdict;
  const ruleOwner = policy.rules.find((rule) => rule.id === verdict.ruleId)?.owner;
  const owner = ruleOwner ?? policy.notice?.defaultOwner;
  return owner === undefined ? verdict : { ...verdict, owner };
}

/** Ids (lower-cased; ids are uuids in either case) listed more than once; blank ids aside. */
function duplicateIds(gateways: readonly Gateway[]): Set<string> {
  const seen = new Set<string>();
  const duplicated = new Set<string>();
  for (const { id } of gateways) {
    const key = id.toLowerCase();
    if (key === '') continue;
    if (seen.has(key)) duplicated.add(key);
    seen.add(key);
  }
  return duplicated;
}

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
