import { hasUsableIdentity } from '../policy/evaluate-gateway.ts';
import type { Deployment, DeploymentRef } from './deployment.ts';

/** A gateway the policy would delete this run, and whether its rule may cascade. */
export interface DeletionCandidate {
  id: string;
  /** the deciding rule says `"deleteDeployments": true` */
  cascade: boolean;
}

/** What deployments mean for one candidate gateway. */
export type CandidateFate =
  /** no deployment serves through it: deleted as planned */
  | { kind: 'free' }
  /** deleted after these deployments, which go first (or are already deleting) */
  | { kind: 'cascade'; deployments: DeploymentRef[] }
  /** kept: these deployments still serve through it, and `reason` says why they stay */
  | { kind: 'held'; reason: HeldReason; deployments: DeploymentRef[] };

/**
 * Why a gateway stays behind its deployments: one of them is protected, or has no uuid id
 * or no name, and its cascade asked for it; otherwise simply `has_deployments`.
 */
export type HeldReason = 'has_deployments' | 'protected' | 'unknown_identity';

/** The deployments to delete first, and the fate of every candidate gateway. */
export interface DeploymentPlan {
  /** Deployments to delete before any gateway, in list order; none serves a kept gateway. */
  deployments: Deployment[];
  fates: Map<string, CandidateFate>;
}

/**
 * Decides which deployments a run may delete and which candidate gateways they hold back
 * (docs/contract.md "Never orphan what is serving"). A deployment goes only when every
 * gateway it serves is a cascading candidate that is itself going; anything else keeps
 * it, and keeping it keeps all its gateways, which can in turn keep other deployments,
 * so the sets shrink until nothing changes.
 */
export function planDeployments(
  candidates: readonly DeletionCandidate[],
  deployments: readonly Deployment[],
  isProtected: (deployment: Deployment) => boolean = () => false,
): DeploymentPlan {
  const users = usersByGateway(deployments);
  const going = new Map<string, DeletionCandidate>();
  for (const candidate of candidates) going.set(key(candidate.id), candidate);

  const repeated = repeatedIds(deployments);
  const untouchable = (deployment: Deployment): HeldReason | undefined => {
    if (isProtected(deployment)) return 'protected';
    // As for gateways: a blank name passes every protect glob, and an id that is not a
    // uuid cannot be protected or deleted reliably (docs/contract.md).
    if (!hasUsableIdentity(deployment)) return 'unknown_identity';
    return undefined;
  };
  const deletable = (deployment: Deployment): boolean =>
    // An id listed twice is a contradiction: which gateways it serves is unknown, so keep.
    !repeated.has(key(deployment.id)) &&
    untouchable(deployment) === undefined &&
    deployment.gatewayIds.length > 0 &&
    deployment.gatewayIds.every((id) => going.get(key(id))?.cascade === true);

  for (let changed = true; changed; ) {
    changed = false;
    for (const [id, candidate] of going) {
      const served = users.get(id) ?? [];
      if (served.length === 0) continue;
      if (candidate.cascade && served.every(deletable)) continue;
      going.delete(id);
      changed = true;
    }
  }

  const fates = new Map<string, CandidateFate>();
  for (const candidate of candidates) {
    const serving = users.get(key(candidate.id)) ?? [];
    const served = serving.map(toRef);
    if (served.length === 0) fates.set(candidate.id, { kind: 'free' });
    else if (going.has(key(candidate.id)))
      fates.set(candidate.id, { kind: 'cascade', deployments: served });
    else {
      const reason = heldReason(candidate, serving.map(untouchable));
      fates.set(candidate.id, { kind: 'held', reason, deployments: served });
    }
  }
  // One already deleting needs no second DELETE; its gateways wait for it to vanish.
  const toDelete = deployments.filter(
    (deployment) => deployment.status !== 'STATUS_DELETING' && deletable(deployment),
  );
  return { deployments: toDelete, fates };
}

function usersByGateway(deployments: readonly Deployment[]): Map<string, Deployment[]> {
  const users = new Map<string, Deployment[]>();
  for (const deployment of deployments) {
    for (const id of new Set(deployment.gatewayIds.map(key))) {
      const list = users.get(id);
      if (list) list.push(deployment);
      else users.set(id, [deployment]);
    }
  }
  return users;
}

// Ids are UUIDs, which the API may spell in either case.
const key = (id: string): string => id.toLowerCase();

const toRef = (deployment: Deployment): DeploymentRef => ({
  id: deployment.id,
  name: deployment.name,
});

/** Protection first, then identity: the most specific reason a cascade was refused. */
function heldReason(
  candidate: DeletionCandidate,
  untouchable: ReadonlyArray<HeldReason | undefined>,
): HeldReason {
  if (!candidate.cascade) return 'has_deployments';
  if (untouchable.includes('protected')) return 'protected';
  if (untouchable.includes('unknown_identity')) return 'unknown_identity';
  return 'has_deployments';
}

/** The ids listed more than once, in lower case: `AB…` and `ab…` are one deployment. */
function repeatedIds(deployments: readonly Deployment[]): Set<string> {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const { id } of deployments) {
    if (seen.has(key(id))) repeated.add(key(id));
    seen.add(key(id));
  }
  return repeated;
}
