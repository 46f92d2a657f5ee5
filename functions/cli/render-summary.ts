import { type AuditEvent, EVENTS, type EventCounts, type EventFacts } from '#core/audit/vocabulary';
import type { SweepSummary } from '#core/sweep/run-sweep';
import { REASON_ORDER, reasonLabel } from './describe-verdict.ts';

/** Outcome counts in a fixed order, e.g. `deleted 18, delete failed 1`. */
export function renderCounts(counts: EventCounts): string {
  const text = Object.entries(EVENTS)
    .flatMap(([event, facts]: [string, EventFacts]) => {
      const count = counts[event as AuditEvent];
      return facts.countLabel && count ? [`${facts.countLabel} ${count}`] : [];
    })
    .join(', ');
  return text || 'nothing to do';
}

/** The end-of-run summary of a sweep, with what to do next after a dry or aborted run. */
export function renderSweepSummary(summary: SweepSummary): string {
  const mode = summary.dryRun ? 'dry run' : 'live';
  const kept = REASON_ORDER.filter((reason) => summary.kept[reason])
    .map((reason) => `${summary.kept[reason]} ${reasonLabel(reason)}`)
    .join(', ');
  const lines = [
    `Sweep ${summary.status} (${mode}, run ${summary.runId}) in ${summary.durationMs}ms`,
    `  listed ${summary.listed}, expired ${summary.expired}: ${renderCounts(summary.counts)}`,
    `  kept ${summary.listed - summary.expired}${kept ? `: ${kept}` : ''}`,
  ];
  if (summary.status === 'aborted') {
    const { maxDeletesPerRun, maxDeletePercent } = summary.plan.blastRadius;
    lines.push(
      `  Nothing was deleted: ${summary.expired} of ${summary.listed} expired is over the policy's limits (at most ${maxDeletesPerRun} and ${maxDeletePercent}% per run).`,
    );
  } else if (summary.dryRun && summary.expired > 0) {
    lines.push(`  Dry run: nothing was deleted. Add --apply to delete these ${summary.expired}.`);
  }
  return `${lines.join('\n')}\n`;
}
