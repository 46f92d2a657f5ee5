import { setTimeout as sleep } from 'node:timers/promises';
import type { Message } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testId } from '#test/fixtures/gateway-builder';
import { mixedFleet, TEST_POLICY } from '#test/fixtures/wire-fleet';
import { leakedCanaries } from '#test/support/canaries';
import { auditLines, captureOutput } from '#test/support/capture-output';
import { type Harness, lambdaContext, startHarness } from '#test/support/janitor-harness';
import { type LocalSqs, startLocalSqs, toLambdaEvent } from '#test/support/local-sqs';
import { createTeardownHandler } from '../../functions/teardown.ts';

/**
 * Plays the part of Lambda's event source mapping against a real SQS API on loopback:
 * receive, invoke, then delete exactly the messages the handler did not report.
 */
async function pollOnce(
  sqs: LocalSqs,
  handler: ReturnType<typeof createTeardownHandler>,
): Promise<Message[]> {
  const messages = await sqs.receive(sqs.queueUrl, 10, 1);
  if (messages.length === 0) return [];
  const response = await handler(toLambdaEvent(messages), lambdaContext(60_000));
  const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
  for (const message of messages) {
    if (!failed.has(message.MessageId as string)) await sqs.acknowledge(sqs.queueUrl, message);
  }
  return messages;
}

describe('teardown end to end through SQS', () => {
  let harness: Harness;
  let sqs: LocalSqs;
  let output: ReturnType<typeof captureOutput>;

  beforeEach(async () => {
    sqs = await startLocalSqs();
    // The production SQS client finds the local queue through AWS_ENDPOINT_URL_SQS.
    harness = await startHarness({
      gateways: mixedFleet().gateways,
      sdkEnv: { AWS_ENDPOINT_URL_SQS: sqs.endpoint },
    });
    output = captureOutput();
  });
  afterEach(async () => {
    output.restore();
    expect(leakedCanaries(output.text())).toEqual([]);
    await Promise.all([harness.close(), sqs.close()]);
  });

  it('deletes due requests, parks malformed ones in the DLQ, and brings deferred ones back when due', async () => {
    // Prepare
    const handler = createTeardownHandler({
      env: {
        ...harness.env,
        JANITOR_POLICY: JSON.stringify(TEST_POLICY),
        TEARDOWN_QUEUE_URL: sqs.queueUrl,
        TEARDOWN_DLQ_URL: sqs.dlqUrl,
        DRY_RUN: 'false',
      },
    });
    const dueIn2s = new Date(Date.now() + 2_000).toISOString();
    await sqs.send(JSON.stringify({ gatewayId: testId(3), requestedBy: 'ci' }));
    await sqs.send(
      JSON.stringify({ gatewayId: testId(11), expiresAt: dueIn2s, requestedBy: 'tracker' }),
    );
    await sqs.send('{"gatewayId": "../../etc/passwd"}');

    // Act: the first poll deletes, defers and parks.
    const first = await pollOnce(sqs, handler);

    // Assess
    expect(first).toHaveLength(3);
    expect(harness.simulator.deletes()).toEqual([testId(3)]);
    const dead = await sqs.receive(sqs.dlqUrl);
    expect(dead.map((m) => m.Body)).toEqual(['{"gatewayId": "../../etc/passwd"}']);
    // The deferred request and the deletion's confirmation (DELETE_CONFIRM_AFTER, 5m) wait.
    expect(await sqs.count(sqs.queueUrl)).toEqual({ visible: 0, delayed: 2, inFlight: 0 });

    // Act: poll until the deferred request comes back (bounded: at most ~8 s).
    const started = Date.now();
    while (harness.simulator.deletes().length < 2 && Date.now() - started < 8_000) {
      await pollOnce(sqs, handler);
      await sleep(200);
    }

    // Assess: it came back, was due, and was deleted; only the two deletions'
    // confirmations are left, delayed.
    expect(harness.simulator.deletes()).toEqual([testId(3), testId(11)]);
    expect(await sqs.count(sqs.queueUrl)).toEqual({ visible: 0, delayed: 2, inFlight: 0 });
    const events = auditLines(output.lines())
      .filter((r) => r.gatewayId === testId(11))
      .map((r) => r.event);
    expect(events).toEqual(['gateway.deferred', 'gateway.deleted']);
  });

  it('without a DLQ URL, hands a malformed message back until the redrive policy parks it', async () => {
    const handler = createTeardownHandler({
      env: {
        ...harness.env,
        JANITOR_POLICY: JSON.stringify(TEST_POLICY),
        TEARDOWN_QUEUE_URL: sqs.queueUrl,
      },
    });
    await sqs.send('[]');
    const started = Date.now();
    let dead: Message[] = [];
    while (dead.length === 0 && Date.now() - started < 10_000) {
      await pollOnce(sqs, handler);
      await sleep(300);
      dead = await sqs.receive(sqs.dlqUrl);
    }
    expect(dead.map((m) => m.Body)).toEqual(['[]']);
    const rejections = auditLines(output.lines()).filter((r) => r.event === 'request.rejected');
    // One record per delivery, bounded by the queue's maxReceiveCount (3 here).
    expect(rejections.length).toBeGreaterThanOrEqual(1);
    expect(rejections.length).toBeLessThanOrEqual(3);
    expect(harness.simulator.requests).toEqual([]);
  });
});
