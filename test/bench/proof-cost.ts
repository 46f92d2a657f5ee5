import { type Message, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SqsReceiptCheck } from '#adapters/aws/sqs-receipt-check';
import { sequentialUuid } from '#simulator/prng';
import { JANITOR_ROLE_ID } from '#test/fixtures/sqs-event';
import { type LocalSqs, startLocalSqs, toLambdaEvent } from '#test/support/local-sqs';
import { createTeardownHandler } from '../../functions/teardown.ts';
import { BENCH_POLICY, benchContext, median, SECRET_ID } from './bench-env.ts';
import type { RemoteSimulator } from './remote-simulator.ts';
import type { BenchMode } from './run.ts';

/** Lambda's largest SQS batch for the teardown (serverless.yml batchSize). */
const BATCH = 10;

/** What one warm invocation cost, with and beside its proof. */
export interface ProofSample {
  handlerMs: number;
  proofMs: number;
  /** the SQS actions the handler asked of the queue double while serving the batch */
  handlerActions: string[];
}

export interface ProofCost {
  runs: number;
  batch: number;
  latencyMs: number;
  handlerMs: number;
  proofMs: number;
  /** the proof's median over the handler's median */
  share: number;
  /** SQS calls the handler makes per batch now, and without the proof */
  callsAfter: number;
  callsBefore: number;
  /** the handler's actions by name in one batch, e.g. `SendMessageBatch x1` */
  actions: string;
}

/** Medians, the proof's share and the handler's SQS calls per batch, from paired samples. */
export function summariseProof(
  samples: ProofSample[],
  batch: number,
  latencyMs: number,
): ProofCost {
  const round = (value: number, places = 2) => Math.round(value * 10 ** places) / 10 ** places;
  const handlerMs = median(samples.map((s) => s.handlerMs));
  const proofMs = median(samples.map((s) => s.proofMs));
  const calls = median(samples.map((s) => s.handlerActions.length));
  const proofs = median(
    samples.map((s) => s.handlerActions.filter((a) => a === 'ChangeMessageVisibilityBatch').length),
  );
  const counts = new Map<string, number>();
  for (const action of samples[0]?.handlerActions ?? [])
    counts.set(action, (counts.get(action) ?? 0) + 1);
  return {
    runs: samples.length,
    batch,
    latencyMs,
    handlerMs: round(handlerMs),
    proofMs: round(proofMs),
    share: handlerMs > 0 ? round(proofMs / handlerMs, 3) : 0,
    callsAfter: calls,
    callsBefore: calls - proofs,
    actions: [...counts].map(([action, n]) => `${action} x${n}`).join(', '),
  };
}

/** Sends `BATCH` due teardown requests and receives exactly them, as the poller would. */
async function genuineBatch(sqs: LocalSqs, gatewayIds: string[]): Promise<Message[]> {
  const sent = await sqs.client.send(
    new SendMessageBatchCommand({
      QueueUrl: sqs.queueUrl,
      Entries: gatewayIds.map((gatewayId, i) => ({
        Id: String(i),
        MessageBody: JSON.stringify({ gatewayId, requestedBy: 'ci/bench' }),
      })),
    }),
  );
  const ids = new Set((sent.Successful ?? []).map((e) => e.MessageId));
  const mine: Message[] = [];
  for (let attempt = 0; attempt < 20 && mine.length < ids.size; attempt += 1) {
    const received = await sqs.receive(sqs.queueUrl, BATCH);
    mine.push(...received.filter((m) => ids.has(m.MessageId)));
    await sqs.release(
      sqs.queueUrl,
      received.filter((m) => !ids.has(m.MessageId)),
    );
  }
  if (mine.length !== BATCH) throw new Error(`received ${mine.length} of ${BATCH} requests`);
  return mine;
}

/**
 * Issue 19's "nothing slower": the warm teardown handler serving a genuine batch of 10
 * due requests (fauxqs and the simulator), and beside it, on the same batch and the same
 * fauxqs, the ChangeMessageVisibilityBatch that proves it, alone; interleaved runs.
 */
export async function proofCost(sim: RemoteSimulator, mode: BenchMode): Promise<ProofCost[]> {
  const runs = mode.quick ? 5 : 15;
  const latencies = [0, 50];
  // One warm-up batch per latency, then the measured ones: every request names a fresh gateway.
  await sim.seed((runs + 1) * BATCH * latencies.length, 0);
  const sqs = await startLocalSqs();
  // The handler's own SQS client finds fauxqs through the SDK's environment, as in Lambda.
  const previousEndpoint = process.env.AWS_ENDPOINT_URL_SQS;
  process.env.AWS_ENDPOINT_URL_SQS = sqs.endpoint;
  const proofClient = new SQSClient({ endpoint: sqs.endpoint, region: 'us-east-1' });
  let deleted = 0;
  const handler = createTeardownHandler({
    sink: {
      write: (record) => {
        if (record.event === 'gateway.deleted') deleted += 1;
      },
    },
    env: {
      COREWEAVE_API_URL: sim.url,
      COREWEAVE_TOKEN_SECRET_ID: SECRET_ID,
      JANITOR_POLICY: JSON.stringify(BENCH_POLICY),
      DRY_RUN: 'false',
      TEARDOWN_QUEUE_URL: sqs.queueUrl,
      TEARDOWN_DLQ_URL: sqs.dlqUrl,
      JANITOR_ROLE_IDS: JANITOR_ROLE_ID,
      AWS_REGION: 'us-east-1',
    },
  });
  let next = 0;
  const results: ProofCost[] = [];
  try {
    for (const latencyMs of latencies) {
      await sim.setLatency(latencyMs);
      const samples: ProofSample[] = [];
      for (let run = 0; run <= runs; run += 1) {
        const ids = Array.from({ length: BATCH }, () => sequentialUuid(1, next++));
        const event = toLambdaEvent(await genuineBatch(sqs, ids));
        const context = benchContext(mode.capMs);
        const proof = new SqsReceiptCheck({
          queueUrl: sqs.queueUrl,
          queue: { region: 'us-east-1', account: '000000000000', name: 'teardown' },
          client: proofClient,
          remainingMs: () => context.getRemainingTimeInMillis(),
        });
        const handles = new Map(event.Records.map((r) => [r.messageId, r.receiptHandle]));
        const p0 = performance.now();
        const accepted = await proof.accept(handles);
        const proofMs = performance.now() - p0;
        if (accepted.size !== BATCH) throw new Error(`proved ${accepted.size} of ${BATCH}`);
        const before = sqs.actions().length;
        const deletedBefore = deleted;
        const h0 = performance.now();
        const response = await handler(event, context);
        const handlerMs = performance.now() - h0;
        const handlerActions = sqs.actions().slice(before);
        if (response.batchItemFailures.length > 0 || deleted - deletedBefore !== BATCH)
          throw new Error(
            `deleted ${deleted - deletedBefore} of ${BATCH}, handed back ${JSON.stringify(response.batchItemFailures)}`,
          );
        // Lambda deletes what the handler did not hand back.
        for (const record of event.Records)
          await sqs.acknowledge(sqs.queueUrl, { ReceiptHandle: record.receiptHandle });
        if (run > 0) samples.push({ handlerMs, proofMs, handlerActions });
      }
      const summary = summariseProof(samples, BATCH, latencyMs);
      mode.log(`proof ${JSON.stringify(summary)}`);
      results.push(summary);
    }
    return results;
  } finally {
    await sim.setLatency(0);
    if (previousEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL_SQS;
    else process.env.AWS_ENDPOINT_URL_SQS = previousEndpoint;
    proofClient.destroy();
    await sqs.close();
  }
}
