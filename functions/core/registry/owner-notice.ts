import { buildOwnerNotice, type NoticedGateway, type OwnerNotice } from '../audit/notice.ts';
import type { GatewayOutcome } from '../audit/record.ts';
import type { RunRecorder } from '../audit/recorder.ts';
import { JanitorError } from '../errors.ts';
import { mapBounded } from '../map-bounded.ts';
import type { Gateway } from '../model.ts';
import type { Policy } from '../policy/compile-policy.ts';
import type { Verdict } from '../policy/evaluate-gateway.ts';
import type { Exemption, Expect, Notice, Registry, RegistrySnapshot } from '../registry-port.ts';
import { noticeStep, resolveOwner, ruleDeletionAt } from './registry-verdict.ts';

/** Where owners' messages go (the notices topic); `publish` throws when one was not accepted. */
export interface OwnerNoticePublisher {
  publish(notice: OwnerNotice): Promise<void>;
}

/** One gateway the notice gate looks at: its deletion time D, its owner, what set D. */
export interface NoticeCandidate {
  gatewayId: string;
  name: string;
  deletionAt: number;
  owner: string;
  /** the rule whose maxAge set D; undefined when a lease set it */
  ruleId?: string;
  /** the plan would delete it now; false: D lies ahead, and the owner may only be told */
  due: boolean;
}

/**
 * What notice makes of one candidate this run: `delete` (told for this D, `deleteAfter` passed),
 * `not_yet` (D further ahead than `before`), `noticed` (told now and recorded), `pending` (told
 * earlier, a dry run, or left out at SNS's size limit), `failed` (not published or recorded).
 */
export type NoticeFate =
  | { fate: 'delete' }
  | { fate: 'not_yet' }
  | { fate: 'noticed'; owner: string; deleteAfter: number }
  | { fate: 'pending'; owner: string; deleteAfter?: number }
  | { fate: 'failed'; owner: string; error: unknown };

/** The gate's input; without a `publisher` (no notices topic) every notice fails. */
export interface NoticeGateInput {
  candidates: readonly NoticeCandidate[];
  notices: ReadonlyMap<string, Notice>;
  exemptions: ReadonlyMap<string, Exemption>;
  beforeMs: number;
  now: number;
  dryRun: boolean;
  registry: Pick<Registry, 'recordNotice'>;
  publisher: OwnerNoticePublisher | undefined;
  /** asked before each owner's message; false once the run is out of time */
  mayStart?: () => boolean;
}

// Owners' messages go out a few at a time: each is one Publish, and a run has few owners.
const PUBLISH_CONCURRENCY = 4;

/**
 * The notice a deletion at D may rely on: one made for this D, with no exemption in force
 * after it was given (a `keep` moves the deletion later, so it voids the notice even when
 * the rule's D is unchanged; docs/contract.md "Notice before deletion").
 */
export function validNotice(
  notice: Notice | undefined,
  exemption: Exemption | undefined,
): Notice | undefined {
  if (!notice) return undefined;
  if (exemption && exemption.until > notice.noticedAt) return undefined;
  return notice;
}

/**
 * Notice before deletion (docs/contract.md): a gateway is deleted only after its owner was
 * told, at least `before` earlier, for the deletion time it now has. Owners whose gateways
 * come within `before` get one message each; the notices are recorded only after the
 * message was accepted, so a record never claims a notice no one received. A message or a
 * record that fails keeps its gateways (`failed`). A dry run publishes and records nothing.
 */
export async function gateOnNotice(input: NoticeGateInput): Promise<Map<string, NoticeFate>> {
  const fates = new Map<string, NoticeFate>();
  const toTell = new Map<string, { candidate: NoticeCandidate; deleteAfter: number }[]>();
  for (const candidate of input.candidates) {
    const key = candidate.gatewayId.toLowerCase();
    const notice = validNotice(input.notices.get(key), input.exemptions.get(key));
    const step = noticeStep(candidate.deletionAt, notice, input.beforeMs, input.now);
    const id = candidate.gatewayId;
    if (step.step === 'delete') fates.set(id, { fate: candidate.due ? 'delete' : 'not_yet' });
    else if (step.step === 'not_yet') fates.set(id, { fate: 'not_yet' });
    else if (step.step === 'wait' || input.dryRun) {
      const owner = notice?.owner ?? candidate.owner;
      fates.set(id, { fate: 'pending', owner, deleteAfter: step.deleteAfter });
    } else {
      const list = toTell.get(candidate.owner) ?? [];
      list.push({ candidate, deleteAfter: step.deleteAfter });
      toTell.set(candidate.owner, list);
    }
  }
  await mapBounded(
    [...toTell],
    PUBLISH_CONCURRENCY,
    async ([owner, told]) => {
      for (const [id, fate] of await tellOwner(owner, told, input)) fates.set(id, fate);
    },
    input.mayStart,
    ([owner, told]) => {
      const error = unpublished('notice not published: out of time');
      for (const { candidate } of told)
        fates.set(candidate.gatewayId, { fate: 'failed', owner, error });
    },
  );
  return fates;
}

/** Publishes one owner's message, then records a notice for each gateway it named. */
async function tellOwner(
  owner: string,
  told: readonly { candidate: NoticeCandidate; deleteAfter: number }[],
  input: NoticeGateInput,
): Promise<Map<string, NoticeFate>> {
  const fates = new Map<string, NoticeFate>();
  const gateways: NoticedGateway[] = told.map(({ candidate, deleteAfter }) => ({
    gatewayId: candidate.gatewayId,
    name: candidate.name,
    deleteAfter,
    ...(candidate.ruleId === undefined ? {} : { ruleId: candidate.ruleId }),
  }));
  const message = buildOwnerNotice(owner, gateways);
  // Whatever a message at SNS's size limit could not name is told next run.
  const named = new Set(message.named);
  try {
    if (!input.publisher) throw unpublished('notice not published: NOTICE_TOPIC_ARN is not set');
    await input.publisher.publish(message);
  } catch (error) {
    for (const { candidate } of told)
      fates.set(candidate.gatewayId, { fate: 'failed', owner, error });
    return fates;
  }
  for (const { candidate, deleteAfter } of told) {
    const id = candidate.gatewayId;
    if (!named.has(id)) {
      fates.set(id, candidate.due ? { fate: 'pending', owner } : { fate: 'not_yet' });
      continue;
    }
    fates.set(id, await recordOne(candidate, owner, deleteAfter, input));
  }
  return fates;
}

async function recordOne(
  candidate: NoticeCandidate,
  owner: string,
  deleteAfter: number,
  input: NoticeGateInput,
): Promise<NoticeFate> {
  const stored = input.notices.get(candidate.gatewayId.toLowerCase());
  const expect: Expect = stored ? { version: stored.version } : 'absent';
  try {
    const recorded = await input.registry.recordNotice(
      {
        gatewayId: candidate.gatewayId,
        owner,
        noticedAt: input.now,
        deleteAfter,
        forDeletionAt: candidate.deletionAt,
      },
      expect,
    );
    if (recorded) return { fate: 'noticed', owner, deleteAfter };
    const error = unpublished('notice not recorded: the registry item changed meanwhile');
    return { fate: 'failed', owner, error };
  } catch (error) {
    return { fate: 'failed', owner, error };
  }
}

const unpublished = (message: string) => new JanitorError('NOTICE_UNPUBLISHED', message);

/** One planned gateway as the gate reads it; D and the owner when the plan already knows them. */
export interface NoticeEntry {
  gateway: Pick<Gateway, 'id' | 'name' | 'organizationId'>;
  verdict: Pick<
    Verdict,
    'action' | 'reason' | 'ruleId' | 'ageMs' | 'maxAgeMs' | 'deletionAt' | 'owner' | 'decidedBy'
  >;
}

/** What the sweep gives the gate: the plan's policy, the registry and its snapshot, the topic. */
export interface NoticeDeps {
  policy: Pick<Policy, 'rules' | 'notice'>;
  registry?: Pick<Registry, 'recordNotice'>;
  snapshot?: Pick<RegistrySnapshot, 'leases' | 'notices' | 'exemptions'>;
  notices?: OwnerNoticePublisher;
  dryRun: boolean;
  now: number;
  mayStart?: () => boolean;
}

/** What the gate leaves the sweep: which expired gateways may go now, what goes within 24 h. */
export interface NoticeGate {
  mayDelete(gatewayId: string): boolean;
  expiringWithin24h: number;
}

const DAY_MS = 86_400_000;

/** A gateway's deletion time D and owner: the plan's when it has them, else the rule's and the lease's. */
export function noticeCandidates(
  entries: readonly NoticeEntry[],
  deps: Pick<NoticeDeps, 'policy' | 'snapshot' | 'now'>,
): NoticeCandidate[] {
  const defaultOwner = deps.policy.notice?.defaultOwner ?? '';
  return entries.flatMap(({ gateway, verdict }) => {
    const due = verdict.action === 'delete';
    // Not due yet, or due but held by its deployments: its owner may be told all the same.
    if (!due && verdict.reason !== 'too_young' && verdict.reason !== 'has_deployments') return [];
    const lease = deps.snapshot?.leases.get(gateway.id.toLowerCase());
    const deletionAt = verdict.deletionAt ?? ruleDeletionAt(verdict, deps.now);
    if (deletionAt === undefined) return [];
    const ruleOwner = deps.policy.rules.find((rule) => rule.id === verdict.ruleId)?.owner;
    const owner =
      verdict.owner ??
      resolveOwner({
        ...(lease ? { lease } : {}),
        ...(ruleOwner ? { ruleOwner } : {}),
        defaultOwner,
      }).owner;
    return [
      {
        gatewayId: gateway.id,
        name: gateway.name,
        deletionAt,
        owner,
        due,
        ...(verdict.decidedBy === 'lease' || verdict.ruleId === undefined
          ? {}
          : { ruleId: verdict.ruleId }),
      },
    ];
  });
}

/**
 * Step 4 of the sweep (docs/contract.md "Notice before deletion"): with notice on, holds
 * back each expired gateway its owner has not been told about for its current deletion
 * time, tells the owners, and records each outcome: `gateway.noticed`, or `gateway.skipped`
 * with `notice_pending` or `notice_failed`. With notice off, every expired gateway may go.
 */
export async function holdForNotice(
  entries: readonly NoticeEntry[],
  deps: NoticeDeps,
  recorder: RunRecorder,
): Promise<NoticeGate> {
  const candidates = noticeCandidates(entries, deps);
  const notice = deps.policy.notice;
  if (!notice) return { mayDelete: () => true, expiringWithin24h: countExpiring(entries, deps) };
  const fates = await gateOnNotice({
    candidates,
    notices: deps.snapshot?.notices ?? new Map(),
    exemptions: deps.snapshot?.exemptions ?? new Map(),
    beforeMs: notice.beforeMs,
    now: deps.now,
    dryRun: deps.dryRun,
    // Notice needs the registry (config refuses it otherwise): without one, nothing is recorded.
    registry: deps.registry ?? { recordNotice: async () => false },
    publisher: deps.notices,
    ...(deps.mayStart ? { mayStart: deps.mayStart } : {}),
  });
  const byId = new Map(entries.map((entry) => [entry.gateway.id, entry]));
  for (const candidate of candidates) {
    const fate = fates.get(candidate.gatewayId);
    const entry = byId.get(candidate.gatewayId);
    if (!fate || !entry) continue;
    const outcome = noticeOutcome(entry, candidate, fate);
    if (outcome) recorder.outcome(outcome);
  }
  return {
    mayDelete: (id) => fates.get(id)?.fate === 'delete',
    expiringWithin24h: countWithin(candidates, fates, deps.now),
  };
}

function noticeOutcome(
  entry: NoticeEntry,
  candidate: NoticeCandidate,
  fate: NoticeFate,
): GatewayOutcome | undefined {
  if (fate.fate === 'delete' || fate.fate === 'not_yet') return undefined;
  if (fate.fate === 'pending' && !candidate.due) return undefined;
  const { ruleId } = entry.verdict;
  const after = 'deleteAfter' in fate ? fate.deleteAfter : undefined;
  const fields = {
    gatewayId: entry.gateway.id,
    gateway: entry.gateway,
    owner: fate.owner,
    ...(ruleId === undefined ? {} : { ruleId }),
    ...(after === undefined ? {} : { deleteAfter: new Date(after).toISOString() }),
  };
  if (fate.fate === 'failed')
    return { event: 'gateway.skipped', ...fields, reason: 'notice_failed', error: fate.error };
  const event = fate.fate === 'noticed' ? 'gateway.noticed' : 'gateway.skipped';
  return { event, ...fields, reason: 'notice_pending' };
}

/**
 * Who would be told about each gateway the plan will delete, and the earliest time it
 * would go: D, or a notice's later `deleteAfter` (valid, or the one a notice given now
 * would set). For `plan`, which tells no one and writes nothing.
 */
export function forecastDeletions(
  entries: readonly NoticeEntry[],
  deps: Pick<NoticeDeps, 'policy' | 'snapshot' | 'now'>,
): Map<string, { owner: string; deletesAfter: number }> {
  const forecast = new Map<string, { owner: string; deletesAfter: number }>();
  for (const candidate of noticeCandidates(entries, deps)) {
    const key = candidate.gatewayId.toLowerCase();
    const notice = validNotice(deps.snapshot?.notices.get(key), deps.snapshot?.exemptions.get(key));
    const before = deps.policy.notice?.beforeMs;
    const step =
      before === undefined ? undefined : noticeStep(candidate.deletionAt, notice, before, deps.now);
    const later = step && 'deleteAfter' in step ? step.deleteAfter : notice?.deleteAfter;
    const deletesAfter = Math.max(candidate.deletionAt, later ?? 0);
    forecast.set(candidate.gatewayId, { owner: notice?.owner ?? candidate.owner, deletesAfter });
  }
  return forecast;
}

/** How many of the plan's gateways go within 24 hours, at D (a run that tells no one). */
export function countExpiring(
  entries: readonly NoticeEntry[],
  deps: Pick<NoticeDeps, 'policy' | 'snapshot' | 'now'>,
): number {
  return countWithin(noticeCandidates(entries, deps), new Map(), deps.now);
}

/** How many gateways go within 24 hours: at D, or at a notice's later `deleteAfter`. */
function countWithin(
  candidates: readonly NoticeCandidate[],
  fates: ReadonlyMap<string, NoticeFate>,
  now: number,
): number {
  return candidates.filter((candidate) => {
    const fate = fates.get(candidate.gatewayId);
    const after = fate && 'deleteAfter' in fate ? fate.deleteAfter : undefined;
    return Math.max(candidate.deletionAt, after ?? 0) <= now + DAY_MS;
  }).length;
}
