import type { Policy } from '#core/policy/compile-policy';
import { forecastDeletions } from '#core/registry/owner-notice';
import type { RegistrySnapshot } from '#core/registry-port';
import {
  type CleanupPlan,
  holdForDeployments,
  listFleet,
  type PlanEntry,
  planCleanup,
} from '#core/sweep/plan';
import type { CliIo } from './cli-io.ts';
import { describeVerdict } from './describe-verdict.ts';
import type { Session } from './open-session.ts';
import {
  deletesAfter,
  expiringWithin,
  renderPlanTable,
  sortPlanEntries,
} from './render-plan-table.ts';
import { jsonText } from './safe-output.ts';

const NO_DEADLINE = { budgetMs: () => Number.POSITIVE_INFINITY };

/** Lists the fleet once and plans it against the session's policy; deletes nothing. */
export async function fetchPlan(session: Session, nowMs: number): Promise<CleanupPlan> {
  // The same lists and deployment rules as a sweep, so the plan shows what a sweep would do.
  const { gateways, deployments } = await listFleet(session.api, NO_DEADLINE);
  // One read, as a sweep's: a registry that cannot be read fails the plan, never empties it.
  const snapshot = await session.registry?.snapshot();
  const plan = holdForDeployments(
    planCleanup(gateways, session.policy, nowMs, snapshot),
    deployments,
    session.policy,
  );
  return withNoticeForecast(plan, session.policy, snapshot, nowMs);
}

/**
 * With notice on, who would be told and when each gateway would really go: its owner
 * (the lease's, the rule's or the default) and a notice's `deleteAfter` in place of D,
 * as the sweep would decide (docs/contract.md "Notice before deletion"). The plan itself
 * tells no one and writes nothing.
 */
function withNoticeForecast(
  plan: CleanupPlan,
  policy: Policy,
  snapshot: RegistrySnapshot | undefined,
  nowMs: number,
): CleanupPlan {
  if (!policy.notice) return plan;
  const forecast = forecastDeletions(plan.entries, { policy, snapshot, now: nowMs });
  const entries = plan.entries.map((entry): PlanEntry => {
    const told = forecast.get(entry.gateway.id);
    if (!told) return entry;
    return {
      ...entry,
      verdict: { ...entry.verdict, owner: told.owner, deletionAt: told.deletesAfter },
    };
  });
  return { ...plan, entries, expired: entries.filter((e) => e.verdict.action === 'delete') };
}

/** `plan`: every gateway with its verdict and reason, as a table or one JSON document. */
export async function planCommand(
  session: Session,
  flags: { json?: boolean; wide?: boolean; expiringMs?: number },
  io: CliIo,
): Promise<number> {
  const nowMs = Date.now();
  const plan = await fetchPlan(session, nowMs);
  const entries =
    flags.expiringMs === undefined
      ? plan.entries
      : expiringWithin(plan.entries, nowMs, flags.expiringMs);
  io.out(
    flags.json
      ? `${jsonText(planJson(plan, nowMs, entries), 2)}\n`
      : renderPlanTable(plan, nowMs, { wide: flags.wide, entries }),
  );
  if (flags.expiringMs !== undefined && !flags.json) {
    io.out(`Shown: ${entries.length} of ${plan.entries.length}, deleted within the window.\n`);
  }
  return 0;
}

/** The machine-readable plan: counts, limits, and one entry per gateway in table order. */
export function planJson(plan: CleanupPlan, nowMs: number, entries = plan.entries) {
  const iso = (ms: number | undefined) =>
    ms === undefined ? undefined : new Date(ms).toISOString();
  return {
    planVersion: 1,
    plannedAt: new Date(nowMs).toISOString(),
    listed: plan.blastRadius.listed,
    expired: plan.blastRadius.expired,
    blastRadius: plan.blastRadius,
    registry: plan.registry,
    gateways: sortPlanEntries(entries, nowMs).map((entry) => ({
      ...entryJson(entry),
      owner: entry.verdict.owner,
      deletesAfter: iso(deletesAfter(entry)),
      decidedBy: entry.verdict.decidedBy,
      exemptUntil: iso(entry.verdict.exemptUntil),
    })),
    deployments: plan.deployments.map(({ deployment, ruleId }) => ({
      id: deployment.id,
      name: deployment.name,
      gatewayIds: deployment.gatewayIds,
      ruleId,
    })),
  };
}

function entryJson({ gateway, verdict }: PlanEntry) {
  return {
    id: gateway.id,
    name: gateway.name,
    status: gateway.status,
    zones: gateway.zones,
    organizationId: gateway.organizationId,
    createdAt: gateway.createdAt,
    updatedAt: gateway.updatedAt,
    action: verdict.action,
    reason: verdict.reason,
    ruleId: verdict.ruleId,
    ageMs: verdict.ageMs,
    ageFrom: verdict.ageFrom,
    maxAgeMs: verdict.maxAgeMs,
    detail: describeVerdict(verdict),
    ...(verdict.deployments?.length ? { deployments: verdict.deployments } : {}),
  };
}
