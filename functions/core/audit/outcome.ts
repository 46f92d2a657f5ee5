import { type HttpSummary, JanitorError } from '../shared/errors.ts';
import type { Gateway } from '../shared/gateway.ts';
import type { AuditEvent, AuditRecord, RunContext } from './audit-record.ts';
import { toFinalState } from './audit-record.ts';

/** The per-gateway events: each gateway ends in exactly one of these. */
export type GatewayEvent = Extract<AuditEvent, `gateway.${string}`>;

/** What happened to one gateway, before it becomes an audit record. */
export interface GatewayOutcome {
  event: GatewayEvent;
  gatewayId: string;
  gateway?: Pick<Gateway, 'name' | 'organizationId'>;
  reason: string;
  ruleId?: string;
  http?: HttpSummary;
  finalState?: Gateway;
  error?: unknown;
  sqsMessageId?: string;
  requestedBy?: string;
  dueAt?: string;
}

/** Turns an outcome into an audit record, copying only allowlisted fields. */
export function outcomeRecord(outcome: GatewayOutcome, run: RunContext, time: string): AuditRecord {
  const record: AuditRecord = {
    schemaVersion: 1,
    event: outcome.event,
    time,
    runId: run.runId,
    trigger: run.trigger,
    dryRun: run.dryRun,
    gatewayId: outcome.gatewayId,
    reason: outcome.reason,
  };
  if (outcome.gateway?.name) record.gatewayName = outcome.gateway.name;
  if (outcome.gateway?.organizationId) record.organizationId = outcome.gateway.organizationId;
  if (outcome.ruleId) record.ruleId = outcome.ruleId;
  if (outcome.sqsMessageId) record.sqsMessageId = outcome.sqsMessageId;
  if (outcome.requestedBy) record.requestedBy = outcome.requestedBy;
  if (outcome.dueAt) record.dueAt = outcome.dueAt;
  if (outcome.http) record.http = outcome.http;
  if (outcome.finalState) record.finalState = toFinalState(outcome.finalState);
  if (outcome.error !== undefined) record.error = describeError(outcome.error);
  return record;
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
