import { GATEWAY_ID } from '../model.ts';
import type {
  BudgetSlot,
  Control,
  Exemption,
  ItemKey,
  Lease,
  Notice,
  ReadStats,
  RegistrySnapshot,
  StoredItem,
} from '../registry-port.ts';
import { parseRfc3339 } from '../time.ts';

// Times are stored as ISO strings, readable in the console and ordered as strings (the
// budget's condition compares them); the TTL attribute `purgeAt` is epoch seconds, as
// DynamoDB's TTL wants, and only housekeeping: the janitor never waits for it
// (docs/contract.md "The registry").
const DAY_MS = 86_400_000;
/** How long an item outlives the time that makes it irrelevant, before TTL may purge it. */
export const PURGE_GRACE_MS = 30 * DAY_MS;

const GATEWAY_PREFIX = 'gateway#';
/** The sort keys of a gateway's items. */
export const KIND = { lease: 'lease', exemption: 'exemption', notice: 'notice' } as const;
type GatewayKind = (typeof KIND)[keyof typeof KIND];

/** The control item's key. */
export const CONTROL_KEY: ItemKey = { pk: 'control', sk: 'control' };
/** The budget slots' partition. */
export const BUDGET_PK = 'budget';

/** The key of one of a gateway's items. */
export function gatewayKey(gatewayId: string, kind: GatewayKind): ItemKey {
  return { pk: `${GATEWAY_PREFIX}${gatewayId.toLowerCase()}`, sk: kind };
}

/** The key of budget slot `index`. */
export function slotKey(index: number): ItemKey {
  return { pk: BUDGET_PK, sk: `slot#${String(index).padStart(6, '0')}` };
}

/** The gateway id of a gateway item's key, or undefined for any other key. */
export function gatewayIdOf(item: ItemKey): string | undefined {
  if (!item.pk.startsWith(GATEWAY_PREFIX)) return undefined;
  const id = item.pk.slice(GATEWAY_PREFIX.length);
  return GATEWAY_ID.test(id) ? id : undefined;
}

/** The slot index of a budget item, or undefined. */
export function slotIndexOf(item: ItemKey): number | undefined {
  const m = item.pk === BUDGET_PK ? /^slot#(\d{6})$/.exec(item.sk) : null;
  return m ? Number(m[1]) : undefined;
}

const iso = (ms: number) => new Date(ms).toISOString();
const purgeAt = (ms: number) => Math.floor((ms + PURGE_GRACE_MS) / 1000);

function optional(item: Record<string, unknown>): Record<string, string | number | boolean> {
  return Object.fromEntries(Object.entries(item).filter(([, v]) => v !== undefined)) as Record<
    string,
    string | number | boolean
  >;
}

/** A lease as stored. */
export function encodeLease(lease: Lease): StoredItem {
  return {
    ...gatewayKey(lease.gatewayId, KIND.lease),
    ...optional({
      gatewayId: lease.gatewayId,
      expiresAt: iso(lease.expiresAt),
      owner: lease.owner,
      purpose: lease.purpose,
      createdBy: lease.createdBy,
      name: lease.identity.name,
      createdAt: lease.identity.createdAt === undefined ? undefined : iso(lease.identity.createdAt),
      unlistedSince: lease.unlistedSince === undefined ? undefined : iso(lease.unlistedSince),
      version: lease.version,
      purgeAt: purgeAt(lease.expiresAt),
    }),
  };
}

/** An exemption as stored. */
export function encodeExemption(exemption: Exemption): StoredItem {
  return {
    ...gatewayKey(exemption.gatewayId, KIND.exemption),
    gatewayId: exemption.gatewayId,
    until: iso(exemption.until),
    reason: exemption.reason,
    setBy: exemption.setBy,
    version: exemption.version,
    purgeAt: purgeAt(exemption.until),
  };
}

/** A notice as stored. */
export function encodeNotice(notice: Notice): StoredItem {
  return {
    ...gatewayKey(notice.gatewayId, KIND.notice),
    gatewayId: notice.gatewayId,
    owner: notice.owner,
    noticedAt: iso(notice.noticedAt),
    deleteAfter: iso(notice.deleteAfter),
    forDeletionAt: iso(notice.forDeletionAt),
    version: notice.version,
    purgeAt: purgeAt(notice.deleteAfter),
  };
}

/** The control item as stored; it is never purged. */
export function encodeControl(control: Control): StoredItem {
  return {
    ...CONTROL_KEY,
    ...optional({
      paused: control.paused,
      until: control.until === undefined ? undefined : iso(control.until),
      reason: control.reason,
      by: control.by,
      at: iso(control.at),
      version: control.version,
    }),
  };
}

/** A budget slot's claim, as `claimSlot` writes it. */
export function encodeSlotUse(usedAt: number, by: string) {
  return { usedAt: iso(usedAt), by, purgeAt: purgeAt(usedAt + DAY_MS) };
}

const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
const time = (v: unknown) => (typeof v === 'string' ? parseRfc3339(v) : undefined);
const version = (v: unknown) =>
  typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : undefined;

/** A stored lease, or undefined when malformed. */
export function decodeLease(item: StoredItem, gatewayId: string): Lease | undefined {
  const expiresAt = time(item.expiresAt);
  const owner = text(item.owner);
  const name = text(item.name);
  const v = version(item.version);
  if (expiresAt === undefined || !owner || !name || v === undefined) return undefined;
  const createdAt = time(item.createdAt);
  const unlistedSince = time(item.unlistedSince);
  if (item.createdAt !== undefined && createdAt === undefined) return undefined;
  return {
    gatewayId,
    expiresAt,
    owner,
    ...(text(item.purpose) ? { purpose: item.purpose as string } : {}),
    ...(text(item.createdBy) ? { createdBy: item.createdBy as string } : {}),
    identity: { name, ...(createdAt === undefined ? {} : { createdAt }) },
    ...(unlistedSince === undefined ? {} : { unlistedSince }),
    version: v,
  };
}

/** A stored exemption, or undefined when malformed. */
export function decodeExemption(item: StoredItem, gatewayId: string): Exemption | undefined {
  const until = time(item.until);
  const reason = text(item.reason);
  const setBy = text(item.setBy);
  const v = version(item.version);
  if (until === undefined || !reason || !setBy || v === undefined) return undefined;
  return { gatewayId, until, reason, setBy, version: v };
}

/** A stored notice, or undefined when malformed. */
export function decodeNotice(item: StoredItem, gatewayId: string): Notice | undefined {
  const owner = text(item.owner);
  const noticedAt = time(item.noticedAt);
  const deleteAfter = time(item.deleteAfter);
  const forDeletionAt = time(item.forDeletionAt);
  const v = version(item.version);
  if (
    !owner ||
    noticedAt === undefined ||
    deleteAfter === undefined ||
    forDeletionAt === undefined ||
    v === undefined
  ) {
    return undefined;
  }
  return { gatewayId, owner, noticedAt, deleteAfter, forDeletionAt, version: v };
}

/** The stored control item, or undefined when malformed. */
export function decodeControl(item: StoredItem): Control | undefined {
  const at = time(item.at);
  const until = time(item.until);
  const v = version(item.version);
  if (typeof item.paused !== 'boolean' || at === undefined || v === undefined) return undefined;
  if (item.until !== undefined && until === undefined) return undefined;
  return {
    paused: item.paused,
    ...(until === undefined ? {} : { until }),
    reason: typeof item.reason === 'string' ? item.reason : '',
    by: typeof item.by === 'string' ? item.by : '',
    at,
    version: v,
  };
}

/** A stored budget slot; one whose `usedAt` cannot be read never counts as free. */
export function decodeSlot(item: StoredItem, index: number): BudgetSlot {
  if (item.usedAt === undefined) return { index };
  const usedAt = time(item.usedAt) ?? Number.POSITIVE_INFINITY;
  return { index, usedAt, ...(typeof item.by === 'string' ? { by: item.by } : {}) };
}

/** A gateway's item, decoded. */
export type GatewayItem =
  | { kind: 'lease'; value: Lease }
  | { kind: 'exemption'; value: Exemption }
  | { kind: 'notice'; value: Notice };

/** A gateway's item decoded; undefined when malformed, null for a kind this version ignores. */
export function decodeGatewayItem(
  item: StoredItem,
  gatewayId: string,
): GatewayItem | undefined | null {
  const wrap = <K extends GatewayItem['kind']>(
    kind: K,
    value: Extract<GatewayItem, { kind: K }>['value'] | undefined,
  ) => (value === undefined ? undefined : ({ kind, value } as GatewayItem));
  if (item.sk === KIND.lease) return wrap('lease', decodeLease(item, gatewayId));
  if (item.sk === KIND.exemption) return wrap('exemption', decodeExemption(item, gatewayId));
  if (item.sk === KIND.notice) return wrap('notice', decodeNotice(item, gatewayId));
  return null;
}

/** Everything one scan read, sorted by kind; what cannot be read is named, never dropped. */
export function decodeSnapshot(items: readonly StoredItem[], stats: ReadStats): RegistrySnapshot {
  const leases = new Map<string, Lease>();
  const exemptions = new Map<string, Exemption>();
  const notices = new Map<string, Notice>();
  const unreadable = new Set<string>();
  const budget: BudgetSlot[] = [];
  let control: Control | undefined;
  let controlReadable = true;
  for (const item of items) {
    const gatewayId = gatewayIdOf(item);
    if (gatewayId !== undefined) {
      const decoded = decodeGatewayItem(item, gatewayId);
      if (decoded === undefined) unreadable.add(gatewayId);
      else if (decoded?.kind === 'lease') leases.set(gatewayId, decoded.value);
      else if (decoded?.kind === 'exemption') exemptions.set(gatewayId, decoded.value);
      else if (decoded?.kind === 'notice') notices.set(gatewayId, decoded.value);
      continue;
    }
    if (item.pk === CONTROL_KEY.pk && item.sk === CONTROL_KEY.sk) {
      control = decodeControl(item);
      controlReadable = control !== undefined;
      continue;
    }
    const index = slotIndexOf(item);
    if (index !== undefined) budget.push(decodeSlot(item, index));
  }
  return { leases, exemptions, notices, control, controlReadable, budget, unreadable, stats };
}
