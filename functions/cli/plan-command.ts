import { type CleanupPlan, holdForDeployments, listFleet, planCleanup } from '#core/sweep/plan';
import type { CliIo } from './cli-io.ts';
import { describeVerdict } from './describe-verdict.ts';
import type { Session } from './open-session.ts';
import { renderPlanTable, sortPlanEntries } from './render-plan-table.ts';
import { jsonText } from './safe-output.ts';

const NO_DEADLINE = { budgetMs: () => Number.POSITIVE_INFINITY };

/** Lists the fleet once and plans it against the session's policy; deletes nothing. */
export async function fetchPlan(session: Session, nowMs: number): Promise<CleanupPlan> {
  // The same lists and deployment rules as a sweep, so the plan shows what a sweep would do.
  const { gateways, deployments } = await listFleet(session.api, NO_DEADLINE);
  return holdForDeployments(
    planCleanup(gateways, session.policy, nowMs),
    deployments,
    session.policy,
  );
}

/** `plan`: every gateway with its verdict and reason, as a table or one JSON document. */
export async function planCommand(
  session: Session,
  flags: { json?: boolean; wide?: boolean },
  io: CliIo,
): Promise<number> {
  const nowMs = Date.now();
  const plan = await fetchPlan(session, nowMs);
  io.out(
    flags.json
      ? `${jsonText(planJson(plan, nowMs), 2)}\n`
      : renderPlanTable(plan, nowMs, { wide: flags.wide }),
  );
  return 0;
}

/** The machine-readable plan: counts, limits, and one entry per gateway in table order. */
export function planJson(plan: CleanupPlan, nowMs: number) {
  return {
    planVersion: 1,
    plannedAt: new Date(nowMs).toISOString(),
    listed: plan.blastRadius.listed,
    expired: plan.blastRadius.expired,
    blastRadius: plan.blastRadius,
    gateways: sortPlanEntries(plan.entries, nowMs).map(({ gateway, verdict }) => ({
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
    })),
    deployments: plan.deployments.map(({ deployment, ruleId }) => ({
      id: deployment.id,
      name: deployment.name,
      gatewayIds: deployment.gatewayIds,
      ruleId,
    })),
  };
}
