/**
 * List prices as known (us-east-1, late 2026 knowledge; not checked against the live
 * price pages, which this machine cannot reach: check before quoting).
 */
export const PRICES = {
  region: 'us-east-1',
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaPerRequest: 0.2 / 1_000_000,
  secretsManagerPerCall: 0.05 / 10_000,
  sqsPerRequest: 0.4 / 1_000_000,
  logsIngestionPerGb: 0.5,
  logsStoragePerGbMonth: 0.03,
  /** the audit log group keeps records for at least 400 days (docs/contract.md) */
  retentionMonths: 400 / 30.4375,
} as const;

export interface CostInputs {
  deletions: number;
  /** billed Lambda duration of the invocations that did them */
  lambdaMs: number;
  memoryMB: number;
  invocations: number;
  secretCalls: number;
  sqsRequests: number;
  auditBytesPerDeletion: number;
  /** other log bytes of the run (summary, start/end lines) */
  otherLogBytes: number;
}

export interface CostBreakdown {
  lambdaCompute: number;
  lambdaRequests: number;
  secretsManager: number;
  sqs: number;
  logsIngestion: number;
  logsStorage: number;
  total: number;
  /** per 1,000 deletions */
  per1000: number;
}

const GB = 1024 ** 3;

/** Dollars for a job, from measured durations, memory and log bytes. */
export function costOf(inputs: CostInputs, prices = PRICES): CostBreakdown {
  const gbSeconds = (inputs.lambdaMs / 1000) * (inputs.memoryMB / 1024);
  const logGb = (inputs.deletions * inputs.auditBytesPerDeletion + inputs.otherLogBytes) / GB;
  const parts = {
    lambdaCompute: gbSeconds * prices.lambdaArmPerGbSecond,
    lambdaRequests: inputs.invocations * prices.lambdaPerRequest,
    secretsManager: inputs.secretCalls * prices.secretsManagerPerCall,
    sqs: inputs.sqsRequests * prices.sqsPerRequest,
    logsIngestion: logGb * prices.logsIngestionPerGb,
    // Stored bytes billed uncompressed here: an upper bound (CloudWatch bills compressed).
    logsStorage: logGb * prices.logsStoragePerGbMonth * prices.retentionMonths,
  };
  const total = Object.values(parts).reduce((a, b) => a + b, 0);
  return { ...parts, total, per1000: inputs.deletions > 0 ? (total * 1000) / inputs.deletions : 0 };
}

/** The smallest Lambda memory size, in 64 MB steps from 128, that holds `peakMB` with headroom. */
export function lambdaMemoryFor(peakMB: number, headroom = 1.25): number {
  return Math.max(128, Math.ceil((peakMB * headroom) / 64) * 64);
}
