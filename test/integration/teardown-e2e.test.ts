import { setTimeout as sleep } from 'node:timers/promises';
import type { Message } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testId } from '#test/fixtures/gateway-builder';
import { JANITOR_ROLE_ID } from '#test/fixtures/sqs-event';
import { mixedFleet, TEST_POLICY } from '#test/fixtures/wire-fleet';
import { lambdaContext } from '#test/support/janitor-harness';
import { type LocalSqs, toLambdaEvent } from '#test/support/local-sqs';
import { startTeardownRig, type TeardownRig } from '#test/support/teardown-rig';
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
  // The handler kept them invisible for the rest of its invocation: here that time passes at once.
  await sqs.release(
    sqs.queueUrl,
    messages.filter((m) => failed.has(m.MessageId as string)),
  );
  return messages;
}

describe('teardown end to end through SQS', () => {
  let rig: TeardownRig;
  beforeEach(async () => {
    rig = await startTeardownRig({ gateways: mixedFleet().gateways });
  });
  afterEach(() => rig.close());

  it('deletes due requests, parks malformed ones in the DLQ, and brings deferred ones back when due', async () => {
    // Prepare
    const handler = createTeardownHandler({ env: rig.env() });
    const dueIn2s = new Date(Date.now() + 2_000).toISOString();
    await rig.sqs.send(JSON.stringify({ gatewayId: testId(3), requestedBy: 'ci' }));
    await rig.sqs.send(
      JSON.stringify({ gatewayId: testId(11), expiresAt: dueIn2s, requestedBy: 'tracker' }),
    );
    await rig.sqs.send('{"gatewayId": "../../etc/passwd"}');

    // Act: the first poll deletes, defers and parks.
    const first = await pollOnce(rig.sqs, handler);

    // Assess
    expect(first).toHaveLength(3);
    expect(rig.harness.simulator.deletes()).toEqual([testId(3)]);
    const dead = await rig.sqs.receive(rig.sqs.dlqUrl);
    expect(dead.map((m) => m.Body)).toEqual(['{"gatewayId": "../../etc/passwd"}']);
    // The deferred request and the deletion's confirmation (DELETE_CONFIRM_AFTER, 5m) wait.
    expect(await rig.sqs.count(rig.sqs.queueUrl)).toEqual({ visible: 0, delayed: 2, inFlight: 0 });

    // Act: poll until the deferred request comes back (bounded: at most ~8 s).
    const started = Date.now();
    while (rig.harness.simulator.deletes().length < 2 && Date.now() - started < 8_000) {
      await pollOnce(rig.sqs, handler);
      await sleep(200);
    }

    // Assess: it came back, was due, and was deleted; only the two deletions'
    // confirmations are left, delayed.
    expect(rig.harness.simulator.deletes()).toEqual([testId(3), testId(11)]);
    expect(await rig.sqs.count(rig.sqs.queueUrl)).toEqual({ visible: 0, delayed: 2, inFlight: 0 });
    const events = rig
      .audit()
      .filter((r) => r.gatewayId === testId(11))
      .map((r) => r.event);
    expect(events).toEqual(['gateway.deferred', 'gateway.deleted']);
  });

  it('without a DLQ URL, hands a malformed message back until the redrive policy parks it', async () => {
    const handler = createTeardownHandler({
      env: {
        ...rig.harness.env,
        JANITOR_POLICY: JSON.stringify(TEST_POLICY),
        TEARDOWN_QUEUE_URL: rig.sqs.queueUrl,
        JANITOR_ROLE_IDS: JANITOR_ROLE_ID,
        AWS_REGION: 'us-east-1',
      },
    });
    await rig.sqs.send('[]');
    const started = Date.now();
    let dead: Message[] = [];
    while (dead.length === 0 && Date.now() - started < 10_000) {
      await pollOnce(rig.sqs, handler);
      await sleep(300);
      dead = await rig.sqs.receive(rig.sqs.dlqUrl);
    }
    expect(dead.map((m) => m.Body)).toEqual(['[]']);
    const rejections = rig.audit().filter((r) => r.event === 'request.rejected');
    // One record per delivery, bounded by the queue's maxReceiveCount (3 here).
    expect(rejections.length).toBeGreaterThanOrEqual(1);
    expect(rejections.length).toBeLessThanOrEqual(3);
    expect(rig.harness.simulator.requests).toEqual([]);
  });
});
