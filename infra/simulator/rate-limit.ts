export type RateLimit = { rps: number; burst?: number };

export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number };

type Bucket = { tokens: number; at: number };

/**
 * A token bucket per key (the bearer token). It runs on real monotonic time, not the
 * simulator clock, so a frozen test clock does not freeze refills.
 */
export class TokenBuckets {
  #buckets = new Map<string, Bucket>();
  #rps: number;
  #burst: number;
  #now: () => number;

  constructor(limit: RateLimit, now: () => number = () => performance.now()) {
    if (!(limit.rps > 0)) throw new RangeError('rateLimit.rps must be positive');
    this.#rps = limit.rps;
    this.#burst = Math.max(1, limit.burst ?? Math.ceil(limit.rps));
    this.#now = now;
  }

  take(key: string): RateDecision {
    const now = this.#now();
    const bucket = this.#buckets.get(key) ?? { tokens: this.#burst, at: now };
    bucket.tokens = Math.min(this.#burst, bucket.tokens + ((now - bucket.at) / 1000) * this.#rps);
    bucket.at = now;
    this.#buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { ok: true };
    }
    const waitSeconds = (1 - bucket.tokens) / this.#rps;
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(waitSeconds)) };
  }
}
