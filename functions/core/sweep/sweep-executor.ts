import type { GatewayOutcome } from '../audit/outcome.ts';
import type { PlanEntry } from './plan-cleanup.ts';

/**
 * Carries out the plan's verdict on each expired gateway the sweep hands it, once the
 * blast-radius check has passed: deletes it, says it would, or hands it to a later step.
 */
export interface SweepExecutor {
  /** False when acting makes no API calls (a dry run), so the deadline does not stop it. */
  readonly spendsBudget: boolean;
  /**
   * Acts on one expired gateway. A failure is returned as an outcome with its `error`,
   * never thrown; an ApiError that stops the run makes the sweep start nothing more.
   */
  execute(entry: PlanEntry): Promise<GatewayOutcome>;
  /**
   * Settles work gathered over the run (e.g. messages sent as one batch) before the
   * summary, recording what came of it (e.g. confirmations that could not be sent).
   */
  settle?(record?: (outcome: GatewayOutcome) => void): Promise<void>;
}

/** The fields every outcome of a planned gateway carries: who it is and which rule decided. */
export function plannedFields(entry: PlanEntry) {
  const { gateway, verdict } = entry;
  return { gatewayId: gateway.id, gateway, ruleId: verdict.ruleId, reason: verdict.reason };
}
