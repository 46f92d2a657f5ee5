import { csvCell, jsonText, markdownCell, plainText } from '../safe-output.ts';
import type { AuditView, Cell, ViewTable } from './build-audit-view.ts';

/** Output formats of the `audit` command. */
export const AUDIT_FORMATS = ['table', 'csv', 'json', 'md'] as const;
export type AuditFormat = (typeof AUDIT_FORMATS)[number];

const BAR_WIDTH = 40;

/**
 * Renders a view. csv and json are data only (json: one array), so they pipe into other
 * tools; table adds, for the summary, a bar chart of deletions per day. Every format
 * escapes what it prints through safe-output.ts.
 */
export function renderAuditView(view: AuditView, table: ViewTable, format: AuditFormat): string {
  if (format === 'json') return `${jsonText(table.rows, 2)}\n`;
  if (format === 'csv') return csv(table);
  if (format === 'md') return markdown(table);
  if (table.rows.length === 0) return `No ${view === 'runs' ? 'runs' : 'records'} matched.\n`;
  const text = aligned(table);
  return view === 'summary' ? `${text}\n${barChart(table)}` : text;
}

function show(cell: Cell | undefined): string {
  return cell === null || cell === undefined ? '' : plainText(String(cell));
}

function csv({ columns, rows }: ViewTable): string {
  const lines = [columns.join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvCell(row[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

function markdown({ columns, rows }: ViewTable): string {
  const cell = (value: Cell | undefined) =>
    value === null || value === undefined ? '' : markdownCell(String(value));
  const lines = [`| ${columns.join(' | ')} |`, `|${columns.map(() => ' --- ').join('|')}|`];
  for (const row of rows) lines.push(`| ${columns.map((c) => cell(row[c])).join(' | ')} |`);
  return `${lines.join('\n')}\n`;
}

function aligned({ columns, rows }: ViewTable): string {
  const cells = rows.map((row) => columns.map((c) => show(row[c]) || '-'));
  const widths = columns.map((c, i) =>
    Math.max(c.length, ...cells.map((line) => line[i]?.length ?? 0)),
  );
  const format = (line: string[]) =>
    line
      .map((text, i) => text.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return `${[format(columns), ...cells.map(format)].join('\n')}\n`;
}

function barChart({ rows }: ViewTable): string {
  const perDay = new Map<string, number>();
  for (const row of rows) {
    const day = show(row.day);
    perDay.set(day, (perDay.get(day) ?? 0) + Number(row.deleted));
  }
  const most = Math.max(1, ...perDay.values());
  const lines = ['Deletions per day'];
  for (const [day, count] of perDay) {
    const bar = '#'.repeat(Math.round((count / most) * BAR_WIDTH));
    lines.push(`${day}  ${bar}${bar ? ' ' : ''}${count}`);
  }
  return `${lines.join('\n')}\n`;
}
