import { describe, expect, it } from 'vitest';
import { scheduleConfirmations } from '#core/confirmation/confirmation';
import type { ConfirmationQueue } from '#core/ports';
import { testId } from '#test/fixtures/gateway-builder';

const RUN_ID = '7d1f0c8e-5b7a-4d38-9f5e-2a9c41b0e6d3';
const DELETED_AT = '2026-11-26T12:00:00.000Z';
const NO_DEADLINE = { budgetMs: () => Number.POSITIVE_INFINITY };
const deletion = (n: number) => ({
  gatewayId: testId(n),
  gateway: { name: `pr-${n}` },
  deletedAt: DELETED_AT,
});

describe('scheduleConfirmations', () => {
  it('asks the queue for one confirmation per deletion, with the delay in whole seconds', async () => {
    // Prepare
    const calls: unknown[] = [];
    const queue: ConfirmationQueue = {
      schedule: async (confirmations, delaySeconds) => {
        calls.push({ confirmations, delaySeconds });
        return { scheduled: [...confirmations], failed: [] };
      },
    };
    // Act
    const unscheduled = await scheduleConfirmations([deletion(1), deletion(2)], {
      queue,
      delayMs: 300_000,
      runId: RUN_ID,
      deadline: NO_DEADLINE,
    });
    // Assess
    expect(unscheduled).toEqual([]);
    expect(calls).toEqual([
      {
        confirmations: [
          { gatewayId: testId(1), deletedAt: DELETED_AT, runId: RUN_ID },
          { gatewayId: testId(2), deletedAt: DELETED_AT, runId: RUN_ID },
        ],
        delaySeconds: 300,
      },
    ]);
  });

  it('sends nothing when nothing was deleted', async () => {
    // Prepare
    let called = false;
    const queue: ConfirmationQueue = {
      schedule: async () => {
        called = true;
        return { scheduled: [], failed: [] };
      },
    };
    // Act
    await scheduleConfirmations([], {
      queue,
      delayMs: 1_000,
      runId: RUN_ID,
      deadline: NO_DEADLINE,
    });
    // Assess
    expect(called).toBe(false);
  });

  it('returns each confirmation the queue could not send, with QUEUE_SEND_FAILED', async () => {
    // Prepare
    const queue: ConfirmationQueue = {
      schedule: async (confirmations) => ({
        scheduled: confirmations.slice(1),
        failed: [
          {
            confirmation: confirmations[0] as never,
            code: 'InternalError',
            message: 'x',
            attempts: 3,
          },
        ],
      }),
    };
    // Act
    const unscheduled = await scheduleConfirmations([deletion(1), deletion(2)], {
      queue,
      delayMs: 1_000,
      runId: RUN_ID,
      deadline: NO_DEADLINE,
    });
    // Assess
    expect(unscheduled).toEqual([
      {
        deletion: deletion(1),
        error: { code: 'QUEUE_SEND_FAILED', message: 'InternalError: x (3 attempts)' },
      },
    ]);
  });

  it('never throws: a queue that throws leaves every deletion unscheduled', async () => {
    // Prepare
    const queue: ConfirmationQueue = {
      schedule: async () => {
        throw new TypeError('boom');
      },
    };
    // Act
    const unscheduled = await scheduleConfirmations([deletion(1)], {
      queue,
      delayMs: 1_000,
      runId: RUN_ID,
      deadline: NO_DEADLINE,
    });
    // Assess
    expect(unscheduled).toEqual([
      { deletion: deletion(1), error: { code: 'QUEUE_SEND_FAILED', message: 'TypeError' } },
    ]);
  });
});
