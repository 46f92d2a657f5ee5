import { describe, expect, it } from 'vitest';
import { compilePolicy } from '#core/compile-policy';
import { checkDue, decideTeardown } from '#core/decide-teardown';
import { parsePolicy } from '#core/policy';
import { aGateway, NOW } from '#test/fixtures/gateway-builder';

const policy = compilePolicy(
  parsePolicy({ rules: [{ id: 'r', match: {}, maxAge: '1h' }], protect: { names: ['prod-*'] } }),
);
const live = aGateway({ name: 'pr-7', createdAt: '2026-11-20T08:00:00Z' });
const id = live.id;

describe('decideTeardown', () => {
  it.each([
    ['deletes a live gateway', {}, live, { action: 'delete' }],
    ['treats a missing gateway as gone', {}, undefined, { action: 'gone', reason: 'not_found' }],
    [
      'treats a deleting gateway as gone',
      {},
      { ...live, status: 'STATUS_DELETING' },
      { action: 'gone', reason: 'already_deleting' },
    ],
    [
      'never deletes a protected gateway',
      {},
      { ...live, name: 'prod-api' },
      { action: 'skip', reason: 'protected' },
    ],
    [
      'protects even when the request names it',
      { expectedName: 'prod-api' },
      { ...live, name: 'prod-api' },
      { action: 'skip', reason: 'protected' },
    ],
    ['matches the expected name', { expectedName: 'pr-7' }, live, { action: 'delete' }],
    [
      'skips a stale name',
      { expectedName: 'pr-6' },
      live,
      { action: 'skip', reason: 'stale_request' },
    ],
    [
      'matches createdAt in another notation',
      { expectedCreatedAt: '2026-11-20T09:00:00.000+01:00' },
      live,
      { action: 'delete' },
    ],
    [
      'skips a stale createdAt',
      { expectedCreatedAt: '2026-11-21T08:00:00Z' },
      live,
      { action: 'skip', reason: 'stale_request' },
    ],
    [
      'skips when the live createdAt is unknown',
      { expectedCreatedAt: '2026-11-20T08:00:00Z' },
      { ...live, createdAt: undefined },
      { action: 'skip', reason: 'stale_request' },
    ],
  ] as const)('%s', (_title, extra, gateway, verdict) => {
    expect(decideTeardown({ gatewayId: id, ...extra }, gateway as never, policy)).toEqual(verdict);
  });
});

describe('checkDue', () => {
  it.each([
    ['no expiresAt', undefined, { due: true }],
    ['expiresAt in the past', '2026-11-26T11:00:00Z', { due: true }],
    ['expiresAt now', '2026-11-26T12:00:00Z', { due: true }],
    [
      'expiresAt in 90s',
      '2026-11-26T12:01:30Z',
      { due: false, dueAt: '2026-11-26T12:01:30.000Z', delaySeconds: 90 },
    ],
    [
      'expiresAt in 2 days waits at most 15 minutes',
      '2026-11-28T12:00:00Z',
      { due: false, dueAt: '2026-11-28T12:00:00.000Z', delaySeconds: 900 },
    ],
  ])('%s', (_title, expiresAt, expected) => {
    expect(checkDue({ gatewayId: id, ...(expiresAt ? { expiresAt } : {}) }, NOW)).toEqual(expected);
  });
});
