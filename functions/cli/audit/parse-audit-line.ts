import type { AuditRecord } from '#core/audit/record';

/** A record read back from a log line; events, reasons and fields added later read as they are. */
export type ReadRecord = Omit<AuditRecord, 'event' | 'reason'> & {
  event: string;
  reason?: string;
  deletedAt?: string;
  secondsToGone?: number;
  [extra: string]: unknown;
};

/** What one log line holds: an audit record, a log line of another kind, or nothing usable. */
export type ParsedLine =
  | { kind: 'record'; record: ReadRecord }
  | { kind: 'other' }
  | { kind: 'unreadable' };

// Lambda's platform lines (START, END, REPORT, INIT_START...) carry no audit record.
const PLATFORM = /^(?:START|END|REPORT|INIT_START|INIT_REPORT|EXTENSION|TELEMETRY)\b/;

/**
 * Reads one line of a function's log: the JSON line itself, or the same after a Lambda
 * text-format prefix (`<time>\t<request id>\t<LEVEL>\t{...}`), as the CLI's
 * `--audit-file` and the Lambda both write it (records under the key `audit`).
 */
export function parseAuditLine(line: string): ParsedLine {
  const text = line.trim();
  if (text === '' || PLATFORM.test(text)) return { kind: 'other' };
  const start = text.indexOf('{');
  if (start < 0) return { kind: 'unreadable' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.slice(start));
  } catch {
    return { kind: 'unreadable' };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { kind: 'unreadable' };
  }
  const audit = (parsed as { audit?: unknown }).audit;
  if (audit === undefined) return { kind: 'other' };
  return isAuditRecord(audit) ? { kind: 'record', record: audit } : { kind: 'unreadable' };
}

function isAuditRecord(value: unknown): value is ReadRecord {
  if (value === null || typeof value !== 'object') return false;
  const r = value as Record<string, unknown>;
  return (
    r.schemaVersion === 1 &&
    typeof r.event === 'string' &&
    typeof r.time === 'string' &&
    !Number.isNaN(Date.parse(r.time)) &&
    typeof r.runId === 'string'
  );
}

/** Lines read from every source, parsed, with counts of what was not an audit record. */
export interface AuditReading {
  records: ReadRecord[];
  /** log lines of another kind (Powertools' own lines, Lambda platform lines) */
  other: number;
  /** lines that are neither JSON log lines nor audit records */
  unreadable: number;
}

/** Collects parsed lines into one reading; a record seen twice (two sources) is kept once. */
export function collectAuditLines(lines: Iterable<string>): AuditReading {
  const reading: AuditReading = { records: [], other: 0, unreadable: 0 };
  const seen = new Set<string>();
  for (const line of lines) {
    const parsed = parseAuditLine(line);
    if (parsed.kind === 'other') {
      if (line.trim() !== '') reading.other += 1;
    } else if (parsed.kind === 'unreadable') reading.unreadable += 1;
    else {
      const key = JSON.stringify(parsed.record);
      if (seen.has(key)) continue;
      seen.add(key);
      reading.records.push(parsed.record);
    }
  }
  return reading;
}
