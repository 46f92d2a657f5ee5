import { describe, expect, it } from 'vitest';
import { AdaptiveRate } from '#adapters/coreweave/retry';

function setup(options = {}) {
  const clock = { t: 0, now: () => clock.t };
  return { clock, rate: new AdaptiveRate(clock, options) };
}

/** `count` accepted responses spread evenly over the next `ms`. */
function accept(
  { clock, rate }: ReturnType<typeof setup>,
  count: number,
  ms: number,
  status = 200,
): void {
  for (let n = 0; n < count; n += 1) {
    clock.t += ms / count;
    rate.observe(status);
  }
}

describe('AdaptiveRate', () => {
  it('does not pace before the first 429', () => {
    // Prepare
    const bench = setup();
    accept(bench, 500, 1000);
    // Act / Assess
    expect(bench.rate.reserve()).toBe(0);
    expect(bench.rate.reserve()).toBe(0);
    expect(bench.rate.rps).toBeUndefined();
  });

  it('on a 429 paces at 0.9 of the rate the API accepted over the last second', () => {
    const bench = setup();
    accept(bench, 2000, 2000);
    bench.rate.observe(429);
    expect(bench.rate.rps).toBeCloseTo(900, 0);
    expect(bench.rate.reserve()).toBe(0);
    expect(bench.rate.reserve()).toBeCloseTo(1000 / 900, 2);
    expect(bench.rate.reserve()).toBeCloseTo(2000 / 900, 2);
  });

  it('decreases once per window, not once per 429 of the requests already in flight', () => {
    const bench = setup();
    accept(bench, 1000, 1000);
    bench.rate.observe(429);
    bench.rate.observe(429);
    bench.clock.t += 500;
    bench.rate.observe(429);
    expect(bench.rate.rps).toBeCloseTo(900 + 9 * 0.5, 1);
    accept(bench, 400, 600);
    bench.rate.observe(429);
    expect(bench.rate.rps).toBeLessThan(0.9 * 700);
  });

  it('increases additively by 1% of the decreased rate per second', () => {
    const bench = setup();
    accept(bench, 1000, 1000);
    bench.rate.observe(429);
    bench.clock.t += 10_000;
    expect(bench.rate.rps).toBeCloseTo(900 + 90, 5);
  });

  it('never paces slower than the floor, even after a 429 at low traffic', () => {
    const bench = setup();
    bench.rate.observe(429);
    expect(bench.rate.rps).toBe(5);
    bench.clock.t += 1000;
    expect(bench.rate.rps).toBe(6);
  });

  it('gives no burst credit for idle time', () => {
    const bench = setup();
    accept(bench, 100, 1000);
    bench.rate.observe(429);
    bench.clock.t += 60_000;
    const rps = bench.rate.rps as number;
    expect(bench.rate.reserve()).toBe(0);
    expect(bench.rate.reserve()).toBeCloseTo(1000 / rps, 5);
  });

  it('ignores transport failures and counts other statuses as accepted', () => {
    const bench = setup();
    accept(bench, 50, 500, 404);
    bench.rate.observe(undefined);
    bench.rate.observe(429);
    expect(bench.rate.rps).toBeCloseTo(45, 5);
  });
});
