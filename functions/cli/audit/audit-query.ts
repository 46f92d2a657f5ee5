import { AUDIT_EVENTS, isAuditEvent } from '#core/audit/vocabulary';
import { ValidationError } from '#core/errors';
import { parseDuration, parseRfc3339 } from '#core/time';
import type { ReadRecord } from './parse-audit-line.ts';

/** The `audit` command's filters, as given on the command line (each may repeat). */
export interface AuditFilterFlags {
  since?: string;
  until?: string;
  gateway?: string[];
  event?: string[];
  rule?: string[];
  trigger?: string[];
  requestedBy?: string[];
  run?: string[];
  /** only records of dry runs; the deletions view then lists would-be deletions */
  dryRun?: boolean;
}

/** The validated filters: a time window in epoch ms and sets of accepted values. */
export interface AuditQuery {
  since?: number;
  until?: number;
  gateway?: Set<string>;
  event?: Set<string>;
  rule?: Set<string>;
  trigger?: Set<string>;
  requestedBy?: Set<string>;
  run?: Set<string>;
  dryRun?: true;
}

const TRIGGERS = new Set(['schedule', 'sqs', 'cli', 'direct']);

/** Validates the filter flags against `now`; every error names its flag. */
export function parseAuditQuery(flags: AuditFilterFlags, now: number): AuditQuery {
  const query: AuditQuery = {};
  if (flags.since !== undefined) query.since = parseWhen('--since', flags.since, now);
  if (flags.until !== undefined) query.until = parseWhen('--until', flags.until, now);
  if (query.since !== undefined && query.until !== undefined && query.since > query.until) {
    throw new ValidationError('CONFIG_INVALID', '--since', 'is later than --until');
  }
  for (const event of flags.event ?? []) {
    if (!isAuditEvent(event)) {
      throw new ValidationError(
        'CONFIG_INVALID',
        '--event',
        `"${event}" is not an audit event; expected one of: ${AUDIT_EVENTS.join(', ')}`,
      );
    }
  }
  for (const trigger of flags.trigger ?? []) {
    if (!TRIGGERS.has(trigger)) {
      throw new ValidationError(
        'CONFIG_INVALID',
        '--trigger',
        `"${trigger}": expected schedule, sqs, cli or direct`,
      );
    }
  }
  if (flags.dryRun) query.dryRun = true;
  for (const key of ['gateway', 'event', 'rule', 'trigger', 'requestedBy', 'run'] as const) {
    const values = flags[key];
    if (values && values.length > 0) query[key] = new Set(values);
  }
  return query;
}

/** A duration before `now` (`7d`, `12h`) or an RFC 3339 timestamp, as epoch ms. */
function parseWhen(flag: string, text: string, now: number): number {
  const ago = parseDuration(text);
  if (ago !== undefined) return now - ago;
  const at = parseRfc3339(text);
  if (at !== undefined) return at;
  throw new ValidationError(
    'CONFIG_INVALID',
    flag,
    `"${text}": expected a duration like 7d or 12h, or an RFC 3339 time`,
  );
}

/** Whether a record's time lies in the query's window. */
export function inWindow(record: ReadRecord, query: AuditQuery): boolean {
  const at = Date.parse(record.time);
  return (
    (query.since === undefined || at >= query.since) &&
    (query.until === undefined || at <= query.until)
  );
}

/** Whether a record passes every filter of the query. */
export function matchesAuditQuery(record: ReadRecord, query: AuditQuery): boolean {
  if (!inWindow(record, query)) return false;
  if (
    query.gateway &&
    !(
      (record.gatewayId !== undefined && query.gateway.has(record.gatewayId)) ||
      (record.gatewayName !== undefined && query.gateway.has(record.gatewayName))
    )
  ) {
    return false;
  }
  if (query.dryRun && record.dryRun !== true) return false;
  return (
    accepts(query.event, record.event) &&
    accepts(query.rule, record.ruleId) &&
    accepts(query.trigger, record.trigger) &&
    accepts(query.requestedBy, record.requestedBy) &&
    accepts(query.run, record.runId)
  );
}

function accepts(values: Set<string> | undefined, value: string | undefined): boolean {
  return values === undefined || (value !== undefined && values.has(value));
}
