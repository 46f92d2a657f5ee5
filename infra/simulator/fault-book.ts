import type { SimRoute } from './match-route.ts';
import { mulberry32 } from './prng.ts';

export type FaultRoute = Exclude<SimRoute, 'unknown'> | 'any';

/**
 * What a fault does. `latency` delays and then answers normally; `numeric-enums` answers
 * normally (state changes apply) with enum names re-encoded as numbers; `list-duplicate`
 * answers a list normally with one item listed twice; `reset-mid-body`
 * applies the operation (a DELETE does start deletion) and then breaks the response after
 * part of the body; `describe-other` answers a GET with another stored gateway; `trickle`
 * answers normally (state changes apply) but sends the body one byte every `intervalMs`,
 * stopping when the client goes away. Every other kind answers without touching state.
 */
export type FaultKind =
  | { kind: 'status'; status: number; body?: string | object; headers?: Record<string, string> }
  | { kind: 'latency'; ms: number }
  | { kind: 'reset' }
  | { kind: 'reset-mid-body' }
  | { kind: 'stall'; ms: number }
  | { kind: 'malformed' }
  | { kind: 'truncated' }
  | { kind: 'numeric-enums' }
  | { kind: 'trickle'; intervalMs: number }
  | ListDuplicateFault
  /** answers a GET with the gateway stored under `otherId` instead of the one asked for */
  | { kind: 'describe-other'; otherId: string };

/**
 * `list-duplicate` answers a list normally, then lists gateway `id` a second time, under
 * `name` when given (an API that shows one id twice, e.g. mid-rename).
 */
export type ListDuplicateFault = { kind: 'list-duplicate'; id: string; name?: string };

export type FaultRule = {
  route: FaultRoute;
  /** The id in the request path: a gateway's, or a deployment's on deployment routes. */
  gatewayId?: string;
  /** How many matching requests the rule applies to; unlimited when absent. */
  times?: number;
  /**
   * The share (0..1) of matching requests the rule applies to, drawn from the book's
   * seeded PRNG; every matching request when absent. A request it skips uses no `times`.
   */
  probability?: number;
} & FaultKind;

export type FaultPlan = { delayMs: number; fault?: FaultRule; applied: FaultRule[] };

type Armed = { rule: FaultRule; remaining: number };

/** Fault rules matched in insertion order: latency rules add up, then the first other rule. */
export class FaultBook {
  #armed: Armed[] = [];
  readonly #random: () => number;

  /** `seed` makes probabilistic rules reproducible for a given request order. */
  constructor(seed = 1) {
    this.#random = mulberry32(seed);
  }

  add(rule: FaultRule): void {
    this.#armed.push({ rule: { ...rule }, remaining: rule.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.#armed = [];
  }

  take(route: SimRoute, gatewayId: string | undefined): FaultPlan {
    const plan: FaultPlan = { delayMs: 0, applied: [] };
    if (this.#armed.length === 0) return plan;
    for (const armed of this.#armed) {
      const { rule } = armed;
      if (armed.remaining <= 0) continue;
      if (rule.route !== 'any' && rule.route !== route) continue;
      if (rule.gatewayId !== undefined && rule.gatewayId !== gatewayId) continue;
      if (rule.kind !== 'latency' && plan.fault) continue;
      if (rule.probability !== undefined && this.#random() >= rule.probability) continue;
      if (rule.kind === 'latency') plan.delayMs += rule.ms;
      else plan.fault = rule;
      armed.remaining -= 1;
      plan.applied.push(rule);
    }
    this.#armed = this.#armed.filter((armed) => armed.remaining > 0);
    return plan;
  }
}
