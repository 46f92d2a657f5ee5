import { describe, expect, it } from 'vitest';
import { costOf, lambdaMemoryFor, PRICES } from '#test/bench/cost-model';

describe('bench cost model', () => {
  it('prices 1,000 sweep deletions from duration, memory, calls and log bytes', () => {
    // Prepare: 10 s at 128 MB, one invocation and one secret fetch, 700-byte audit lines.
    const inputs = {
      deletions: 1000,
      lambdaMs: 10_000,
      memoryMB: 128,
      invocations: 1,
      secretCalls: 1,
      sqsRequests: 3000,
      auditBytesPerDeletion: 700,
      otherLogBytes: 0,
    };
    // Act
    const cost = costOf(inputs);
    // Assess
    expect(cost.lambdaCompute).toBeCloseTo(10 * 0.125 * 0.0000133334, 12);
    expect(cost.lambdaRequests).toBeCloseTo(0.0000002, 12);
    expect(cost.secretsManager).toBeCloseTo(0.000005, 12);
    expect(cost.sqs).toBeCloseTo(0.0012, 12);
    const gb = 700_000 / 1024 ** 3;
    expect(cost.logsIngestion).toBeCloseTo(gb * 0.5, 12);
    expect(cost.logsStorage).toBeCloseTo(gb * 0.03 * PRICES.retentionMonths, 12);
    expect(cost.per1000).toBeCloseTo(cost.total, 12);
  });

  it('rounds memory up to a 64 MB step from 128 MB with headroom', () => {
    expect(lambdaMemoryFor(60)).toBe(128);
    expect(lambdaMemoryFor(110)).toBe(192);
    expect(lambdaMemoryFor(200)).toBe(256);
  });
});
