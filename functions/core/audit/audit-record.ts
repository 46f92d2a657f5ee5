import type { HttpSummary } from '../common/errors.ts';
import type { Gateway } from '../common/gateway.ts';
import type { DeploymentRef } from '../deployments/deployment.ts';
import type { AuditEvent, AuditReason } from './audit-vocabulary.ts';

/** What started a run. */
export type Trigger = 'schedule' | 'sqs' | 'cli' | 'direct';

/** Fields shared by every record of one run. */
export interface RunContext {
  runId: string;
  trigger: Trigger;
  dryRun: boolean;
}

/** The allowlisted final state of a gateway; nothing else from the API is ever logged. */
export interface FinalState {
  spec: {
    id: string;
    name: string;
    zones: string[];
    organizationId?: string;
    auth?: string;
    routing?: string;
    endpointConfiguration?: Gateway['endpointConfiguration'];
  };
  status: {
    status: string;
    conditions?: Gateway['conditions'];
    endpoints?: string[];
    createdAt?: string;
    updatedAt?: string;
  };
}

/** The allowlisted final state of a deployment: what it was and which gateways it served. */
export interface DeploymentFinalState {
  spec: { id: string; name: string; gatewayIds: string[] };
  status: { status: string; createdAt?: string; updatedAt?: string };
}

/** One audit record, version 1 (docs/contract.md "The audit record"). */
export interface AuditRecord extends RunContext {
  schemaVersion: 1;
  event: AuditEvent;
  time: string;
  gatewayId?: string;
  gatewayName?: string;
  organizationId?: string;
  reason?: AuditReason;
  ruleId?: string;
  sqsMessageId?: string;
  requestedBy?: string;
  http?: HttpSummary;
  /** a gateway's final state, or a deployment's on `deployment.*` records */
  finalState?: FinalState | DeploymentFinalState;
  dueAt?: string;
  /** the deployments that keep a gateway, or that a cascade deletes (or would) before it */
  deployments?: DeploymentRef[];
  /** on `deployment.*` records: the deployment, and the gateways it served */
  deploymentId?: string;
  deploymentName?: string;
  gatewayIds?: string[];
  error?: { code: string; message: string; field?: string };
  /** per-event counts, plus the run's own tallies (listed, expired, messages, ...) */
  counts?: Record<string, number>;
  /** `run.summary`: the deployment list answered 404, read as no deployments */
  deploymentList?: 'not_found';
  durationMs?: number;
  /** confirmation records: when the DELETE answered, and the run that sent it */
  deletedAt?: string;
  deletionRunId?: string;
  /** gateway.delete_confirmed: seconds from deletedAt to the GET that saw 404, at most */
  secondsToGone?: number;
}

/** Builds `finalState` from the allowlist; empty arrays and absent values are left out. */
export function toFinalState(gateway: Gateway): FinalState {
  const spec: FinalState['spec'] = { id: gateway.id, name: gateway.name, zones: gateway.zones };
  if (gateway.organizationId) spec.organizationId = gateway.organizationId;
  if (gateway.authKind) spec.auth = gateway.authKind;
  if (gateway.routingKind) spec.routing = gateway.routingKind;
  if (gateway.endpointConfiguration) spec.endpointConfiguration = gateway.endpointConfiguration;
  const status: FinalState['status'] = { status: gateway.status };
  if (gateway.conditions.length > 0) status.conditions = gateway.conditions;
  if (gateway.endpoints.length > 0) status.endpoints = gateway.endpoints;
  if (gateway.createdAt) status.createdAt = gateway.createdAt;
  if (gateway.updatedAt) status.updatedAt = gateway.updatedAt;
  return { spec, status };
}
