import { describe, expect, it } from 'vitest';
import { decideConfirmation, isStuckDeleting } from '#core/confirmation/confirmation';
import { aGateway, hoursAgo, NOW } from '#test/fixtures/gateway-builder';

const MINUTE = 60_000;
const WITHIN = 60 * MINUTE;
const deletedAt = NOW - 10 * MINUTE;
const deleting = aGateway({ status: 'STATUS_DELETING', createdAt: hoursAgo(48) });

describe('decideConfirmation', () => {
  it.each([
    [
      'confirms a gateway whose GET answers 404, with the seconds it took at most',
      undefined,
      deletedAt,
      { action: 'confirmed', reason: 'gone', secondsToGone: 600 },
    ],
    [
      'waits for a gateway still deleting within the window',
      deleting,
      deletedAt,
      { action: 'wait', waitedMs: 10 * MINUTE },
    ],
    [
      'reports a gateway still deleting once the window has passed as stuck',
      deleting,
      NOW - WITHIN,
      { action: 'stuck', reason: 'deleting_too_long', waitedMs: WITHIN },
    ],
    [
      'reports a gateway back in another state as stuck, even within the window',
      { ...deleting, status: 'STATUS_ERROR' },
      deletedAt,
      { action: 'stuck', reason: 'not_deleting', waitedMs: 10 * MINUTE },
    ],
    [
      'reports a gateway READY again as stuck',
      { ...deleting, status: 'STATUS_READY' },
      deletedAt,
      { action: 'stuck', reason: 'not_deleting', waitedMs: 10 * MINUTE },
    ],
    [
      'confirms when the id now belongs to a gateway created after the DELETE answered',
      aGateway({ status: 'STATUS_READY', createdAt: new Date(NOW - MINUTE).toISOString() }),
      deletedAt,
      { action: 'confirmed', reason: 'id_reused', secondsToGone: 600 },
    ],
    [
      'treats a gateway of unreadable age, back in another state, as stuck',
      { ...deleting, status: 'STATUS_READY', createdAt: 'not-a-date' },
      deletedAt,
      { action: 'stuck', reason: 'not_deleting', waitedMs: 10 * MINUTE },
    ],
  ] as const)('%s', (_name, live, at, expected) => {
    // Act
    const decision = decideConfirmation(live, at, NOW, WITHIN);
    // Assess
    expect(decision).toEqual(expected);
  });

  it('never answers a negative wait when deletedAt is ahead of the clock', () => {
    // Act
    const decision = decideConfirmation(undefined, NOW + MINUTE, NOW, WITHIN);
    // Assess
    expect(decision).toEqual({ action: 'confirmed', reason: 'gone', secondsToGone: 0 });
  });
});

describe('isStuckDeleting', () => {
  it.each([
    ['reports a gateway deleting for longer than the window', 'STATUS_DELETING', hoursAgo(2), true],
    ['reports one deleting for exactly the window', 'STATUS_DELETING', hoursAgo(1), true],
    ['leaves one deleting for less than the window', 'STATUS_DELETING', hoursAgo(0.5), false],
    ['leaves one deleting whose updatedAt is missing', 'STATUS_DELETING', undefined, false],
    ['leaves one deleting whose updatedAt is unparseable', 'STATUS_DELETING', 'yesterday', false],
    ['leaves a gateway in any other state', 'STATUS_ERROR', hoursAgo(48), false],
  ] as const)('%s', (_name, status, updatedAt, expected) => {
    // Prepare
    const gateway = aGateway({ status, updatedAt });
    // Act & Assess
    expect(isStuckDeleting(gateway, NOW, WITHIN)).toBe(expected);
  });
});
