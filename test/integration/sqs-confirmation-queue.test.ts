import type { SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqsConfirmationQueue } from '#adapters/aws/sqs-confirmation-queue';
import type { Confirmation } from '#core/ports';
import { flakySqsClient } from '#test/fakes/flaky-sqs-client';
import { testId } from '#test/fixtures/gateway-builder';
import { type LocalSqs, startLocalSqs } from '#test/support/local-sqs';

const RUN_ID = '7d1f0c8e-5b7a-4d38-9f5e-2a9c41b0e6d3';
const DELETED_AT = '2026-09-01T12:00:00.000Z';
const confirmations = (count: number): Confirmation[] =>
  Array.from({ length: count }, (_, i) => ({
    gatewayId: testId(i + 1),
    deletedAt: DELETED_AT,
    runId: RUN_ID,
  }));

async function drain(sqs: LocalSqs): Promise<string[]> {
  const bodies: string[] = [];
  for (let round = 0; round < 10; round += 1) {
    const messages = await sqs.receive(sqs.queueUrl, 10, 0);
    if (messages.length === 0) break;
    for (const message of messages) {
      bodies.push(message.Body as string);
      await sqs.acknowledge(sqs.queueUrl, message);
    }
  }
  return bodies;
}

describe('SqsConfirmationQueue', () => {
  let sqs: LocalSqs;
  beforeEach(async () => {
    sqs = await startLocalSqs();
  });
  afterEach(async () => {
    await sqs.close();
  });

  it('sends one delayed confirmation per gateway, in batches of at most 10', async () => {
    // Prepare
    const { client, batches } = flakySqsClient(sqs, new Map());
    const queue = new SqsConfirmationQueue({ queueUrl: sqs.queueUrl, client });
    // Act
    const result = await queue.schedule(confirmations(23), 300);
    // Assess
    expect(result.failed).toEqual([]);
    expect(result.scheduled).toEqual(confirmations(23));
    expect(batches.map((b) => b.entries)).toEqual([10, 10, 3]);
    expect(batches.flatMap((b) => b.delays).every((d) => d === 300)).toBe(true);
    expect(await sqs.count(sqs.queueUrl)).toMatchObject({ visible: 0, delayed: 23 });
  });

  it('writes the confirmation body: gatewayId and confirm with deletedAt and runId, nothing else', async () => {
    // Prepare
    const queue = new SqsConfirmationQueue({ queueUrl: sqs.queueUrl, client: sqs.client });
    // Act
    await queue.schedule(confirmations(2), 0);
    const bodies = await drain(sqs);
    // Assess
    expect(
      bodies.map((b) => JSON.parse(b)).sort((a, b) => a.gatewayId.localeCompare(b.gatewayId)),
    ).toEqual([
      { gatewayId: testId(1), confirm: { deletedAt: DELETED_AT, runId: RUN_ID } },
      { gatewayId: testId(2), confirm: { deletedAt: DELETED_AT, runId: RUN_ID } },
    ]);
  });

  it('caps the delay at the 15 minutes SQS allows', async () => {
    // Prepare
    const { client, batches } = flakySqsClient(sqs, new Map());
    const queue = new SqsConfirmationQueue({ queueUrl: sqs.queueUrl, client });
    // Act
    await queue.schedule(confirmations(1), 3600);
    // Assess
    expect(batches[0]?.delays).toEqual([900]);
  });

  it('retries an entry SQS failed on its side and puts it on the queue exactly once', async () => {
    // Prepare
    const failing = testId(2);
    const { client, batches } = flakySqsClient(sqs, new Map([[failing, { times: 1 }]]));
    const pauses: number[] = [];
    const queue = new SqsConfirmationQueue({
      queueUrl: sqs.queueUrl,
      client,
      sleep: async (ms) => {
        pauses.push(ms);
      },
    });
    // Act
    const result = await queue.schedule(confirmations(3), 0);
    const bodies = await drain(sqs);
    // Assess
    expect(result.failed).toEqual([]);
    expect(result.scheduled).toHaveLength(3);
    expect(batches.map((b) => b.gatewayIds)).toEqual([
      [testId(1), testId(2), testId(3)],
      [failing],
    ]);
    expect(pauses).toEqual([200]);
    expect(bodies.map((b) => JSON.parse(b).gatewayId).sort()).toEqual(
      [testId(1), testId(2), testId(3)].sort(),
    );
  });

  it('reports an entry that keeps failing after maxAttempts, with the queue code', async () => {
    // Prepare
    const failing = testId(1);
    const { client, batches } = flakySqsClient(sqs, new Map([[failing, { times: 99 }]]));
    const queue = new SqsConfirmationQueue({
      queueUrl: sqs.queueUrl,
      client,
      maxAttempts: 3,
      sleep: async () => {},
    });
    // Act
    const result = await queue.schedule(confirmations(2), 0);
    // Assess
    expect(batches).toHaveLength(3);
    expect(result.scheduled.map((c) => c.gatewayId)).toEqual([testId(2)]);
    expect(result.failed).toEqual([
      {
        confirmation: confirmations(1)[0],
        code: 'InternalError',
        message: 'try again',
        attempts: 3,
      },
    ]);
  });

  it('does not retry an entry rejected as the sender’s fault', async () => {
    // Prepare
    const failing = testId(1);
    const { client, batches } = flakySqsClient(
      sqs,
      new Map([[failing, { times: 99, senderFault: true, code: 'InvalidParameterValue' }]]),
    );
    const queue = new SqsConfirmationQueue({
      queueUrl: sqs.queueUrl,
      client,
      sleep: async () => {},
    });
    // Act
    const result = await queue.schedule(confirmations(1), 0);
    // Assess
    expect(batches).toHaveLength(1);
    expect(result.failed).toMatchObject([{ code: 'InvalidParameterValue', attempts: 1 }]);
  });

  it('retries a batch whose call failed, and reports it when no time is left for another try', async () => {
    // Prepare
    let calls = 0;
    const client: Pick<SQSClient, 'send'> = {
      send: (async () => {
        calls += 1;
        throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
      }) as never,
    };
    let budgetMs = 10_000;
    const queue = new SqsConfirmationQueue({
      queueUrl: sqs.queueUrl,
      client,
      maxAttempts: 5,
      sleep: async () => {
        budgetMs = 100;
      },
    });
    // Act
    const result = await queue.schedule(confirmations(2), 0, { budgetMs: () => budgetMs });
    // Assess
    expect(calls).toBe(2);
    expect(result.scheduled).toEqual([]);
    expect(result.failed).toMatchObject([
      { code: 'TimeoutError', message: 'socket hang up', attempts: 2 },
      { code: 'TimeoutError', message: 'socket hang up', attempts: 2 },
    ]);
  });
});
