import type { DeploymentResult } from './delete-deployments.ts';
import type { CandidateFate, HeldReason } from './plan-deployments.ts';

/** Whether a candidate gateway is deleted now, or kept and why. */
export type AfterCascade = { action: 'delete' } | { action: 'keep'; reason: HeldReason };

/**
 * Decides a candidate gateway once the deployments in front of it have been dealt with:
 * it goes only when every deployment serving it was deleted, was already gone, or was
 * already deleting before the run (and so not in `results`).
 */
export function gatewayAfterCascade(
  fate: CandidateFate,
  results: ReadonlyMap<string, DeploymentResult>,
): AfterCascade {
  if (fate.kind === 'free') return { action: 'delete' };
  if (fate.kind === 'held') return { action: 'keep', reason: fate.reason };
  const cleared = fate.deployments.every((ref) => {
    const result = results.get(ref.id);
    return result === undefined || result.kind === 'deleted' || result.kind === 'already_gone';
  });
  return cleared ? { action: 'delete' } : { action: 'keep', reason: 'has_deployments' };
}
