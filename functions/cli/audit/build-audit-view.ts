import { EVENTS, type EventFacts } from '#core/audit/vocabulary';
import { type AuditQuery, inWindow, matchesAuditQuery } from './audit-query.ts';
import type { ReadRecord } from './parse-audit-line.ts';

/** The views of the `audit` command. */
export const AUDIT_VIEWS = ['deletions', 'history', 'runs', 'summary'] as const;
export type AuditView = (typeof AUDIT_VIEWS)[number];

/** One cell of a view: rendered as is in every format. */
export type Cell = string | number | boolean | null;

/** A view as rows under named columns, the same for table, csv, json and md. */
export interface ViewTable {
  columns: string[];
  rows: Array<Record<string, Cell>>;
}

/** Builds one view from every record read; filters pick the rows, never the counts. */
export function buildAuditView(
  view: AuditView,
  records: readonly ReadRecord[],
  query: AuditQuery,
): ViewTable {
  const sorted = [...records].sort(byTime);
  if (view === 'deletions') return deletions(sorted, query);
  if (view === 'history') return history(sorted, query);
  if (view === 'runs') return runs(sorted, query);
  return summary(sorted, query);
}

function byTime(a: ReadRecord, b: ReadRecord): number {
  return Date.parse(a.time) - Date.parse(b.time);
}

function deletions(records: ReadRecord[], query: AuditQuery): ViewTable {
  const byGateway = new Map<string, ReadRecord[]>();
  for (const r of records) {
    if (r.gatewayId === undefined) continue;
    const own = byGateway.get(r.gatewayId);
    if (own) own.push(r);
    else byGateway.set(r.gatewayId, [r]);
  }
  // The review before going live (docs/audit.md): a dry run's would-be deletions are listed
  // like deletions when asked for, by --dry-run or by their event.
  const events = new Set(['gateway.deleted']);
  if (query.dryRun || query.event?.has('gateway.would_delete')) events.add('gateway.would_delete');
  const rows = records
    .filter((r) => events.has(r.event) && matchesAuditQuery(r, query))
    .map((r) => ({
      time: r.time,
      gatewayId: r.gatewayId ?? null,
      name: r.gatewayName ?? null,
      rule: r.ruleId ?? null,
      trigger: r.trigger,
      requestedBy: r.requestedBy ?? null,
      reason: r.reason ?? null,
      finalStatus: r.finalState?.status.status ?? null,
      confirmation:
        r.event === 'gateway.would_delete'
          ? 'dry run'
          : confirmation(r, byGateway.get(r.gatewayId ?? '') ?? []),
      runId: r.runId,
    }));
  return { columns: DELETION_COLUMNS, rows };
}

const DELETION_COLUMNS = [
  'time',
  'gatewayId',
  'name',
  'rule',
  'trigger',
  'requestedBy',
  'reason',
  'finalStatus',
  'confirmation',
  'runId',
];

/**
 * How a deletion ended, from the records for that gateway written after it (up to the
 * gateway's next deletion): confirmed (with the seconds it took), stuck (with why),
 * pending (a confirmation was deferred), unconfirmed (schedule_failed) when its
 * confirmation could not be sent, or unconfirmed when nothing about it was read.
 */
function confirmation(deleted: ReadRecord, sameGateway: ReadRecord[]): string {
  const at = Date.parse(deleted.time);
  let state = 'unconfirmed';
  for (const r of sameGateway) {
    if (r === deleted || Date.parse(r.time) < at) continue;
    if (r.event === 'gateway.deleted') break;
    // A confirmation names the run whose DELETE it confirms; one for another run is not ours.
    if (r.deletionRunId !== undefined && r.deletionRunId !== deleted.runId) continue;
    if (r.event === 'gateway.delete_confirmed') {
      return typeof r.secondsToGone === 'number' ? `confirmed (${r.secondsToGone}s)` : 'confirmed';
    }
    if (r.event === 'gateway.delete_stuck') return r.reason ? `stuck (${r.reason})` : 'stuck';
    if (r.event === 'gateway.unconfirmed' && r.runId === deleted.runId) {
      return `unconfirmed (${r.reason ?? 'schedule_failed'})`;
    }
    if (r.event === 'gateway.deferred' && r.reason === 'confirm_pending') state = 'pending';
  }
  return state;
}

function history(records: ReadRecord[], query: AuditQuery): ViewTable {
  // Every record of each gateway the filters matched, not only the matching records.
  const ids = new Set(
    records.filter((r) => r.gatewayId && matchesAuditQuery(r, query)).map((r) => r.gatewayId),
  );
  // A confirmation of a gateway that is gone has no name of its own: its deletion had one.
  const names = new Map<string, string>();
  for (const r of records) if (r.gatewayId && r.gatewayName) names.set(r.gatewayId, r.gatewayName);
  const rows = records
    .filter((r) => concerns(r, ids) && inWindow(r, query))
    .map((r) => ({
      time: r.time,
      gatewayId: r.gatewayId ?? r.gatewayIds?.join(' ') ?? null,
      name: r.gatewayName ?? r.deploymentName ?? names.get(r.gatewayId ?? '') ?? null,
      event: r.event,
      reason: r.reason ?? r.error?.code ?? null,
      rule: r.ruleId ?? null,
      trigger: r.trigger,
      dryRun: r.dryRun,
      requestedBy: r.requestedBy ?? null,
      httpStatus: r.http?.status ?? null,
      runId: r.runId,
    }));
  return {
    columns: [
      'time',
      'gatewayId',
      'name',
      'event',
      'reason',
      'rule',
      'trigger',
      'dryRun',
      'requestedBy',
      'httpStatus',
      'runId',
    ],
    rows,
  };
}

/**
 * A gateway's own records, and those of the deployments deleted before it (a cascade). Ids
 * are uuids, which the API may spell in either case.
 */
function concerns(r: ReadRecord, ids: Set<string | undefined>): boolean {
  const lower = new Set([...ids].map((id) => id?.toLowerCase()));
  if (r.gatewayId) return lower.has(r.gatewayId.toLowerCase());
  return (
    r.event.startsWith('deployment.') &&
    (r.gatewayIds ?? []).some((id) => lower.has(id.toLowerCase()))
  );
}

// The runs table's count columns, in the order shown; which event each counts is the events
// table's (vocabulary.ts).
const RUN_COLUMNS = [
  'deleted',
  'wouldDelete',
  'alreadyGone',
  'failed',
  'deferred',
  'skipped',
  'rejected',
  'deploymentsDeleted',
  'deploymentsFailed',
];
const COLUMN_OF = new Map(
  Object.entries(EVENTS).flatMap(([event, facts]: [string, EventFacts]) =>
    facts.column ? [[event, facts.column] as const] : [],
  ),
);

function runs(records: ReadRecord[], query: AuditQuery): ViewTable {
  const byRun = new Map<string, ReadRecord[]>();
  for (const r of records) {
    if (!inWindow(r, query)) continue;
    const own = byRun.get(r.runId);
    if (own) own.push(r);
    else byRun.set(r.runId, [r]);
  }
  const rows: Array<Record<string, Cell>> = [];
  for (const [runId, own] of byRun) {
    // A run is shown when any of its records matches; its counts cover all of them.
    if (!own.some((r) => matchesAuditQuery(r, query))) continue;
    const first = own[0] as ReadRecord;
    const summaryRecord = own.find((r) => r.event === 'run.summary');
    const row: Record<string, Cell> = {
      started: first.time,
      runId,
      trigger: first.trigger,
      mode: first.dryRun ? 'dry run' : 'live',
      status: runStatus(own),
      listed: summaryRecord?.counts?.listed ?? null,
      expired: summaryRecord?.counts?.expired ?? null,
    };
    for (const column of RUN_COLUMNS) {
      row[column] = own.filter((r) => COLUMN_OF.get(r.event) === column).length;
    }
    row.durationMs = summaryRecord?.durationMs ?? null;
    rows.push(row);
  }
  return {
    columns: [
      'started',
      'runId',
      'trigger',
      'mode',
      'status',
      'listed',
      'expired',
      ...RUN_COLUMNS,
      'durationMs',
    ],
    rows,
  };
}

function runStatus(own: ReadRecord[]): string {
  if (own.some((r) => r.event === 'run.aborted')) return 'aborted';
  if (own.some((r) => r.event === 'run.truncated')) return 'truncated';
  return own.some((r) => r.event === 'run.summary') ? 'completed' : 'no summary';
}

function summary(records: ReadRecord[], query: AuditQuery): ViewTable {
  const groups = new Map<string, Record<string, Cell>>();
  for (const r of records) {
    // Deletions and failures are of gateways; a cascade's deployments are counted apart.
    const column = COLUMN_OF.get(r.event);
    const counted = column && SUMMARY_COLUMNS.has(column) ? column : '';
    if (!counted || !matchesAuditQuery(r, query)) continue;
    const day = r.time.slice(0, 10);
    const rule = r.ruleId ?? (r.trigger === 'sqs' ? '(request)' : '(none)');
    const key = `${day}\u0000${r.trigger}\u0000${rule}`;
    const row = groups.get(key) ?? {
      day,
      trigger: r.trigger,
      rule,
      deleted: 0,
      failed: 0,
      deploymentsDeleted: 0,
    };
    row[counted] = (row[counted] as number) + 1;
    groups.set(key, row);
  }
  const rows = [...groups.values()].sort(
    (a, b) =>
      String(a.day).localeCompare(String(b.day)) ||
      String(a.trigger).localeCompare(String(b.trigger)) ||
      String(a.rule).localeCompare(String(b.rule)),
  );
  return { columns: ['day', 'trigger', 'rule', 'deleted', 'failed', 'deploymentsDeleted'], rows };
}

// Deletions and failures of gateways, and a cascade's deployments apart.
const SUMMARY_COLUMNS = new Set(['deleted', 'failed', 'deploymentsDeleted']);
