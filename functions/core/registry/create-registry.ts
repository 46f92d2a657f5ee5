import { RegistryError, ValidationError } from '../errors.ts';
import { GATEWAY_ID } from '../model.ts';
import type {
  BudgetSlot,
  Change,
  Expect,
  GatewayEntries,
  ItemKey,
  Lease,
  Registry,
  RegistryCaps,
  RegistrySnapshot,
  RegistryStore,
  StoredItem,
} from '../registry-port.ts';
import { lastRunRecords } from './control.ts';
import {
  BUDGET_PK,
  CONTROL_KEY,
  decodeControl,
  decodeExemption,
  decodeGatewayItem,
  decodeLease,
  decodeSlot,
  decodeSnapshot,
  encodeControl,
  encodeExemption,
  encodeLease,
  encodeNotice,
  encodeSlotUse,
  gatewayKey,
  KIND,
  slotIndexOf,
  slotKey,
} from './registry-codec.ts';
import { BUDGET_WINDOW_MS, budgetState, MAX_BUDGET } from './registry-verdict.ts';

/** How often a read-modify-write is tried before REGISTRY_CONFLICT. */
export const MAX_WRITE_ATTEMPTS = 5;
/** Default caps: 30 days each (docs/contract.md "The registry"). */
export const DEFAULT_CAPS: RegistryCaps = { maxTtlMs: 30 * 86_400_000, maxKeepMs: 30 * 86_400_000 };

const bad = (field: string, message: string) =>
  new ValidationError('INPUT_INVALID', field, message);

function gatewayIdFrom(id: string): string {
  if (!GATEWAY_ID.test(id)) throw bad('gatewayId', 'expected a gateway uuid');
  return id.toLowerCase();
}

function checkText(field: string, value: string | undefined, max: number, required: boolean) {
  if (value === undefined || value.trim() === '') {
    if (required) throw bad(field, 'required');
    return;
  }
  if (value.length > max) throw bad(field, `at most ${max} characters`);
  if (/\p{Cc}/u.test(value)) throw bad(field, 'control characters are not allowed');
}

function checkAhead(field: string, at: number, now: number, capMs: number, capName: string) {
  if (!Number.isFinite(at) || at <= now) throw bad(field, 'must lie in the future');
  if (at > now + capMs) throw bad(field, `more than ${capName} ahead`);
}

const nextVersion = (current: { version: number } | undefined) => (current?.version ?? 0) + 1;
const expectOf = (current: { version: number } | undefined): Expect =>
  current ? { version: current.version } : 'absent';

/** The registry's semantics over a store of conditional primitives (memory or DynamoDB). */
export function createRegistry(store: RegistryStore, caps: RegistryCaps = DEFAULT_CAPS): Registry {
  /** Reads, decides, writes conditionally; a lost race reads again, a bounded number of times. */
  async function change<T extends { version: number }>(
    key: ItemKey,
    decode: (item: StoredItem) => T | undefined,
    next: (current: T | undefined) => T,
    encode: (value: T) => StoredItem,
  ): Promise<Change<T>> {
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt += 1) {
      const stored = await store.get(key);
      const current = stored ? decode(stored) : undefined;
      if (stored && !current) {
        throw new RegistryError(
          'REGISTRY_UNAVAILABLE',
          `registry item ${key.pk} ${key.sk} is malformed`,
        );
      }
      const value = next(current);
      if (await store.put(encode(value), expectOf(current)))
        return { current: value, previous: current };
    }
    throw new RegistryError(
      'REGISTRY_CONFLICT',
      `registry item ${key.pk} ${key.sk} changed ${MAX_WRITE_ATTEMPTS} times while being written; try again`,
    );
  }

  async function remove<T>(
    key: ItemKey,
    decode: (item: StoredItem) => T | undefined,
  ): Promise<T | undefined> {
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt += 1) {
      const stored = await store.get(key);
      if (!stored) return undefined;
      const version = typeof stored.version === 'number' ? stored.version : undefined;
      if (version === undefined)
        throw new RegistryError(
          'REGISTRY_UNAVAILABLE',
          `registry item ${key.pk} ${key.sk} is malformed`,
        );
      if (await store.delete(key, { version })) return decode(stored);
    }
    throw new RegistryError(
      'REGISTRY_CONFLICT',
      `registry item ${key.pk} ${key.sk} kept changing; try again`,
    );
  }

  const readSlots = async (): Promise<BudgetSlot[]> =>
    (await store.query(BUDGET_PK)).flatMap((item) => {
      const index = slotIndexOf(item);
      return index === undefined ? [] : [decodeSlot(item, index)];
    });

  const leaseOf = (id: string) => (item: StoredItem) => decodeLease(item, id);
  const exemptionOf = (id: string) => (item: StoredItem) => decodeExemption(item, id);

  return {
    ...lastRunRecords(store),

    async snapshot(): Promise<RegistrySnapshot> {
      const { items, stats } = await store.scan();
      return decodeSnapshot(items, stats);
    },

    async readGateway(id) {
      const gatewayId = gatewayIdFrom(id);
      const entries: GatewayEntries = { unreadable: false };
      for (const item of await store.query(gatewayKey(gatewayId, KIND.lease).pk)) {
        const decoded = decodeGatewayItem(item, gatewayId);
        if (decoded === undefined) entries.unreadable = true;
        else if (decoded) Object.assign(entries, { [decoded.kind]: decoded.value });
      }
      return entries;
    },

    async readControl() {
      const stored = await store.get(CONTROL_KEY);
      if (!stored) return { control: undefined, readable: true };
      const control = decodeControl(stored);
      return { control, readable: control !== undefined };
    },

    readBudget: readSlots,

    async setLease(input, now) {
      const gatewayId = gatewayIdFrom(input.gatewayId);
      checkAhead('expiresAt', input.expiresAt, now, caps.maxTtlMs, 'leases.maxTtl');
      checkText('owner', input.owner, 200, true);
      checkText('purpose', input.purpose, 500, false);
      checkText('createdBy', input.createdBy, 200, false);
      checkText('identity.name', input.identity.name, 200, true);
      return change(
        gatewayKey(gatewayId, KIND.lease),
        leaseOf(gatewayId),
        (current) => ({
          gatewayId,
          expiresAt: input.expiresAt,
          owner: input.owner,
          ...(input.purpose?.trim() ? { purpose: input.purpose } : {}),
          ...(input.createdBy?.trim() ? { createdBy: input.createdBy } : {}),
          identity: { ...input.identity },
          version: nextVersion(current),
        }),
        encodeLease,
      );
    },

    async extendLease(id, extension, now) {
      const gatewayId = gatewayIdFrom(id);
      if ('byMs' in extension && !(Number.isFinite(extension.byMs) && extension.byMs > 0)) {
        throw bad('by', 'expected a positive duration');
      }
      return change(
        gatewayKey(gatewayId, KIND.lease),
        leaseOf(gatewayId),
        (current) => {
          if (!current) {
            throw new RegistryError(
              'REGISTRY_NOT_FOUND',
              `no lease for ${gatewayId}: use lease set`,
            );
          }
          // By D counts from the later of the expiry and now: an expired lease not yet swept
          // gets D from now, never a time already past.
          const expiresAt =
            'byMs' in extension
              ? Math.max(current.expiresAt, now) + extension.byMs
              : extension.until;
          const field = 'byMs' in extension ? 'by' : 'until';
          if (expiresAt <= current.expiresAt) throw bad(field, "not later than the lease's expiry");
          checkAhead(field, expiresAt, now, caps.maxTtlMs, 'leases.maxTtl');
          const { unlistedSince: _, ...rest } = current;
          return { ...rest, expiresAt, version: current.version + 1 };
        },
        encodeLease,
      );
    },

    async releaseLease(id, expect) {
      const gatewayId = gatewayIdFrom(id);
      const key = gatewayKey(gatewayId, KIND.lease);
      if (expect === undefined) return remove(key, leaseOf(gatewayId));
      const stored = await store.get(key);
      const lease = stored ? decodeLease(stored, gatewayId) : undefined;
      if (!lease || expect === 'absent' || lease.version !== expect.version) return undefined;
      return (await store.delete(key, expect)) ? lease : undefined;
    },

    async markUnlisted(id, since, expect) {
      const gatewayId = gatewayIdFrom(id);
      if (expect === 'absent') return false;
      const stored = await store.get(gatewayKey(gatewayId, KIND.lease));
      const lease = stored ? decodeLease(stored, gatewayId) : undefined;
      if (!lease || lease.version !== expect.version) return false;
      const { unlistedSince: _, ...rest } = lease;
      const next: Lease = {
        ...rest,
        ...(since === undefined ? {} : { unlistedSince: since }),
        version: lease.version + 1,
      };
      return store.put(encodeLease(next), expect);
    },

    async keep(input, now) {
      const gatewayId = gatewayIdFrom(input.gatewayId);
      checkAhead('until', input.until, now, caps.maxKeepMs, 'leases.maxKeep');
      checkText('reason', input.reason, 500, true);
      checkText('setBy', input.setBy, 200, true);
      return change(
        gatewayKey(gatewayId, KIND.exemption),
        exemptionOf(gatewayId),
        (current) => ({
          gatewayId,
          until: input.until,
          reason: input.reason,
          setBy: input.setBy,
          version: nextVersion(current),
        }),
        encodeExemption,
      );
    },

    async unkeep(id) {
      const gatewayId = gatewayIdFrom(id);
      return remove(gatewayKey(gatewayId, KIND.exemption), exemptionOf(gatewayId));
    },

    async recordNotice(input, expect) {
      const gatewayId = gatewayIdFrom(input.gatewayId);
      checkText('owner', input.owner, 200, true);
      if (input.deleteAfter < input.forDeletionAt)
        throw bad('deleteAfter', 'before the deletion time');
      const version = expect === 'absent' ? 1 : expect.version + 1;
      return store.put(encodeNotice({ ...input, gatewayId, version }), expect);
    },

    async removeNotice(id, expect) {
      const key = gatewayKey(gatewayIdFrom(id), KIND.notice);
      return store.delete(key, expect ?? 'present');
    },

    async pause(input, now) {
      if (input.until !== undefined && !(input.until > now))
        throw bad('until', 'must lie in the future');
      checkText('reason', input.reason, 500, true);
      checkText('by', input.by, 200, true);
      return change(
        CONTROL_KEY,
        decodeControl,
        (current) => ({
          paused: true,
          ...(input.until === undefined ? {} : { until: input.until }),
          reason: input.reason,
          by: input.by,
          at: now,
          version: nextVersion(current),
        }),
        encodeControl,
      );
    },

    async resume(input, now) {
      checkText('by', input.by, 200, true);
      checkText('reason', input.reason, 500, false);
      return change(
        CONTROL_KEY,
        decodeControl,
        (current) => ({
          paused: false,
          reason: input.reason ?? '',
          by: input.by,
          at: now,
          version: nextVersion(current),
        }),
        encodeControl,
      );
    },

    async takeBudget(n, now, max, options = {}) {
      if (!Number.isInteger(n) || n < 0) throw bad('n', 'expected a whole number >= 0');
      if (!Number.isInteger(max) || max < 0 || max > MAX_BUDGET) {
        throw bad('limits.maxDeletesPer24h', `expected a whole number from 0 to ${MAX_BUDGET}`);
      }
      const slots = options.known ?? (await readSlots());
      const { free, left } = budgetState(slots, now, max);
      // Concurrent takers start at different free slots, so they rarely collide.
      const offset = free.length === 0 ? 0 : Math.floor(Math.random() * free.length);
      const order = [...free.slice(offset), ...free.slice(0, offset)];
      const use = encodeSlotUse(now, options.by ?? 'janitor');
      const freeBefore = new Date(now - BUDGET_WINDOW_MS).toISOString();
      const tried = new Set<number>();
      let taken = 0;
      while (taken < n && order.length > 0) {
        const batch = order.splice(0, n - taken);
        const won = await Promise.all(
          batch.map((index) => store.claimSlot(slotKey(index), use, freeBefore)),
        );
        for (const [i, index] of batch.entries()) {
          tried.add(index);
          if (won[i]) taken += 1;
        }
      }
      // Every slot tried is busy now: taken by this call, or by a concurrent one.
      const view = [
        ...slots.filter((slot) => !tried.has(slot.index)),
        ...[...tried].map((index) => ({ index, usedAt: now })),
      ];
      return { taken, left: Math.max(0, left - tried.size), view };
    },
  };
}
