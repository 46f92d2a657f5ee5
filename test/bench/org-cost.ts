import type { SQSEvent } from 'aws-lambda';
import { sequentialUuid } from '#simulator/prng';
import { JANITOR_ROLE_ID, janitorRecord, sqsEvent } from '#test/fixtures/sqs-event';
import { startLocalSqs } from '#test/support/local-sqs';
import { BENCH_POLICY, median, SECRET_ID } from './bench-env.ts';
import type { Bundle } from './bundles.ts';
import {
  type MonthlyInputs,
  type MonthlyLine,
  monthlyCost,
  type Organisation,
  PRICES,
} from './cost-model.ts';
import { invokeInProcess } from './memory.ts';
import type { RemoteSimulator } from './remote-simulator.ts';
import type { BenchMode } from './run.ts';

/** The organisation docs/benchmarks.md prices; every quantity not measured is stated here. */
export const TYPICAL_ORGANISATION: Organisation = {
  gateways: 1_000,
  scheduleMinutes: 15,
  teardownRequestsPerDay: 50,
  sweepDeletionsPerDay: 10,
  leases: 1_000,
  leaseItemBytes: 300,
  leaseWritesPerDay: 100,
  // Lambda's SQS poller long-polls an idle queue: taken as 5 pollers, one 20 s poll each.
  idleReceivesPerMonth: 5 * 3 * 60 * 24 * 30.4375,
};

/** serverless.yml's memorySize for both functions. */
const MEMORY_MB = 256;
/** Lambda's START, END and REPORT lines of one invocation (not measured here). */
const PLATFORM_LOG_BYTES = 350;
/** A round trip to the CoreWeave API from an AWS region, as the simulator adds it. */
const API_LATENCY_MS = 50;

export interface InvocationRow {
  name: string;
  runs: number;
  importMs: number;
  invokeMs: number;
  billedMs: number;
  logBytes: number;
  maxRssMB: number;
}

export interface OrgCost {
  organisation: Organisation;
  memoryMB: number;
  latencyMs: number;
  platformLogBytes: number;
  prices: typeof PRICES;
  invocations: InvocationRow[];
  confirmationsQueued: number;
  lines: MonthlyLine[];
}

/**
 * Cold invocations of the built handlers in fresh processes against the simulator (1,000
 * gateways, none expired, 50 ms per request) and fauxqs: a sweep, a teardown that deletes
 * a requested gateway, a teardown that confirms a deletion; then the month they add up to.
 */
export async function orgCost(
  bundles: Bundle[],
  sim: RemoteSimulator,
  mode: BenchMode,
): Promise<OrgCost> {
  const sweep = bundles.find((b) => b.name === 'sweep');
  const teardown = bundles.find((b) => b.name === 'teardown');
  if (!sweep || !teardown) throw new Error('no sweep or teardown bundle was built');
  const runs = mode.quick ? 3 : 7;
  const org = TYPICAL_ORGANISATION;
  await sim.seed(org.gateways, 0);
  await sim.setLatency(API_LATENCY_MS);
  const sqs = await startLocalSqs();
  const env = {
    COREWEAVE_API_URL: sim.url,
    COREWEAVE_TOKEN_SECRET_ID: SECRET_ID,
    JANITOR_POLICY: JSON.stringify(BENCH_POLICY),
    DRY_RUN: 'false',
    TEARDOWN_QUEUE_URL: sqs.queueUrl,
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
    JANITOR_ROLE_IDS: JANITOR_ROLE_ID,
    AWS_REGION: 'us-east-1',
  };
  const kinds = [
    { name: 'sweep (1,000 listed, none expired)', bundle: sweep, event: (): object => ({}) },
    {
      name: 'teardown: delete one requested gateway',
      bundle: teardown,
      event: (run: number) =>
        sqsEvent({ gatewayId: sequentialUuid(1, run), requestedBy: 'ci/bench' }),
    },
    {
      name: 'teardown: confirm one deletion',
      bundle: teardown,
      // A gateway the API no longer knows: one GET (404), `gateway.delete_confirmed`.
      event: () => ({
        Records: [
          janitorRecord({
            gatewayId: '0f8fad5b-d9cb-469f-a165-70867728950e',
            confirm: {
              deletedAt: new Date(Date.now() - 120_000).toISOString(),
              runId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
            },
          }),
        ],
      }),
    },
  ];
  const samples = kinds.map(() => ({
    importMs: [] as number[],
    invokeMs: [] as number[],
    logBytes: [] as number[],
    rss: [] as number[],
  }));
  try {
    for (let run = 0; run < runs; run += 1) {
      for (const [i, kind] of kinds.entries()) {
        // Each record comes from the queue, as Lambda delivers it: the teardown proves it.
        const event = kind.event(run);
        const delivered = 'Records' in event ? await sqs.deliver(event as SQSEvent) : event;
        const result = await invokeInProcess(kind.bundle.path, delivered, env);
        if (!result.outcome.ok) throw new Error(`${kind.name}: ${JSON.stringify(result.outcome)}`);
        const sample = samples[i] as (typeof samples)[number];
        sample.importMs.push(result.importMs);
        sample.invokeMs.push(result.invokeMs);
        sample.logBytes.push(Buffer.byteLength(result.stdout));
        sample.rss.push(result.maxRss / 2 ** 20);
      }
    }
    const queued = await sqs.count(sqs.queueUrl);
    const round = (value: number) => Math.round(value * 10) / 10;
    const invocations = kinds.map((kind, i): InvocationRow => {
      const sample = samples[i] as (typeof samples)[number];
      const importMs = median(sample.importMs);
      const invokeMs = median(sample.invokeMs);
      return {
        name: kind.name,
        runs,
        importMs: round(importMs),
        invokeMs: round(invokeMs),
        billedMs: Math.ceil(importMs + invokeMs),
        logBytes: Math.round(median(sample.logBytes)),
        maxRssMB: round(median(sample.rss)),
      };
    });
    const [sweepRow, deleteRow, confirmRow] = invocations as [
      InvocationRow,
      InvocationRow,
      InvocationRow,
    ];
    const measured: MonthlyInputs = {
      memoryMB: MEMORY_MB,
      sweep: sweepRow,
      teardownDelete: deleteRow,
      confirmation: confirmRow,
      platformLogBytes: PLATFORM_LOG_BYTES,
    };
    const result: OrgCost = {
      organisation: org,
      memoryMB: MEMORY_MB,
      latencyMs: API_LATENCY_MS,
      platformLogBytes: PLATFORM_LOG_BYTES,
      prices: PRICES,
      invocations,
      confirmationsQueued: queued.visible + queued.delayed,
      lines: monthlyCost(org, measured),
    };
    mode.log(`org-cost ${JSON.stringify(invocations)} queued ${result.confirmationsQueued}`);
    return result;
  } finally {
    await sim.setLatency(0);
    await sqs.close();
  }
}
