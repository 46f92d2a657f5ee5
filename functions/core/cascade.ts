import { describeError, type RecordFields, toDeploymentFinalState } from './audit/record.ts';
import type { ReasonOf } from './audit/vocabulary.ts';

/** Why a cascade deletes a deployment: its gateways expired, or a request asked for them. */
export type CascadeReason = ReasonOf<'deployment.deleted'>;

import { ApiError, type HttpSummary } from './errors.ts';
import { mapBounded } from './map-bounded.ts';
import type { Deployment, DeploymentRef } from './model.ts';
import { hasUsableIdentity } from './policy/evaluate-gateway.ts';
import type { Deadline, DeploymentApi } from './ports.ts';

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

/** What became of one deployment a cascade set out to delete. */
export type DeploymentResult =
  | { kind: 'deleted'; deployment: Deployment; finalState: Deployment; http: HttpSummary }
  | { kind: 'already_gone'; deployment: Deployment; http: HttpSummary }
  | { kind: 'failed'; deployment: Deployment; http?: HttpSummary; error: unknown }
  | {
      kind: 'not_started';
      deployment: Deployment;
      why: 'deadline' | 'run_stopped' | BudgetRefusal;
    };

/**
 * Why the rolling budget let no DELETE go (docs/contract.md "Pause, change windows and a
 * rolling budget").
 */
export type BudgetRefusal = 'daily_limit' | 'registry_unavailable';

/** Takes one unit of the rolling budget right before a DELETE; anything but `taken` refuses. */
export type TakeBudget = () => Promise<'taken' | BudgetRefusal>;

/** What deleting deployments needs: the API, the deadline and the run's stop switch. */
export interface DeleteDeploymentsDeps {
  api: DeploymentApi;
  deadline: Deadline;
  concurrency: number;
  /** the run's rolling budget; absent: none */
  take?: TakeBudget;
  /** Told about a 401-after-refresh or 403: the run stops starting deletions. */
  onStop: (error: ApiError) => void;
  /** Whether the run was stopped (by this step or an earlier one). */
  stopped: () => boolean;
}

/**
 * Deletes deployments with bounded concurrency, under the same deadline and stop rules as
 * gateways, and answers one result per deployment, keyed by id. Never throws for one
 * deployment's failure: a failed deployment only keeps its gateways.
 */
export async function deleteDeployments(
  deployments: readonly Deployment[],
  deps: DeleteDeploymentsDeps,
): Promise<Map<string, DeploymentResult>> {
  const results = new Map<string, DeploymentResult>();
  await mapBounded(
    deployments,
    deps.concurrency,
    async (deployment) => {
      results.set(deployment.id, await deleteOne(deployment, deps));
    },
    () => !deps.stopped() && deps.deadline.budgetMs() > 0,
    (deployment) => {
      const why = deps.stopped() ? 'run_stopped' : 'deadline';
      results.set(deployment.id, { kind: 'not_started', deployment, why });
    },
  );
  return results;
}

async function deleteOne(
  deployment: Deployment,
  deps: DeleteDeploymentsDeps,
): Promise<DeploymentResult> {
  const took = (await deps.take?.()) ?? 'taken';
  if (took !== 'taken') return { kind: 'not_started', deployment, why: took };
  try {
    const result = await deps.api.deleteDeployment(deployment.id, deps.deadline);
    if (result.kind === 'already_gone')
      return { kind: 'already_gone', deployment, http: result.http };
    return { kind: 'deleted', deployment, finalState: result.deployment, http: result.http };
  } catch (error) {
    if (error instanceof ApiError && error.stopsRun) deps.onStop(error);
    const http = error instanceof ApiError ? error.http : undefined;
    return http
      ? { kind: 'failed', deployment, http, error }
      : { kind: 'failed', deployment, error };
  }
}

/**
 * Whether a gateway DELETE refused as a precondition after its deployments were deleted
 * means they are still going away: what the API answers then is undocumented
 * (docs/coreweave-api.md "Still unknown"), and the gateway is simply tried again next run.
 */
export function refusedWhileDeploymentsGo(error: unknown): boolean {
  return (
    error instanceof ApiError &&
    error.code === 'API_PERMANENT' &&
    (error.status === 400 || error.status === 409 || error.status === 412)
  );
}

/** A deployment to delete, and why (the rule and reason of the gateways it served). */
export interface DeploymentToDelete {
  deployment: Deployment;
  reason: CascadeReason;
  ruleId?: string;
}

/**
 * What a cascade left behind: a result per deployment, the records of those it started (in
 * plan order), and the error that stopped the run.
 */
export interface CascadeResults {
  results: Map<string, DeploymentResult>;
  records: RecordFields[];
  stopError?: ApiError;
}

/**
 * Deletes the deployments in front of the gateways a run is about to delete, the sweep's and
 * the teardown's alike, and answers `deployment.deleted` or `deployment.delete_failed` for
 * each one it started. A 401 after refresh or 403 stops the run before any gateway is touched.
 */
export async function deleteDeploymentsFirst(
  planned: readonly DeploymentToDelete[],
  deps: { api: DeploymentApi; deadline: Deadline; concurrency: number; take?: TakeBudget },
): Promise<CascadeResults> {
  let stopError: ApiError | undefined;
  const results = await deleteDeployments(
    planned.map((p) => p.deployment),
    {
      ...deps,
      onStop: (error) => {
        stopError ??= error;
      },
      stopped: () => stopError !== undefined,
    },
  );
  const records = planned.flatMap(({ deployment, reason, ruleId }) => {
    const result = results.get(deployment.id);
    const fields = result && deploymentFields(result, reason, ruleId);
    return fields ? [fields] : [];
  });
  return stopError ? { results, records, stopError } : { results, records };
}

/** The audit record of one deployment's result; none for one that was never started. */
export function deploymentFields(
  result: DeploymentResult,
  reason: CascadeReason,
  ruleId?: string,
): RecordFields | undefined {
  if (result.kind === 'not_started') return undefined;
  const { deployment } = result;
  const fields: RecordFields = {
    event: result.kind === 'failed' ? 'deployment.delete_failed' : 'deployment.deleted',
    reason,
    deploymentId: deployment.id,
    deploymentName: deployment.name,
    gatewayIds: [...deployment.gatewayIds],
  };
  if (ruleId) fields.ruleId = ruleId;
  if (result.http) fields.http = result.http;
  if (result.kind === 'deleted') fields.finalState = toDeploymentFinalState(result.finalState);
  if (result.kind === 'failed') fields.error = describeError(result.error);
  return fields;
}

/** Whether a candidate gateway is deleted now, or kept and why. */
export type AfterCascade =
  | { action: 'delete' }
  | { action: 'keep'; reason: HeldReason | BudgetRefusal };

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
  for (const ref of fate.deployments) {
    const result = results.get(ref.id);
    if (
      result?.kind === 'not_started' &&
      (result.why === 'daily_limit' || result.why === 'registry_unavailable')
    )
      return { action: 'keep', reason: result.why };
  }
  const cleared = fate.deployments.every((ref) => {
    const result = results.get(ref.id);
    return result === undefined || result.kind === 'deleted' || result.kind === 'already_gone';
  });
  return cleared ? { action: 'delete' } : { action: 'keep', reason: 'has_deployments' };
}
