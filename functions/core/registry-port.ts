/**
 * The registry port: what people say about gateways (leases, exemptions), what the janitor
 * told them (notices), the pause switch and the rolling deletion budget
 * (docs/contract.md "The registry"). All times are epoch milliseconds.
 */

/** The identity a lease was made for: a live gateway that differs is kept (`lease_mismatch`). */
export interface LeaseIdentity {
  name: string;
  /** the gateway's createdAt when it already existed */
  createdAt?: number;
}

/** When one gateway expires, and who answers for it. */
export interface Lease {
  gatewayId: string;
  expiresAt: number;
  owner: string;
  purpose?: string;
  createdBy?: string;
  identity: LeaseIdentity;
  /** when the sweep first found the gateway unlisted; absent while it is listed */
  unlistedSince?: number;
  /** bumped by every write; the condition of the next one */
  version: number;
}

/** Keeps one gateway until a time; it lapses by itself. */
export interface Exemption {
  gatewayId: string;
  until: number;
  reason: string;
  setBy: string;
  version: number;
}

/** That a gateway's owner was told; valid only for the deletion time it was made for. */
export interface Notice {
  gatewayId: string;
  owner: string;
  noticedAt: number;
  deleteAfter: number;
  /** the deletion time D the notice announced: a later D voids it */
  forDeletionAt: number;
  version: number;
}

/** The pause switch. */
export interface Control {
  paused: boolean;
  until?: number;
  reason: string;
  by: string;
  at: number;
  version: number;
}

/** One unit of the rolling budget: free again 24 hours after `usedAt`. */
export interface BudgetSlot {
  index: number;
  usedAt?: number;
  by?: string;
}

/** Everything a sweep needs, from one paginated read. */
export interface RegistrySnapshot {
  leases: ReadonlyMap<string, Lease>;
  exemptions: ReadonlyMap<string, Exemption>;
  notices: ReadonlyMap<string, Notice>;
  /** undefined: never paused or resumed */
  control: Control | undefined;
  /** false when the control item exists but cannot be read: count it as paused */
  controlReadable: boolean;
  budget: readonly BudgetSlot[];
  /** gateways with an item this version cannot read: keep them (unknown means keep) */
  unreadable: ReadonlySet<string>;
  stats: ReadStats;
}

/** What the registry holds for one gateway; `unreadable` when an item cannot be read. */
export interface GatewayEntries {
  lease?: Lease;
  exemption?: Exemption;
  notice?: Notice;
  unreadable: boolean;
}

/** What a read cost. */
export interface ReadStats {
  items: number;
  pages: number;
  /** DynamoDB read capacity units consumed; 0 in memory */
  readUnits: number;
}

/** The condition of a write: the item must not exist, or must still be this version. */
export type Expect = 'absent' | { version: number };

/** A change and what it replaced, for the audit record. */
export interface Change<T> {
  current: T;
  previous: T | undefined;
}

/** A new lease (`lease set`, or a future-dated teardown request). */
export type LeaseInput = Pick<
  Lease,
  'gatewayId' | 'expiresAt' | 'owner' | 'purpose' | 'createdBy' | 'identity'
>;

/** How `lease extend` moves the expiry: by a duration, or to a later time. */
export type Extension = { byMs: number } | { until: number };

/** A new exemption (`keep`). */
export interface ExemptionInput {
  gatewayId: string;
  until: number;
  reason: string;
  setBy: string;
}

/** A notice to record (`gateway.noticed`). */
export type NoticeInput = Omit<Notice, 'version'>;

/** `pause`: until a time, or until `resume`. */
export interface PauseInput {
  until?: number;
  reason: string;
  by: string;
}

/** What `takeBudget` got: units taken now, how many it believes are left, its updated view. */
export interface BudgetTake {
  taken: number;
  left: number;
  /** the slots as this call left them: pass as `known` to the next take */
  view: BudgetSlot[];
}

/** How far ahead leases and exemptions may reach (policy `leases.maxTtl`, `leases.maxKeep`). */
export interface RegistryCaps {
  maxTtlMs: number;
  maxKeepMs: number;
}

/** What the last sweep or teardown run did, as `gateway-janitor status` shows it. */
export interface LastRun {
  kind: 'sweep' | 'teardown';
  runId: string;
  trigger: string;
  dryRun: boolean;
  /** when the run finished */
  at: number;
  /** the `run.summary` reason: completed, aborted, truncated or stopped */
  outcome: string;
  /** gateways deleted, or that would have been in a dry run */
  deleted: number;
  /** deletions that failed */
  failed: number;
  /** why it stopped early, when it did (e.g. `registry_unavailable`) */
  reason?: string;
  version: number;
}

/** A run to record. */
export type LastRunInput = Omit<LastRun, 'version'>;

/** The last-run records: one per function, never purged (docs/contract.md "The registry"). */
export interface LastRunRecords {
  /** Records a finished run unless a later one is stored already; false then. */
  recordLastRun(run: LastRunInput): Promise<boolean>;
  /** The last run of each function that has recorded one, latest first. */
  readLastRuns(): Promise<LastRun[]>;
}

/**
 * The registry. Every write is conditional; a lost race is retried a bounded number of
 * times, then fails with REGISTRY_CONFLICT; an unreadable or unwritable store fails with
 * REGISTRY_UNAVAILABLE; bad input with a ValidationError naming the field.
 */
export interface Registry extends LastRunRecords {
  /** One consistent, paginated read of every item. */
  snapshot(): Promise<RegistrySnapshot>;
  /** One gateway's lease, exemption and notice (one strongly consistent query). */
  readGateway(gatewayId: string): Promise<GatewayEntries>;
  /** The control item alone (one strongly consistent read); undefined when never written. */
  readControl(): Promise<{ control: Control | undefined; readable: boolean }>;
  /** The budget's slots alone (one strongly consistent query), for `status`. */
  readBudget(): Promise<BudgetSlot[]>;

  /** Creates or replaces a lease; `expiresAt` in (now, now + maxTtl]. */
  setLease(input: LeaseInput, now: number): Promise<Change<Lease>>;
  /** Moves an existing lease's expiry later; never creates one (REGISTRY_NOT_FOUND). */
  extendLease(gatewayId: string, extension: Extension, now: number): Promise<Change<Lease>>;
  /** Removes a lease; with `expect`, only if it is still that version. */
  releaseLease(gatewayId: string, expect?: Expect): Promise<Lease | undefined>;
  /** Records when a lease's gateway went unlisted (undefined: listed again); false if changed. */
  markUnlisted(gatewayId: string, since: number | undefined, expect: Expect): Promise<boolean>;

  /** Creates or replaces an exemption; `until` in (now, now + maxKeep]. */
  keep(input: ExemptionInput, now: number): Promise<Change<Exemption>>;
  /** Removes an exemption; undefined when there was none. */
  unkeep(gatewayId: string): Promise<Exemption | undefined>;

  /** Records a notice if the stored one is still as the caller saw it; false if not. */
  recordNotice(input: NoticeInput, expect: Expect): Promise<boolean>;
  /** Removes a notice (its gateway is gone); with `expect`, only if still that version. */
  removeNotice(gatewayId: string, expect?: Expect): Promise<boolean>;

  /** Pauses deletion until `until` or `resume`. */
  pause(input: PauseInput, now: number): Promise<Change<Control>>;
  /** Lifts the pause. */
  resume(input: { by: string; reason?: string }, now: number): Promise<Change<Control>>;

  /**
   * Takes up to `n` units of a budget of `max` per rolling 24 hours, shared by every run;
   * `known` (a snapshot's budget) saves a read. Never over budget across concurrent takers.
   */
  takeBudget(
    n: number,
    now: number,
    max: number,
    options?: { known?: readonly BudgetSlot[]; by?: string },
  ): Promise<BudgetTake>;
}

/** One stored item as the table holds it: a key, an optional version, plain attributes. */
export interface StoredItem {
  pk: string;
  sk: string;
  [attribute: string]: string | number | boolean;
}

/** An item's key. */
export interface ItemKey {
  pk: string;
  sk: string;
}

/**
 * The few conditional primitives the registry is built on; DynamoDB and memory implement
 * them alike, so the registry's semantics live in one place (create-registry.ts). A
 * `false` answer is a condition that did not hold; any failure to reach the store throws
 * RegistryError REGISTRY_UNAVAILABLE.
 */
export interface RegistryStore {
  /** Every item, strongly consistent, all pages. */
  scan(): Promise<{ items: StoredItem[]; stats: ReadStats }>;
  /** Every item of one partition, strongly consistent. */
  query(pk: string): Promise<StoredItem[]>;
  /** One item, strongly consistent. */
  get(key: ItemKey): Promise<StoredItem | undefined>;
  /** Writes the item if `expect` holds (`version` attribute compared). */
  put(item: StoredItem, expect: Expect): Promise<boolean>;
  /** Deletes the item if it exists and `expect` holds; false otherwise. */
  delete(key: ItemKey, expect: Expect | 'present'): Promise<boolean>;
  /**
   * Sets `usedAt` (and `by`, `purgeAt`) on a budget slot if it has none or its `usedAt`
   * (an ISO string) is strictly before `freeBefore`: one conditional write, no read.
   */
  claimSlot(
    key: ItemKey,
    values: { usedAt: string; by: string; purgeAt: number },
    freeBefore: string,
  ): Promise<boolean>;
}
