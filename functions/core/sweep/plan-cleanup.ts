import type { Gateway } from '../common/gateway.ts';
import type { Deployment } from '../deployments/deployment.ts';
import type { Policy } from '../policy/compile-policy.ts';
import { evaluateGateway, type Verdict } from '../policy/evaluate-gateway.ts';

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
}

/** A deployment a cascade deletes, and the rule of the gateways that took it along. */
export interface PlannedDeployment {
  deployment: Deployment;
  ruleId?: string;
}

/**
 * Plans a sweep: a verdict and a reason for every gateway, nothing deleted here.
 * Dry and live runs both act on this one plan, so they cannot decide differently.
 */
export function planCleanup(gateways: Gateway[], policy: Policy, nowMs: number): CleanupPlan {
  const duplicated = duplicateIds(gateways);
  const entries = gateways.map((gateway): PlanEntry => {
    // One id listed twice may stand for two gateways, or one seen under two names (one of
    // them protected): a DELETE by that id could hit either, so keep every entry.
    if (duplicated.has(gateway.id.toLowerCase()))
      return { gateway, verdict: { action: 'keep', reason: 'duplicate_id' } };
    return { gateway, verdict: evaluateGateway(gateway, policy, nowMs) };
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
  };
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
