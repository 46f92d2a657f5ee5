import type { AuditView, Cell, ViewTable } from './build-audit-view.ts';

/** Output formats of the `audit` command. */
export const AUDIT_FORMATS = ['table', 'csv', 'json', 'md'] as const;
export type AuditFormat = (typeof AUDIT_FORMATS)[number];

const BAR_WIDTH = 40;

/**
 * Renders a view. csv and json are data only (json: one array), so they pipe into other
 * tools; table adds, for the summary, a bar chart of deletions per day.
 */
export function renderAuditView(view: AuditView, table: ViewTable, format: AuditFormat): string {
  if (format === 'json') return `${JSON.stringify(table.rows, null, 2)}\n`;
  if (format === 'csv') return csv(table);
  if (format === 'md') return markdown(table);
  if (table.rows.length === 0) return `No ${view === 'runs' ? 'runs' : 'records'} matched.\n`;
  const text = aligned(table);
  return view === 'summary' ? `${text}\n${barChart(table)}` : text;
}

function show(cell: Cell | undefined): string {
  return cell === null || cell === undefined ? '' : String(cell);
}

function csv({ columns, rows }: ViewTable): string {
  const quote = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
  const lines = [columns.join(',')];
  for (const row of rows) lines.push(columns.map((c) => quote(show(row[c]))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

function markdown({ columns, rows }: ViewTable): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
  const lines = [`| ${columns.join(' | ')} |`, `|${columns.map(() => ' --- ').join('|')}|`];
  for (const row of rows) lines.push(`| ${columns.map((c) => cell(show(row[c]))).join(' | ')} |`);
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
  for (const row of rows)
    perDay.set(String(row.day), (perDay.get(String(row.day)) ?? 0) + Number(row.deleted));
  const most = Math.max(1, ...perDay.values());
  const lines = ['Deletions per day'];
  for (const [day, count] of perDay) {
    const bar = '#'.repeat(Math.round((count / most) * BAR_WIDTH));
    lines.push(`${day}  ${bar}${bar ? ' ' : ''}${count}`);
  }
  return `${lines.join('\n')}\n`;
}
