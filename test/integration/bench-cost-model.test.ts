import { describe, expect, it } from 'vitest';
import { costOf, lambdaMemoryFor, monthlyCost, PRICES } from '#test/bench/cost-model';

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

  it('prices a month of an organisation from measured invocations and stated volumes', () => {
    // Prepare: a 15-minute schedule is 2,922 sweeps a month; 10 requests and 5 sweep
    // deletions a day; 1,000 leases of 300 bytes scanned once a sweep.
    const org = {
      gateways: 1000,
      scheduleMinutes: 15,
      teardownRequestsPerDay: 10,
      sweepDeletionsPerDay: 5,
      leases: 1000,
      leaseItemBytes: 300,
      leaseWritesPerDay: 20,
      idleReceivesPerMonth: 1000,
    };
    const measured = {
      memoryMB: 256,
      sweep: { billedMs: 200, logBytes: 1000 },
      teardownDelete: { billedMs: 400, logBytes: 2000 },
      confirmation: { billedMs: 100, logBytes: 500 },
      platformLogBytes: 0,
    };
    const sweeps = 30.4375 * 96;
    const requests = 10 * 30.4375;
    const deletions = 15 * 30.4375;
    // Act
    const lines = Object.fromEntries(monthlyCost(org, measured).map((line) => [line.item, line]));
    // Assess
    const gbSeconds = ((sweeps * 200 + requests * 400 + deletions * 100) / 1000) * 0.25;
    expect(lines['Lambda compute']?.quantity).toBeCloseTo(gbSeconds, 6);
    expect(lines['Lambda compute']?.dollars).toBeCloseTo(
      gbSeconds * PRICES.lambdaArmPerGbSecond,
      9,
    );
    expect(lines['Lambda requests']?.quantity).toBeCloseTo(sweeps + requests + deletions, 6);
    // Sent, received, proved and deleted: the proof is one call per batch (issue 19).
    expect(lines.SQS?.quantity).toBeCloseTo(4 * requests + 4 * deletions + 1000, 6);
    expect(lines['DynamoDB reads']?.quantity).toBeCloseTo(sweeps * 74, 6);
    expect(lines['DynamoDB writes']?.dollars).toBeCloseTo(20 * 30.4375 * 0.625e-6, 12);
    const logBytes = sweeps * 1000 + requests * 2000 + deletions * 500;
    expect(lines['CloudWatch Logs ingestion']?.quantity).toBeCloseTo(logBytes / 1024 ** 3, 9);
  });
});
