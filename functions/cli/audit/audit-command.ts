import { readLogGroups } from '#adapters/aws/cloudwatch-log-reader';
import { ValidationError } from '#core/errors';
import type { CliIo } from '../cli-io.ts';
import { EXIT } from '../describe-failure.ts';
import { ambiguous, type GatewayRef, matchGateways } from '../resolve-gateway.ts';
import { type AuditFilterFlags, parseAuditQuery } from './audit-query.ts';
import { AUDIT_VIEWS, type AuditView, buildAuditView } from './build-audit-view.ts';
import { collectAuditLines, type ReadRecord } from './parse-audit-line.ts';
import { readAuditFiles } from './read-audit-files.ts';
import { AUDIT_FORMATS, type AuditFormat, renderAuditView } from './render-audit-view.ts';

/** The `audit` command's flags. */
export interface AuditFlags extends AuditFilterFlags {
  logGroup?: string[];
  file?: string[];
  format?: string;
}

/** What the command reads besides its flags; tests swap them. */
export interface AuditDeps {
  stdin?: NodeJS.ReadableStream;
  now?: () => number;
}

/**
 * `gateway-janitor audit [view]`: reads audit records from log groups and/or files,
 * filters them and prints one view. Lines that are not audit records are counted on
 * stderr; the exit code is 0 even when no record matched.
 */
export async function auditCommand(
  viewName: string | undefined,
  flags: AuditFlags,
  io: CliIo,
  deps: AuditDeps = {},
): Promise<number> {
  const view = (viewName ?? 'deletions') as AuditView;
  if (!AUDIT_VIEWS.includes(view)) {
    throw new ValidationError(
      'CONFIG_INVALID',
      'view',
      `"${viewName}": expected ${AUDIT_VIEWS.join(', ')}`,
    );
  }
  const format = (flags.format ?? 'table') as AuditFormat;
  if (!AUDIT_FORMATS.includes(format)) {
    throw new ValidationError(
      'CONFIG_INVALID',
      '--format',
      `"${flags.format}": expected ${AUDIT_FORMATS.join(', ')}`,
    );
  }
  const query = parseAuditQuery(flags, (deps.now ?? Date.now)());
  const logGroups = flags.logGroup ?? [];
  const files = flags.file ?? [];
  if (logGroups.length === 0 && files.length === 0) {
    throw new ValidationError(
      'CONFIG_INVALID',
      '--log-group',
      'name at least one log group, or --file for saved log lines',
    );
  }

  const lines = await readAuditFiles(files, deps.stdin ?? process.stdin);
  if (logGroups.length > 0) {
    const progress = (text: string) => io.progress && io.err(`\r\x1b[2K${text}`);
    const reading = await readLogGroups({
      logGroups,
      startTime: query.since,
      endTime: query.until,
      onPage: (p) => progress(`${p.logGroup}: ${p.pages} pages, ${p.events} lines read`),
    });
    lines.push(...reading.lines);
    progress('');
    if (reading.foreign > 0) {
      io.err(
        `gateway-janitor: ${reading.foreign} lines from log streams that are not the function's own were ignored (only YYYY/MM/DD/[version]<id> streams are read)\n`,
      );
    }
  }
  const reading = collectAuditLines(lines);
  if (query.gateway) query.gateway = resolveGatewayFilter(query.gateway, reading.records);
  if (reading.unreadable > 0) {
    io.err(`gateway-janitor: ${reading.unreadable} lines were not audit records (skipped)\n`);
  }
  io.out(renderAuditView(view, buildAuditView(view, reading.records, query), format));
  return EXIT.ok;
}

/**
 * `--gateway` values as the views compare them (docs/cli.md, "Naming a gateway"): a name
 * or full id as given (a name matches every gateway that had it), an id prefix of at
 * least 8 characters as the one id it starts among the records read. A prefix of several
 * ids is a usage error listing them; one that matches nothing simply matches no record.
 */
export function resolveGatewayFilter(
  values: ReadonlySet<string>,
  records: readonly ReadRecord[],
): Set<string> {
  const known = new Map<string, GatewayRef>();
  for (const r of records) {
    if (!r.gatewayId) continue;
    const ref = known.get(r.gatewayId) ?? { id: r.gatewayId };
    if (r.gatewayName) ref.name = r.gatewayName;
    known.set(r.gatewayId, ref);
  }
  const resolved = new Set<string>();
  for (const value of values) {
    const matches = matchGateways(value, [...known.values()]);
    const byPrefix = matches.filter((m) => m.by === 'prefix');
    if (byPrefix.length !== matches.length || matches.length === 0) resolved.add(value);
    else if (byPrefix.length === 1) resolved.add(byPrefix[0]?.id ?? value);
    else throw ambiguous(value, byPrefix, '--gateway');
  }
  return resolved;
}
