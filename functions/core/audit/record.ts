import { type HttpSummary, JanitorError } from '../errors.ts';
import type { Deployment, DeploymentRef, Gateway } from '../model.ts';
import type {
  AuditEvent,
  AuditReason,
  EventWithReason,
  GatewayEvent,
  ReasonOf,
} from './vocabulary.ts';

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
  /** `run.summary` of a sweep: whether a registry's leases and exemptions took part */
  registry?: 'on' | 'off';
  durationMs?: number;
  /**
   * `run.summary` with a registry: the rolling budget (docs/contract.md "Pause, change
   * windows and a rolling budget")
   */
  budget?: { max: number; used: number; left: number; taken: number };
  /** `run.summary`: whether the run could delete (`open`), or why not */
  gate?: 'open' | 'paused' | 'outside_window';
  /** confirmation records: when the DELETE answered, and the run that sent it */
  deletedAt?: string;
  deletionRunId?: string;
  /** gateway.delete_confirmed: seconds from deletedAt to the GET that saw 404, at most */
  secondsToGone?: number;
  /** gateway.noticed and notice skips: who was (or would be) told; lease.*: the lease's owner */
  owner?: string;
  /** gateway.noticed and notice skips: the earliest time (RFC 3339) the gateway may go */
  deleteAfter?: string;
  /** lease.*: also its expiry (RFC 3339), purpose, and its expiry before an extension */
  expiresAt?: string;
  purpose?: string;
  previousExpiresAt?: string;
  /** gateway.exempted and control.paused: until when (RFC 3339) */
  until?: string;
  /** the words of whoever made a registry change (`keep`, `pause`, `resume` --reason) */
  note?: string;
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

/** The fields of a record that its run does not supply (the envelope comes from the recorder). */
export type RecordFields = Omit<
  AuditRecord,
  'schemaVersion' | 'time' | keyof RunContext | 'event' | 'reason'
> &
  EventWithReason;

/** An outcome's event with a reason that event allows (the events table, vocabulary.ts). */
type GatewayEventWithReason = {
  [E in GatewayEvent]: { event: E; reason: ReasonOf<E> };
}[GatewayEvent];

/** What happened to one gateway, before it becomes an audit record. */
export type GatewayOutcome = OutcomeFields & GatewayEventWithReason;

/** What every outcome carries besides its event and reason. */
export interface OutcomeFields {
  gatewayId: string;
  gateway?: Pick<Gateway, 'name' | 'organizationId'>;
  ruleId?: string;
  http?: HttpSummary;
  finalState?: Gateway;
  error?: unknown;
  sqsMessageId?: string;
  requestedBy?: string;
  dueAt?: string;
  /** the deployments that keep it, or that were (or would be) deleted before it */
  deployments?: DeploymentRef[];
  /** confirmation outcomes: when the DELETE answered, the run that sent it, how long it took */
  deletedAt?: string;
  deletionRunId?: string;
  secondsToGone?: number;
  /** notice records: the owner told, and when the gateway may go (RFC 3339) */
  owner?: string;
  deleteAfter?: string;
}

/** Turns an outcome into the fields of its audit record, copying only allowlisted ones. */
export function outcomeFields(outcome: GatewayOutcome): RecordFields {
  // The outcome already pairs its event with an allowed reason; TypeScript cannot follow
  // that pairing through the copy.
  const fields = {
    event: outcome.event,
    gatewayId: outcome.gatewayId,
    reason: outcome.reason,
  } as RecordFields;
  if (outcome.gateway?.name) fields.gatewayName = outcome.gateway.name;
  if (outcome.gateway?.organizationId) fields.organizationId = outcome.gateway.organizationId;
  if (outcome.ruleId) fields.ruleId = outcome.ruleId;
  if (outcome.sqsMessageId) fields.sqsMessageId = outcome.sqsMessageId;
  if (outcome.requestedBy) fields.requestedBy = outcome.requestedBy;
  if (outcome.dueAt) fields.dueAt = outcome.dueAt;
  if (outcome.deletedAt) fields.deletedAt = outcome.deletedAt;
  if (outcome.deletionRunId) fields.deletionRunId = outcome.deletionRunId;
  if (outcome.secondsToGone !== undefined) fields.secondsToGone = outcome.secondsToGone;
  if (outcome.owner) fields.owner = outcome.owner;
  if (outcome.deleteAfter) fields.deleteAfter = outcome.deleteAfter;
  if (outcome.http) fields.http = outcome.http;
  if (outcome.finalState) fields.finalState = toFinalState(outcome.finalState);
  if (outcome.error !== undefined) fields.error = describeError(outcome.error);
  if (outcome.deployments?.length)
    fields.deployments = outcome.deployments.map(({ id, name }) => ({ id, name }));
  return fields;
}

/** A loggable error summary: our errors keep their code; anything else is opaque. */
export function describeError(error: unknown): { code: string; message: string; field?: string } {
  if (error instanceof JanitorError) {
    const described: { code: string; message: string; field?: string } = {
      code: error.code,
      message: error.message,
    };
    if ('field' in error && typeof error.field === 'string') described.field = error.field;
    return described;
  }
  return { code: 'INTERNAL', message: error instanceof Error ? error.name : 'unknown error' };
}

/** Where audit records go: Powertools Logger in Lambda, stdout or a file in the CLI. */
export interface AuditSink {
  write(record: AuditRecord): void;
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
