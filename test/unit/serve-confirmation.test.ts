import { describe, expect, it } from 'vitest';
import { serveConfirmation } from '#core/confirmation/confirmation';
import type { Gateway } from '#core/model';
import { aGateway, NOW } from '#test/fixtures/gateway-builder';

const MINUTE = 60_000;
const http = { status: 200, attempts: 1, durationMs: 3 };
const NO_DEADLINE = { budgetMs: () => Number.POSITIVE_INFINITY };

function deps(live: Gateway | undefined) {
  const deferred: { body: string; delaySeconds: number }[] = [];
  const gets: string[] = [];
  return {
    deferred,
    gets,
    deps: {
      api: {
        get: async (id: string) => {
          gets.push(id);
          return { gateway: live, http: live ? http : { ...http, status: 404 } };
        },
      },
      clock: { now: () => NOW },
      deadline: NO_DEADLINE,
      confirmAfterMs: 5 * MINUTE,
      confirmWithinMs: 60 * MINUTE,
      defer: async (body: string, delaySeconds: number) => {
        deferred.push({ body, delaySeconds });
      },
    },
  };
}

const deleting = aGateway({ status: 'STATUS_DELETING', createdAt: '2026-11-01T00:00:00Z' });
const confirmation = (minutesAgo: number) => ({
  gatewayId: deleting.id,
  deletedAt: new Date(NOW - minutesAgo * MINUTE).toISOString(),
  deletedAtMs: NOW - minutesAgo * MINUTE,
  runId: '7d1f0c8e-5b7a-4d38-9f5e-2a9c41b0e6d3',
});

describe('serveConfirmation', () => {
  it('confirms a gateway the API no longer has', async () => {
    // Prepare
    const world = deps(undefined);
    // Act
    const served = await serveConfirmation(confirmation(5), '{}', world.deps);
    // Assess
    expect(served).toEqual({
      kind: 'confirmed',
      reason: 'gone',
      secondsToGone: 300,
      http: { ...http, status: 404 },
    });
    expect(world.deferred).toEqual([]);
  });

  it('sends a confirmation still deleting within the window again, unchanged and delayed', async () => {
    // Prepare
    const world = deps(deleting);
    // Act
    const served = await serveConfirmation(confirmation(5), 'the body', world.deps);
    // Assess
    expect(served).toMatchObject({
      kind: 'deferred',
      reason: 'confirm_pending',
      dueAt: new Date(NOW + 5 * MINUTE).toISOString(),
    });
    expect(world.deferred).toEqual([{ body: 'the body', delaySeconds: 300 }]);
  });

  it('reports stuck, and sends nothing, once the window has passed', async () => {
    // Prepare
    const world = deps(deleting);
    // Act
    const served = await serveConfirmation(confirmation(61), '{}', world.deps);
    // Assess
    expect(served).toMatchObject({ kind: 'stuck', reason: 'deleting_too_long', live: deleting });
    expect(world.deferred).toEqual([]);
  });

  it('lets a failed GET throw, for the batch to hand the message back', async () => {
    // Prepare
    const world = deps(undefined);
    world.deps.api.get = async () => {
      throw new Error('unavailable');
    };
    // Act & Assess
    await expect(serveConfirmation(confirmation(5), '{}', world.deps)).rejects.toThrow(
      'unavailable',
    );
  });
});
