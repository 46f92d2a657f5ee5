/**
 * us-east-1 list prices as AWS published them in 2025 (DynamoDB on-demand after its
 * November 2024 reduction), free tiers left out; not checked against the live price
 * pages, which this machine cannot reach: check before quoting.
 */
export const PRICES = {
  region: 'us-east-1',
  asOf: '2025',
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaPerRequest: 0.2 / 1_000_000,
  secretsManagerPerCall: 0.05 / 10_000,
  secretsManagerPerSecretMonth: 0.4,
  sqsPerRequest: 0.4 / 1_000_000,
  logsIngestionPerGb: 0.5,
  logsStoragePerGbMonth: 0.03,
  /** the audit log group keeps records for at least 400 days (docs/contract.md) */
  retentionMonths: 400 / 30.4375,
  dynamoReadPerUnit: 0.125 / 1_000_000,
  dynamoWritePerUnit: 0.625 / 1_000_000,
  dynamoStoragePerGbMonth: 0.25,
  dynamoBackupPerGbMonth: 0.2,
} as const;

export type Prices = {
  [K in keyof typeof PRICES]: (typeof PRICES)[K] extends number ? number : string;
};

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
export function costOf(inputs: CostInputs, prices: Prices = PRICES): CostBreakdown {
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

/** A typical organisation's use of the janitor, per month. */
export interface Organisation {
  gateways: number;
  scheduleMinutes: number;
  teardownRequestsPerDay: number;
  /** deletions the sweep itself makes (each queues one confirmation) */
  sweepDeletionsPerDay: number;
  /** registry leases, each read once per sweep */
  leases: number;
  leaseItemBytes: number;
  /** lease writes (set, extend, release) per day, each under 1 KB */
  leaseWritesPerDay: number;
  /** ReceiveMessage calls Lambda's queue poller makes while the queue is idle */
  idleReceivesPerMonth: number;
}

/** What the bench measured for one cold invocation of each kind. */
export interface MeasuredInvocation {
  /** init (import) plus handler time: what Lambda bills for an on-demand cold start */
  billedMs: number;
  logBytes: number;
}

export interface MonthlyInputs {
  memoryMB: number;
  sweep: MeasuredInvocation;
  /** the teardown invocation that deletes a requested gateway */
  teardownDelete: MeasuredInvocation;
  /** the teardown invocation that confirms a deletion (one per deletion) */
  confirmation: MeasuredInvocation;
  /** Lambda's own START, END and REPORT lines per invocation */
  platformLogBytes: number;
}

export interface MonthlyLine {
  item: string;
  quantity: number;
  unit: string;
  dollars: number;
}

const DAYS_PER_MONTH = 30.4375;

/**
 * Monthly dollars for an organisation, every invocation taken as a cold start (each pays
 * its init and its own token fetch: an upper bound on a 15-minute schedule).
 */
export function monthlyCost(
  org: Organisation,
  measured: MonthlyInputs,
  prices: Prices = PRICES,
): MonthlyLine[] {
  const sweeps = (DAYS_PER_MONTH * 24 * 60) / org.scheduleMinutes;
  const requests = org.teardownRequestsPerDay * DAYS_PER_MONTH;
  const deletions = (org.teardownRequestsPerDay + org.sweepDeletionsPerDay) * DAYS_PER_MONTH;
  const invocations = sweeps + requests + deletions;
  const gbSeconds =
    ((sweeps * measured.sweep.billedMs +
      requests * measured.teardownDelete.billedMs +
      deletions * measured.confirmation.billedMs) /
      1000) *
    (measured.memoryMB / 1024);
  // A request is sent, received, proved (one ChangeMessageVisibilityBatch per batch, each
  // message taken as its own batch at this volume) and deleted; so is each confirmation.
  const sqsRequests = 4 * requests + 4 * deletions + org.idleReceivesPerMonth;
  const logGb =
    (sweeps * measured.sweep.logBytes +
      requests * measured.teardownDelete.logBytes +
      deletions * measured.confirmation.logBytes +
      invocations * measured.platformLogBytes) /
    GB;
  // A Scan reads 4 KB per strongly consistent read unit, whole table once per sweep.
  const readUnits = sweeps * Math.ceil((org.leases * org.leaseItemBytes) / 4096);
  const writeUnits = org.leaseWritesPerDay * DAYS_PER_MONTH;
  const tableGb = (org.leases * org.leaseItemBytes) / GB;
  return [
    {
      item: 'Lambda compute',
      quantity: gbSeconds,
      unit: 'GB-s',
      dollars: gbSeconds * prices.lambdaArmPerGbSecond,
    },
    {
      item: 'Lambda requests',
      quantity: invocations,
      unit: 'invocations',
      dollars: invocations * prices.lambdaPerRequest,
    },
    {
      item: 'SQS',
      quantity: sqsRequests,
      unit: 'requests',
      dollars: sqsRequests * prices.sqsPerRequest,
    },
    {
      item: 'Secrets Manager calls',
      quantity: invocations,
      unit: 'GetSecretValue',
      dollars: invocations * prices.secretsManagerPerCall,
    },
    {
      item: 'Secrets Manager secret',
      quantity: 1,
      unit: 'secret',
      dollars: prices.secretsManagerPerSecretMonth,
    },
    {
      item: 'CloudWatch Logs ingestion',
      quantity: logGb,
      unit: 'GB',
      dollars: logGb * prices.logsIngestionPerGb,
    },
    {
      item: 'CloudWatch Logs storage (400 days kept)',
      quantity: logGb * prices.retentionMonths,
      unit: 'GB stored',
      dollars: logGb * prices.retentionMonths * prices.logsStoragePerGbMonth,
    },
    {
      item: 'DynamoDB reads',
      quantity: readUnits,
      unit: 'read units',
      dollars: readUnits * prices.dynamoReadPerUnit,
    },
    {
      item: 'DynamoDB writes',
      quantity: writeUnits,
      unit: 'write units',
      dollars: writeUnits * prices.dynamoWritePerUnit,
    },
    {
      item: 'DynamoDB storage and backups',
      quantity: tableGb,
      unit: 'GB',
      dollars: tableGb * (prices.dynamoStoragePerGbMonth + prices.dynamoBackupPerGbMonth),
    },
  ];
}
