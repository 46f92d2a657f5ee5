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

/** One gateway an owner is told about (docs/contract.md "Notice before deletion"). */
export interface NoticedGateway {
  gatewayId: string;
  name: string;
  /** the rule whose maxAge set the deletion time; undefined when a lease set it */
  ruleId?: string;
  /** epoch ms: the gateway is not deleted before this */
  deleteAfter: number;
}

/** The one message of a run for one owner: a subject, the text, and its chat form. */
export interface OwnerNotice {
  owner: string;
  subject: string;
  text: string;
  /** an AWS Chatbot custom notification (JSON), for chat subscriptions */
  chat: string;
  /** the ids the message names (soonest first), and how many it was about */
  named: string[];
  total: number;
}

// SNS takes at most 256 KB per message (attributes included). The message goes out as
// JSON holding the text and its chat form, which holds the text once more, escaped twice:
// what each gateway's lines cost in that envelope is counted, and the rest summed up.
const OWNER_NOTICE_MAX_BYTES = 200_000;
const MAX_NAME = 120;
const encoder = new TextEncoder();

/** Other people's text made safe to print: control, format and line-break characters become `?`. */
export function plainName(text: string, max = MAX_NAME): string {
  const flat = text.replace(/[\p{Cc}\p{Cf}\u2028\u2029]/gu, '?');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

function envelopeBytes(text: string): number {
  return (
    encoder.encode(JSON.stringify(text)).length +
    encoder.encode(JSON.stringify(JSON.stringify(text))).length
  );
}

/**
 * The message telling one owner which of their gateways go and when, soonest first, with
 * the exact commands to keep each one (a lease's gateway: `lease extend`; a rule's:
 * `lease set`, since extend never creates a lease; either: `keep`). Names come from other
 * people and are made plain; the list stops short of SNS's size limit ("and N more").
 */
export function buildOwnerNotice(
  owner: string,
  gateways: readonly NoticedGateway[],
  maxBytes = OWNER_NOTICE_MAX_BYTES,
): OwnerNotice {
  const who = plainName(owner, 200);
  const sorted = [...gateways].sort((a, b) => a.deleteAfter - b.deleteAfter);
  const count = `${sorted.length} gateway${sorted.length === 1 ? '' : 's'}`;
  const head = `gateway-janitor will delete ${count} of ${who}. Nothing goes before its "deleted after" time.\n`;
  const tail = [
    '',
    'Extending or keeping a gateway cancels its notice: a later deletion is told again.',
    'See what else expires soon: npx gateway-janitor plan --expiring 24h',
    '',
  ].join('\n');
  let used = envelopeBytes(head + tail) + 2_000;
  const blocks: string[] = [];
  for (const gateway of sorted) {
    const block = describeGateway(gateway, owner);
    const cost = envelopeBytes(block);
    if (used + cost > maxBytes) break;
    used += cost;
    blocks.push(block);
  }
  const more = sorted.length - blocks.length;
  const text = `${head}${blocks.join('')}${more > 0 ? `\n... and ${more} more\n` : ''}${tail}`;
  const subject = `gateway-janitor: ${count} of ${who} to be deleted`
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, 99);
  const chat = JSON.stringify({
    version: '1.0',
    source: 'custom',
    content: { title: subject, description: text },
    metadata: { additionalContext: { owner: who } },
  });
  const named = sorted.slice(0, blocks.length).map((gateway) => gateway.gatewayId);
  return { owner, subject, text, chat, named, total: sorted.length };
}

function describeGateway(gateway: NoticedGateway, owner: string): string {
  const { gatewayId: id } = gateway;
  const by = gateway.ruleId === undefined ? 'its lease' : `rule ${plainName(gateway.ruleId)}`;
  const longer =
    gateway.ruleId === undefined
      ? `npx gateway-janitor lease extend ${id} --by 1d`
      : `npx gateway-janitor lease set ${id} --ttl 1d --owner ${shellQuote(plainName(owner, 200))}`;
  return [
    '',
    `- ${plainName(gateway.name)} (${id})`,
    `  set by ${by}; deleted after ${new Date(gateway.deleteAfter).toISOString()}`,
    `  a day longer: ${longer}`,
    `  a week:       npx gateway-janitor keep ${id} --for 7d --reason 'still in use'`,
    '',
  ].join('\n');
}
