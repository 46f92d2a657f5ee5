import type { Expect, ReadStats } from './registry.ts';

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
