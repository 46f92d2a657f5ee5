import { ApiError, type HttpSummary } from '../common/errors.ts';
import { mapBounded } from '../common/map-bounded.ts';
import type { Deadline } from '../common/ports.ts';
import type { Deployment } from './deployment.ts';
import type { DeploymentApi } from './deployment-api.ts';

/** What became of one deployment a cascade set out to delete. */
export type DeploymentResult =
  | { kind: 'deleted'; deployment: Deployment; finalState: Deployment; http: HttpSummary }
  | { kind: 'already_gone'; deployment: Deployment; http: HttpSummary }
  | { kind: 'failed'; deployment: Deployment; http?: HttpSummary; error: unknown }
  | { kind: 'not_started'; deployment: Deployment; why: 'deadline' | 'run_stopped' };

/** What deleting deployments needs: the API, the deadline and the run's stop switch. */
export interface DeleteDeploymentsDeps {
  api: DeploymentApi;
  deadline: Deadline;
  concurrency: number;
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
