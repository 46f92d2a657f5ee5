import { RegistryError } from '#core/errors';
import { createRegistry } from '#core/registry/create-registry';
import type {
  Expect,
  ItemKey,
  Registry,
  RegistryCaps,
  RegistryStore,
  StoredItem,
} from '#core/registry-port';

const keyOf = (key: ItemKey) => `${key.pk}\u0000${key.sk}`;

function holds(item: StoredItem | undefined, expect: Expect | 'present'): boolean {
  if (expect === 'absent') return item === undefined;
  if (expect === 'present') return item !== undefined;
  return item !== undefined && item.version === expect.version;
}

/**
 * The registry's store in process memory, with DynamoDB's conditional semantics: each
 * primitive checks and writes in one synchronous step, as DynamoDB does per item. Used by
 * `--simulate`, `npm start` and the use-case tests; `fail` makes it unreachable.
 */
export class MemoryRegistryStore implements RegistryStore {
  readonly #items = new Map<string, StoredItem>();
  /** Set to make every call fail with REGISTRY_UNAVAILABLE, as an unreachable table would. */
  unavailable = false;

  /** A copy of every stored item, for assertions. */
  items(): StoredItem[] {
    return [...this.#items.values()].map((item) => ({ ...item }));
  }

  /** Writes an item without any condition, as a tool outside the janitor might. */
  inject(item: StoredItem): void {
    this.#items.set(keyOf(item), { ...item });
  }

  async scan() {
    this.#check();
    const items = this.items();
    return { items, stats: { items: items.length, pages: 1, readUnits: 0 } };
  }

  async query(pk: string) {
    this.#check();
    return this.items().filter((item) => item.pk === pk);
  }

  async get(key: ItemKey) {
    this.#check();
    const item = this.#items.get(keyOf(key));
    return item ? { ...item } : undefined;
  }

  async put(item: StoredItem, expect: Expect) {
    this.#check();
    if (!holds(this.#items.get(keyOf(item)), expect)) return false;
    this.#items.set(keyOf(item), { ...item });
    return true;
  }

  async delete(key: ItemKey, expect: Expect | 'present') {
    this.#check();
    if (expect === 'absent' || !holds(this.#items.get(keyOf(key)), expect)) return false;
    return this.#items.delete(keyOf(key));
  }

  async claimSlot(
    key: ItemKey,
    values: { usedAt: string; by: string; purgeAt: number },
    freeBefore: string,
  ) {
    this.#check();
    const current = this.#items.get(keyOf(key));
    const usedAt = current?.usedAt;
    if (usedAt !== undefined && !(typeof usedAt === 'string' && usedAt < freeBefore)) return false;
    this.#items.set(keyOf(key), { ...current, ...key, ...values });
    return true;
  }

  #check(): void {
    if (this.unavailable) {
      throw new RegistryError('REGISTRY_UNAVAILABLE', 'registry (memory): made unavailable');
    }
  }
}

/** An in-memory registry and its store (for tests to inspect or break). */
export function createMemoryRegistry(caps?: RegistryCaps): {
  registry: Registry;
  store: MemoryRegistryStore;
} {
  const store = new MemoryRegistryStore();
  return { registry: createRegistry(store, caps), store };
}
