import type { Clock } from '#core/ports';

/** Tuning of the adaptive request rate; the defaults are what the benchmarks measured. */
export interface AdaptiveRateOptions {
  /** after a 429, the new rate is this share of the rate the API accepted just before */
  decrease: number;
  /** the additive increase per second, as a share of the rate set by the last decrease */
  increaseShare: number;
  /** ... and at least this many requests/s per second */
  minIncreaseRps: number;
  /** never paced slower than this */
  minRps: number;
  /** the window over which the accepted rate is measured, and the gap between two decreases */
  windowMs: number;
}

export const DEFAULT_ADAPTIVE_RATE: AdaptiveRateOptions = {
  decrease: 0.9,
  increaseShare: 0.01,
  minIncreaseRps: 1,
  minRps: 5,
  windowMs: 1000,
};

/**
 * Paces requests to the rate the API accepts: additive increase, multiplicative
 * decrease on 429 (docs/benchmarks.md). Unpaced until the first 429; then the rate is set just
 * under what the API accepted over the last window (with a token bucket that is its
 * refill rate) and creeps up slowly, so a 429 stays rare. Pure: the caller sleeps.
 */
export class AdaptiveRate {
  readonly #options: AdaptiveRateOptions;
  readonly #clock: Clock;
  readonly #accepted: number[] = [];
  #head = 0;
  #rps: number | undefined;
  #step = 0;
  #updatedAt = 0;
  #decreasedAt = Number.NEGATIVE_INFINITY;
  #nextSlot = 0;

  constructor(clock: Clock, options: Partial<AdaptiveRateOptions> = {}) {
    this.#clock = clock;
    this.#options = { ...DEFAULT_ADAPTIVE_RATE, ...options };
  }

  /** The current rate in requests/s; undefined while unpaced. */
  get rps(): number | undefined {
    this.#increase(this.#clock.now());
    return this.#rps;
  }

  /** Reserves the next start slot: how long to wait before sending (0: now). */
  reserve(): number {
    const now = this.#clock.now();
    this.#increase(now);
    if (this.#rps === undefined) return 0;
    // No credit for idle time: a paced client never bursts.
    const slot = Math.max(now, this.#nextSlot);
    this.#nextSlot = slot + 1000 / this.#rps;
    return slot - now;
  }

  /** Records one response; undefined is a transport failure, which says nothing of the rate. */
  observe(status: number | undefined): void {
    if (status === undefined) return;
    const now = this.#clock.now();
    if (status !== 429) {
      this.#accepted.push(now);
      this.#prune(now);
      return;
    }
    // The 429s of requests already in flight echo the same overload: one decrease per window.
    if (now - this.#decreasedAt < this.#options.windowMs) return;
    this.#prune(now);
    const acceptedRps = ((this.#accepted.length - this.#head) * 1000) / this.#options.windowMs;
    const { decrease, minRps, increaseShare, minIncreaseRps } = this.#options;
    const current = this.#rps ?? Number.POSITIVE_INFINITY;
    this.#rps = Math.max(minRps, decrease * Math.min(current, acceptedRps));
    this.#step = Math.max(minIncreaseRps, increaseShare * this.#rps);
    this.#decreasedAt = now;
    this.#updatedAt = now;
  }

  #increase(now: number): void {
    if (this.#rps === undefined || now <= this.#updatedAt) return;
    this.#rps += (this.#step * (now - this.#updatedAt)) / 1000;
    this.#updatedAt = now;
  }

  #prune(now: number): void {
    const from = now - this.#options.windowMs;
    while (this.#head < this.#accepted.length && (this.#accepted[this.#head] as number) <= from)
      this.#head += 1;
    if (this.#head > 1024 && this.#head * 2 > this.#accepted.length) {
      this.#accepted.splice(0, this.#head);
      this.#head = 0;
    }
  }
}
