import { becomeReady, failDeletion, iso, provisioning } from './gateway-transitions.ts';
import type { WireGateway, WireGatewaySpec } from './wire.ts';
import { omitZeroValues } from './wire.ts';

export type GatewayStoreOptions = {
  clock: () => number;
  /** Wire JSON of one gateway as served; cached per entry until the gateway changes. */
  render: (gateway: WireGateway) => string;
  deleteDelayMs: number;
  readyDelayMs: number;
};

/**
 * How a deletion that never finishes ends up: still `STATUS_DELETING` for ever, or back in
 * `STATUS_ERROR` once the time to vanish has passed (a deletion the platform gave up on).
 */
export type StuckDeletion = 'STATUS_DELETING' | 'STATUS_ERROR';

type Entry = { gateway: WireGateway; json?: Buffer; deletingSince?: number; readyAt?: number };

/**
 * The simulator's state: a Map keyed by gateway id, O(1) per get/delete. Transitions are
 * lazy (no timers): an entry records when deletion or provisioning started and is resolved
 * on access. Stored gateways are never mutated in place (copy-on-write), so fixtures passed
 * to seed() are kept by reference (cheap for 100k) and can be reused; their wire JSON is
 * rendered once and cached, so listing a large fleet is mostly a string join.
 */
export class GatewayStore {
  #entries = new Map<string, Entry>();
  #options: GatewayStoreOptions;
  /** Keyed by gateway id or name: deletions of these never complete. */
  #stuck = new Map<string, StuckDeletion>();

  constructor(options: GatewayStoreOptions) {
    this.#options = { ...options };
  }

  /** Replaces the whole fleet. Gateways seeded as DELETING vanish deleteDelayMs from now. */
  seed(gateways: readonly WireGateway[]): void {
    this.#entries.clear();
    const now = this.#options.clock();
    for (const gateway of gateways) {
      const deleting = gateway.status?.status === 'STATUS_DELETING';
      // Rendered now so that even the first list of a large seeded fleet is a memcpy.
      const json = Buffer.from(`${this.#options.render(gateway)},`);
      this.#entries.set(
        gateway.spec.id,
        deleting ? { gateway, json, deletingSince: now } : { gateway, json },
      );
    }
  }

  has(id: string): boolean {
    return this.get(id) !== undefined;
  }

  get(id: string): WireGateway | undefined {
    const entry = this.#entries.get(id);
    return entry && this.#resolve(id, entry, this.#options.clock());
  }

  list(): WireGateway[] {
    const now = this.#options.clock();
    const out: WireGateway[] = [];
    for (const [id, entry] of this.#entries) {
      const gateway = this.#resolve(id, entry, now);
      if (gateway) out.push(gateway);
    }
    return out;
  }

  /**
   * Cached wire JSON of the live gateways accepted by `keep`, each as UTF-8 followed by a
   * comma: Buffer.concat of these is a memcpy, far cheaper than JSON.stringify of 100k.
   */
  listJson(keep?: (gateway: WireGateway) => boolean): Buffer[] {
    const now = this.#options.clock();
    const out: Buffer[] = [];
    for (const [id, entry] of this.#entries) {
      const gateway = this.#resolve(id, entry, now);
      if (!gateway || (keep && !keep(gateway))) continue;
      entry.json ??= Buffer.from(`${this.#options.render(gateway)},`);
      out.push(entry.json);
    }
    return out;
  }

  /** Starts deletion (idempotent while DELETING); `commit: false` only previews the answer. */
  delete(id: string, commit = true): WireGateway | undefined {
    const entry = this.#entries.get(id);
    const now = this.#options.clock();
    const current = entry && this.#resolve(id, entry, now);
    if (!entry || !current || entry.deletingSince !== undefined) return current;
    const { endpoints: _endpoints, ...status } = current.status ?? {};
    const deleting = {
      spec: current.spec,
      status: { ...status, status: 'STATUS_DELETING', updatedAt: iso(now) },
    };
    if (commit) {
      entry.gateway = deleting;
      entry.json = undefined;
      entry.deletingSince = now;
      entry.readyAt = undefined;
    }
    return deleting;
  }

  /** Stores a new gateway as CREATING; it turns READY after readyDelayMs. */
  create(spec: WireGatewaySpec, commit = true): WireGateway {
    const now = this.#options.clock();
    const gateway = omitZeroValues({
      spec,
      status: {
        createdAt: iso(now),
        updatedAt: iso(now),
        status: 'STATUS_CREATING',
        conditions: [
          provisioning(now, spec.zones?.[0], 'Provisioning', 'gateway is being provisioned'),
        ],
      },
    });
    if (commit) this.#entries.set(spec.id, { gateway, readyAt: now + this.#options.readyDelayMs });
    return gateway;
  }

  /** Replaces the spec (PATCH takes the full spec) and moves the gateway to UPDATING. */
  update(spec: WireGatewaySpec, commit = true): WireGateway | undefined {
    const entry = this.#entries.get(spec.id);
    const now = this.#options.clock();
    const current = entry && this.#resolve(spec.id, entry, now);
    if (!entry || !current) return undefined;
    const gateway = omitZeroValues({
      spec: { ...spec, organizationId: current.spec.organizationId },
      status: { ...current.status, status: 'STATUS_UPDATING', updatedAt: iso(now) },
    });
    if (commit) {
      entry.gateway = gateway;
      entry.json = undefined;
      entry.readyAt = now + this.#options.readyDelayMs;
    }
    return gateway;
  }

  /** From now on a deletion of this gateway (by id or name) never completes. */
  stick(idOrName: string, becomes: StuckDeletion = 'STATUS_DELETING'): void {
    this.#stuck.set(idOrName, becomes);
  }

  /** Changes the time to vanish, for deletions in progress too. */
  setDeleteDelay(ms: number): void {
    this.#options.deleteDelayMs = ms;
  }

  isDeleting(id: string): boolean {
    return this.get(id) !== undefined && this.#entries.get(id)?.deletingSince !== undefined;
  }

  #resolve(id: string, entry: Entry, now: number): WireGateway | undefined {
    if (entry.deletingSince !== undefined) {
      if (now - entry.deletingSince < this.#options.deleteDelayMs) return entry.gateway;
      const stuck = this.#stuck.get(id) ?? this.#stuck.get(entry.gateway.spec.name);
      if (stuck === 'STATUS_DELETING') return entry.gateway;
      if (stuck === 'STATUS_ERROR') {
        entry.gateway = failDeletion(
          entry.gateway,
          entry.deletingSince + this.#options.deleteDelayMs,
        );
        entry.json = undefined;
        entry.deletingSince = undefined;
        return entry.gateway;
      }
      this.#entries.delete(id);
      return undefined;
    }
    if (entry.readyAt !== undefined && now >= entry.readyAt) {
      entry.gateway = becomeReady(entry.gateway, entry.readyAt);
      entry.json = undefined;
      entry.readyAt = undefined;
    }
    return entry.gateway;
  }
}
