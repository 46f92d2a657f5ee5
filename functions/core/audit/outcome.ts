import { type HttpSummary, JanitorError } from '../common/errors.ts';
import type { Gateway } from '../common/gateway.ts';
import type { DeploymentRef } from '../deployments/deployment.ts';
import { type AuditRecord, type RunContext, toFinalState } from './audit-record.ts';
import type { AuditReason, GatewayEvent } from './audit-vocabulary.ts';

/** The fields of a record that its run does not supply (the envelope comes from the recorder). */
export type RecordFields = Omit<AuditRecord, 'schemaVersion' | 'time' | keyof RunContext>;

/** What happened to one gateway, before it becomes an audit record. */
export interface GatewayOutcome {
  event: GatewayEvent;
  gatewayId: string;
  gateway?: Pick<Gateway, 'name' | 'organizationId'>;
  reason: AuditReason;
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
}

/** Turns an outcome into the fields of its audit record, copying only allowlisted ones. */
export function outcomeFields(outcome: GatewayOutcome): RecordFields {
  const fields: RecordFields = {
    event: outcome.event,
    gatewayId: outcome.gatewayId,
    reason: outcome.reason,
  };
  if (outcome.gateway?.name) fields.gatewayName = outcome.gateway.name;
  if (outcome.gateway?.organizationId) fields.organizationId = outcome.gateway.organizationId;
  if (outcome.ruleId) fields.ruleId = outcome.ruleId;
  if (outcome.sqsMessageId) fields.sqsMessageId = outcome.sqsMessageId;
  if (outcome.requestedBy) fields.requestedBy = outcome.requestedBy;
  if (outcome.dueAt) fields.dueAt = outcome.dueAt;
  if (outcome.deletedAt) fields.deletedAt = outcome.deletedAt;
  if (outcome.deletionRunId) fields.deletionRunId = outcome.deletionRunId;
  if (outcome.secondsToGone !== undefined) fields.secondsToGone = outcome.secondsToGone;
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
