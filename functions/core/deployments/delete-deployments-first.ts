import type { DeploymentFinalState } from '../audit/audit-record.ts';
import type { AuditReason } from '../audit/audit-vocabulary.ts';
import { describeError, type RecordFields } from '../audit/outcome.ts';
import type { RunRecorder } from '../audit/run-recorder.ts';
import type { ApiError } from '../common/errors.ts';
import type { Deadline } from '../common/ports.ts';
import { type DeploymentResult, deleteDeployments } from './delete-deployments.ts';
import type { Deployment } from './deployment.ts';
import type { DeploymentApi } from './deployment-api.ts';

/** A deployment to delete, and why (the rule and reason of the gateways it served). */
export interface DeploymentToDelete {
  deployment: Deployment;
  reason: AuditReason;
  ruleId?: string;
}

/** What a cascade left behind: a result per deployment, and the error that stopped the run. */
export interface CascadeResults {
  results: Map<string, DeploymentResult>;
  stopError?: ApiError;
}

/**
 * Deletes the deployments in front of the gateways a run is about to delete, recording
 * `deployment.deleted` or `deployment.delete_failed` for each one it started. A 401 after
 * refresh or 403 stops the run before any gateway is touched.
 */
export async function deleteDeploymentsFirst(
  planned: readonly DeploymentToDelete[],
  deps: { api: DeploymentApi; deadline: Deadline; concurrency: number },
  recorder: RunRecorder,
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
  for (const { deployment, reason, ruleId } of planned) {
    const result = results.get(deployment.id);
    const fields = result && deploymentFields(result, reason, ruleId);
    if (fields) recorder.write(fields);
  }
  return stopError ? { results, stopError } : { results };
}

/** The audit record of one deployment's result; none for one that was never started. */
export function deploymentFields(
  result: DeploymentResult,
  reason: AuditReason,
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

/** A deployment's final state, from the allowlist only. */
export function toDeploymentFinalState(deployment: Deployment): DeploymentFinalState {
  const status: DeploymentFinalState['status'] = { status: deployment.status };
  if (deployment.createdAt) status.createdAt = deployment.createdAt;
  if (deployment.updatedAt) status.updatedAt = deployment.updatedAt;
  return {
    spec: { id: deployment.id, name: deployment.name, gatewayIds: [...deployment.gatewayIds] },
    status,
  };
}
