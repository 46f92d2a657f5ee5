import type { ChangeMessageVisibilityBatchCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { SqsReceiptCheck } from '#adapters/aws/sqs-receipt-check';

const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/teardown';
const QUEUE = { region: 'us-east-1', account: '123456789012', name: 'teardown' };

/** A client that accepts handles starting with "good" and records each batch it was sent. */
function recordingClient() {
  const calls: ChangeMessageVisibilityBatchCommand['input'][] = [];
  return {
    calls,
    client: {
      send: async (command: unknown) => {
        const { input } = command as ChangeMessageVisibilityBatchCommand;
        calls.push(input);
        const entries = input.Entries ?? [];
        return {
          Successful: entries
            .filter((e) => e.ReceiptHandle?.startsWith('good'))
            .map((e) => ({ Id: e.Id })),
          Failed: entries
            .filter((e) => !e.ReceiptHandle?.startsWith('good'))
            .map((e) => ({ Id: e.Id, SenderFault: true, Code: 'ReceiptHandleIsInvalid' })),
        };
      },
    },
  };
}

describe('SqsReceiptCheck', () => {
  it('accepts the handles SQS accepts, in one call per 10, hiding each for the rest of the invocation plus 30 s', async () => {
    // Prepare
    const { calls, client } = recordingClient();
    const check = new SqsReceiptCheck({
      queueUrl: QUEUE_URL,
      queue: QUEUE,
      client: client as never,
      remainingMs: () => 41_500,
    });
    const handles = new Map(
      Array.from({ length: 12 }, (_, i) => [`r${i}`, i === 3 ? 'forged' : `good-${i}`]),
    );
    // Act
    const accepted = await check.accept(handles);
    // Assess
    expect(calls.map((c) => c.Entries?.length)).toEqual([10, 2]);
    expect(calls.every((c) => c.QueueUrl === QUEUE_URL)).toBe(true);
    expect(new Set(calls.flatMap((c) => c.Entries?.map((e) => e.VisibilityTimeout)))).toEqual(
      new Set([42 + 30]),
    );
    expect([...accepted].sort()).toEqual([...handles.keys()].filter((id) => id !== 'r3').sort());
  });

  it('throws when the call fails as a whole, for the batch to come back unserved', async () => {
    // Prepare
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'RequestThrottled' });
    const check = new SqsReceiptCheck({
      queueUrl: QUEUE_URL,
      queue: QUEUE,
      client: { send: async () => Promise.reject(throttled) } as never,
      remainingMs: () => 10_000,
    });
    // Act / Assess
    await expect(check.accept(new Map([['r0', 'good-0']]))).rejects.toBe(throttled);
  });
});
