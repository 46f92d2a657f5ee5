import type { GatewayOutcome } from '../audit/outcome.ts';
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
