import type { CleanupPlan, PlanEntry } from '#core/sweep/plan';
import { parseRfc3339 } from '#core/time';
import { describeVerdict, REASON_ORDER, reasonLabel } from './describe-verdict.ts';
import { formatAge } from './format-age.ts';
import { MIN_ID_PREFIX } from './resolve-gateway.ts';
import { plainText } from './safe-output.ts';

const COLUMNS = [
  'NAME',
  'ID',
  'STATUS',
  'AGE',
  'OWNER',
  'DELETES AFTER',
  'VERDICT',
  'REASON',
] as const;

// Verdicts whose deletion time D is when the gateway goes (or went due); the others keep it
// whatever the time, so they show none.
const DUE_REASONS = new Set(['expired', 'lease_expired', 'too_young', 'exempt', 'has_deployments']);

/** When the gateway is deleted (epoch ms): its lease's or rule's D, or undefined if never. */
export function deletesAfter(entry: PlanEntry): number | undefined {
  return DUE_REASONS.has(entry.verdict.reason) ? entry.verdict.deletionAt : undefined;
}

/** A deletion time as the table shows it: `2026-11-27 12:00Z`. */
function formatAt(ms: number | undefined): string {
  if (ms === undefined) return '-';
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')}Z`;
}

/** Only the entries whose deletion falls within `withinMs` of now (past-due included). */
export function expiringWithin(
  entries: readonly PlanEntry[],
  nowMs: number,
  withinMs: number,
): PlanEntry[] {
  return entries.filter((entry) => {
    const at = deletesAfter(entry);
    return at !== undefined && at <= nowMs + withinMs;
  });
}

/**
 * A gateway's age for display, whatever the verdict: the age the deciding rule measured
 * (from its `ageFrom`) when there is one, otherwise from createdAt. Undefined when that
 * timestamp is missing, unparseable or in the future.
 */
export function displayAge(entry: PlanEntry, nowMs: number): number | undefined {
  if (entry.verdict.ageMs !== undefined) return entry.verdict.ageMs;
  if (entry.verdict.ageFrom !== undefined && entry.verdict.ageFrom !== 'createdAt')
    return undefined;
  const createdAt = parseRfc3339(entry.gateway.createdAt);
  return createdAt === undefined || createdAt > nowMs ? undefined : nowMs - createdAt;
}

/** Plan entries in reading order: by verdict reason, then oldest first, then by name. */
export function sortPlanEntries(entries: readonly PlanEntry[], nowMs: number): PlanEntry[] {
  return [...entries].sort(
    (a, b) =>
      REASON_ORDER.indexOf(a.verdict.reason) - REASON_ORDER.indexOf(b.verdict.reason) ||
      (displayAge(b, nowMs) ?? -1) - (displayAge(a, nowMs) ?? -1) ||
      a.gateway.name.localeCompare(b.gateway.name),
  );
}

/**
 * The plan as an aligned text table with a one-paragraph footer on counts and limits. Ids
 * are cut to the shortest prefix commands accept, or shown whole with `wide`.
 */
export function renderPlanTable(
  plan: CleanupPlan,
  nowMs: number,
  options: { wide?: boolean; entries?: readonly PlanEntry[] } = {},
): string {
  const rows = sortPlanEntries(options.entries ?? plan.entries, nowMs).map((entry) => {
    const { gateway, verdict } = entry;
    const ageMs = displayAge(entry, nowMs);
    // Say so when the age shown is time since the last update, not since creation.
    const since = verdict.ageFrom === 'updatedAt' ? ' since update' : '';
    // Names come from whoever created the gateway: no control characters reach the terminal.
    return [
      plainText(gateway.name) || '?',
      (options.wide ? gateway.id : gateway.id.slice(0, MIN_ID_PREFIX)) || '?',
      gateway.status.replace(/^STATUS_/, '').toLowerCase(),
      `${ageMs === undefined ? '?' : formatAge(ageMs)}${since}`,
      plainText(verdict.owner ?? '') || '-',
      formatAt(deletesAfter(entry)),
      verdict.action === 'delete' ? 'DELETE' : 'keep',
      plainText(describeVerdict(verdict)),
    ];
  });
  const widths = COLUMNS.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ');
  return [line(COLUMNS), ...rows.map(line), '', planFooter(plan), ''].join('\n');
}

/** Counts per verdict and whether a sweep would stay within the blast-radius limits. */
export function planFooter(plan: CleanupPlan): string {
  const kept: Record<string, number> = {};
  for (const { verdict } of plan.entries) {
    if (verdict.action === 'keep') kept[verdict.reason] = (kept[verdict.reason] ?? 0) + 1;
  }
  const keptText = REASON_ORDER.filter((reason) => kept[reason])
    .map((reason) => `${kept[reason]} ${reasonLabel(reason)}`)
    .join(', ');
  const { expired, listed, maxDeletesPerRun, maxDeletePercent, exceeded } = plan.blastRadius;
  const limits = `limits: at most ${maxDeletesPerRun} deletions and ${maxDeletePercent}% of the fleet per run`;
  const verdict = exceeded
    ? `OVER the ${limits}: a sweep would delete nothing and fail`
    : `within the ${limits}`;
  return [
    `${listed} gateways: ${expired} to delete, ${listed - expired} kept${keptText ? ` (${keptText})` : ''}.`,
    `${expired} of ${listed} is ${verdict}.`,
    ...deploymentLine(plan),
    `registry: ${plan.registry}${plan.registry === 'off' ? ' (no leases or exemptions)' : ''}`,
  ].join('\n');
}

/** The deployments a sweep would delete first, by name; nothing when there are none. */
function deploymentLine(plan: CleanupPlan): string[] {
  if (plan.deployments.length === 0) return [];
  const names = plan.deployments.map(({ deployment }) =>
    plainText(deployment.name || deployment.id),
  );
  const count = `${names.length} deployment${names.length === 1 ? '' : 's'}`;
  return [`Deleted first, by rules that cascade: ${count} (${names.join(', ')}).`];
}
