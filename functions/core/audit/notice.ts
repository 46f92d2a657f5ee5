import type { AuditRecord } from './record.ts';
import { type AuditEvent, EVENTS, type EventFacts, type NoticeRole } from './vocabulary.ts';

/** When a run is told to people: never, only when it deleted or failed something, always. */
export type NotifyMode = 'off' | 'deletions' | 'always';

/** One short message for the team about one run. */
export interface RunNotice {
  subject: string;
  message: string;
}

const MAX_LISTED = 20;
const REGISTRY_UNAVAILABLE_END = 'aborted: the registry could not be read, so nothing was deleted';

/** Does a run's notice tell about records of this event? */
export function isNoticed(event: AuditEvent): boolean {
  return noticeOf(event) !== undefined;
}

/**
 * The message about one run, built from its audit records: what was deleted (or would
 * be, in a dry run) by rule and trigger, what failed, how the run ended. Undefined when
 * the mode says this run needs no message. Only ids, names, rules, reasons and error
 * codes are used: never a final state, never anything secret.
 */
export function buildRunNotice(
  records: readonly AuditRecord[],
  mode: NotifyMode,
): RunNotice | undefined {
  const first = records[0];
  if (mode === 'off' || !first) return undefined;
  const deleted = records.filter((r) => noticeOf(r.event) === 'deleted');
  const cascaded = records.filter((r) => noticeOf(r.event) === 'cascade');
  const failed = records.filter((r) => noticeOf(r.event) === 'failed');
  const ends = records.flatMap((r) => {
    const role = noticeOf(r.event);
    if (typeof role !== 'object') return [];
    return [r.reason === 'registry_unavailable' ? REGISTRY_UNAVAILABLE_END : role.end];
  });
  // A dry run deletes nothing: under `deletions` it is told only when something failed.
  // A cascade may delete deployments in a run that leaves their gateway for the next one.
  const acted = deleted.some((r) => r.event === 'gateway.deleted') || cascaded.length > 0;
  if (mode === 'deletions' && !acted && failed.length === 0 && ends.length === 0) {
    return undefined;
  }
  const how = first.dryRun ? 'dry run' : 'live';
  const verb = first.dryRun ? 'would delete' : 'deleted';
  const lines = [`gateway-janitor ${first.trigger} run ${first.runId} (${how})`, ''];
  lines.push(`${verb}: ${deleted.length}`);
  const groups = new Map<string, AuditRecord[]>();
  for (const r of deleted) {
    const key = r.ruleId
      ? `rule ${r.ruleId}`
      : r.reason === 'lease_expired'
        ? 'lease'
        : `${r.trigger} request`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  for (const [key, group] of groups) {
    lines.push(`  ${key} (${first.trigger}): ${group.length}`);
    for (const r of group.slice(0, MAX_LISTED)) lines.push(`    ${describe(r)}`);
    if (group.length > MAX_LISTED) lines.push(`    ... and ${group.length - MAX_LISTED} more`);
  }
  if (cascaded.length > 0) {
    lines.push(`deployments deleted first (cascade): ${cascaded.length}`);
    for (const r of cascaded.slice(0, MAX_LISTED)) lines.push(`    ${describe(r)}`);
    if (cascaded.length > MAX_LISTED)
      lines.push(`    ... and ${cascaded.length - MAX_LISTED} more`);
  }
  if (failed.length > 0) {
    lines.push(`failed: ${failed.length}`);
    for (const r of failed.slice(0, MAX_LISTED)) {
      lines.push(`    ${describe(r)}: ${r.error?.code ?? r.reason ?? r.event}`);
    }
    if (failed.length > MAX_LISTED) lines.push(`    ... and ${failed.length - MAX_LISTED} more`);
  }
  for (const end of ends) lines.push(`run ${end}`);
  const subject = `gateway-janitor: ${verb} ${deleted.length}, failed ${failed.length} (${first.trigger}, ${how})`;
  return { subject, message: `${lines.join('\n')}\n` };
}

function describe(r: AuditRecord): string {
  if (r.deploymentId) return `deployment ${r.deploymentName ?? '?'} ${r.deploymentId}`;
  const who = r.requestedBy ? `, requested by ${r.requestedBy}` : '';
  return `${r.gatewayName ?? '?'} ${r.gatewayId ?? r.sqsMessageId ?? ''}${who}`.trim();
}

/** What each event is to the people told about a run (the events table, vocabulary.ts). */
function noticeOf(event: AuditEvent): NoticeRole | undefined {
  const facts: EventFacts = EVENTS[event];
  return facts.notice;
}
