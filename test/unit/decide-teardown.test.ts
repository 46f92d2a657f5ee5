import { describe, expect, it } from 'vitest';
import { compilePolicy } from '#core/policy/compile-policy';
import { parsePolicy } from '#core/policy/policy';
import { checkDue, decideTeardown, isBeyondHorizon, pinIdentity } from '#core/teardown/request';
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
    [
      'keeps a gateway the GET describes without a name',
      {},
      { ...live, name: '' },
      { action: 'skip', reason: 'unknown_identity' },
    ],
    [
      'keeps a gateway the GET describes with a blank name, even when the request expects it',
      { expectedName: ' ' },
      { ...live, name: ' ' },
      { action: 'skip', reason: 'unknown_identity' },
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

describe('decideTeardown: the gateway asked for is the gateway deleted', () => {
  const other = aGateway({ name: 'pr-8', createdAt: live.createdAt });
  const narrowed = compilePolicy(
    parsePolicy({
      rules: [{ id: 'r', match: {}, maxAge: '1h' }],
      protect: { ids: [id], names: ['prod-*'] },
      teardown: { allow: { names: ['pr-*'] } },
    }),
  );

  it.each([
    ['skips a GET that describes another id', {}, other, policy, 'stale_request'],
    [
      'skips a GET that describes another id even with the expected name and createdAt',
      { expectedName: 'pr-8', expectedCreatedAt: live.createdAt },
      other,
      policy,
      'stale_request',
    ],
    ['protects the requested id whatever the GET describes', {}, other, narrowed, 'protected'],
    [
      'protects the gateway the GET describes',
      {},
      { ...live, name: 'prod-db' },
      policy,
      'protected',
    ],
    [
      'skips a gateway outside teardown.allow',
      {},
      { ...aGateway({ name: 'demo' }), id },
      compilePolicy(
        parsePolicy({
          rules: [{ id: 'r', match: {}, maxAge: '1h' }],
          teardown: { allow: { names: ['pr-*'] } },
        }),
      ),
      'not_allowed',
    ],
  ] as const)('%s', (_title, extra, gateway, rules, reason) => {
    expect(decideTeardown({ gatewayId: id, ...extra }, gateway, rules)).toEqual({
      action: 'skip',
      reason,
    });
  });

  it('compares ids case-insensitively: the upper-case spelling is the requested gateway', () => {
    const request = { gatewayId: id };
    expect(decideTeardown(request, { ...live, id: id.toUpperCase() }, policy)).toEqual({
      action: 'delete',
    });
    expect(decideTeardown(request, { ...live, id: other.id.toUpperCase() }, policy)).toEqual({
      action: 'skip',
      reason: 'stale_request',
    });
  });

  it('deletes a gateway inside teardown.allow', () => {
    const allow = compilePolicy(
      parsePolicy({
        rules: [{ id: 'r', match: {}, maxAge: '1h' }],
        teardown: { allow: { names: ['pr-*'] } },
      }),
    );
    expect(decideTeardown({ gatewayId: id }, live, allow)).toEqual({ action: 'delete' });
  });
});

describe('pinIdentity', () => {
  it('pins createdAt and name of the live gateway', () => {
    expect(pinIdentity({ gatewayId: id, requestedBy: 'ci' }, live)).toEqual({
      action: 'defer',
      request: {
        gatewayId: id,
        requestedBy: 'ci',
        expectedCreatedAt: live.createdAt,
        expectedName: 'pr-7',
      },
    });
  });

  it('keeps an expected name the request already carries', () => {
    expect(pinIdentity({ gatewayId: id, expectedName: 'pr-7' }, live)).toMatchObject({
      request: { expectedName: 'pr-7', expectedCreatedAt: live.createdAt },
    });
  });

  it('pins no createdAt it cannot read', () => {
    expect(pinIdentity({ gatewayId: id }, { ...live, createdAt: 'yesterday' })).toEqual({
      action: 'defer',
      request: { gatewayId: id, expectedName: 'pr-7' },
    });
  });

  it.each([
    ['a gone gateway is already gone', {}, undefined, { action: 'gone', reason: 'not_found' }],
    [
      'a GET that describes another id is stale',
      {},
      aGateway(),
      { action: 'skip', reason: 'stale_request' },
    ],
    [
      'a gateway whose name is not the expected one is stale',
      { expectedName: 'pr-6' },
      live,
      { action: 'skip', reason: 'stale_request' },
    ],
  ] as const)('%s', (_title, extra, gateway, expected) => {
    expect(pinIdentity({ gatewayId: id, ...extra }, gateway)).toEqual(expected);
  });
});

describe('isBeyondHorizon', () => {
  const DAY = 86_400_000;
  it.each([
    ['no expiresAt', undefined, false],
    ['in the past', '2026-11-01T00:00:00Z', false],
    ['exactly at the horizon', new Date(NOW + 30 * DAY).toISOString(), false],
    ['a second past the horizon', new Date(NOW + 30 * DAY + 1_000).toISOString(), true],
    ['in year 9999', '9999-12-31T23:59:59Z', true],
  ])('%s: %s', (_title, expiresAt, beyond) => {
    const request = { gatewayId: id, ...(expiresAt ? { expiresAt } : {}) };
    expect(isBeyondHorizon(request, NOW, 30 * DAY)).toBe(beyond);
  });
});
