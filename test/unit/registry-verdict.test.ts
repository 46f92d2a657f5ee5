import { describe, expect, it } from 'vitest';
import {
  deleteAfter,
  isExemptionActive,
  isPaused,
  noticeStep,
  type RegistryEntry,
  registryVerdict,
  resolveOwner,
  ruleDeletionAt,
} from '#core/registry/registry-verdict';
import type { Exemption, Lease, Notice } from '#core/registry-port';
import { aGateway, NOW } from '#test/fixtures/gateway-builder';

const H = 3_600_000;
const CREATED = '2026-11-01T00:00:00Z';
const gateway = aGateway({ name: 'pr-77', createdAt: CREATED });

const lease = (over: Partial<Lease> = {}): Lease => ({
  gatewayId: gateway.id,
  expiresAt: NOW - H,
  owner: 'team-search',
  identity: { name: 'pr-77', createdAt: Date.parse(CREATED) },
  version: 1,
  ...over,
});
const exemption = (until: number): Exemption => ({
  gatewayId: gateway.id,
  until,
  reason: 'demo',
  setBy: 'bob',
  version: 1,
});
const open = { protected: false, allowedByTeardown: true };

describe('registryVerdict', () => {
  it.each<[string, RegistryEntry, typeof open, object]>([
    ['lets the rules decide without a lease', {}, open, { decides: false }],
    [
      'deletes when the lease has expired',
      { lease: lease() },
      open,
      { action: 'delete', reason: 'lease_expired', deletionAt: NOW - H },
    ],
    [
      'keeps while the lease runs, with its expiry as D',
      { lease: lease({ expiresAt: NOW + H }) },
      open,
      { action: 'keep', reason: 'too_young', deletionAt: NOW + H },
    ],
    [
      'deletes at the exact expiry',
      { lease: lease({ expiresAt: NOW }) },
      open,
      { action: 'delete', reason: 'lease_expired' },
    ],
    [
      'never deletes a protected gateway',
      { lease: lease() },
      { ...open, protected: true },
      { action: 'keep', reason: 'protected' },
    ],
    [
      'keeps what teardown.allow does not name',
      { lease: lease() },
      { ...open, allowedByTeardown: false },
      { action: 'keep', reason: 'not_allowed' },
    ],
    [
      'keeps a gateway whose name differs from the lease',
      { lease: lease({ identity: { name: 'pr-78' } }) },
      open,
      { action: 'keep', reason: 'lease_mismatch' },
    ],
    [
      'keeps a same-named gateway created again',
      { lease: lease({ identity: { name: 'pr-77', createdAt: Date.parse(CREATED) - 1 } }) },
      open,
      { action: 'keep', reason: 'lease_mismatch' },
    ],
    [
      'deletes a gateway leased before it existed, by name',
      { lease: lease({ identity: { name: 'pr-77' } }) },
      open,
      { action: 'delete', reason: 'lease_expired' },
    ],
    [
      'keeps an exempt gateway despite an expired lease',
      { lease: lease(), exemption: exemption(NOW + 1) },
      open,
      { action: 'keep', reason: 'exempt' },
    ],
    [
      'lets a lapsed exemption go',
      { lease: lease(), exemption: exemption(NOW) },
      open,
      { action: 'delete', reason: 'lease_expired' },
    ],
    [
      'keeps an exempt gateway no lease names',
      { exemption: exemption(NOW + H) },
      open,
      { action: 'keep', reason: 'exempt' },
    ],
    [
      'keeps a gateway whose registry item is unreadable',
      { unreadable: true },
      open,
      { action: 'keep', reason: 'registry_unavailable' },
    ],
  ])('%s', (_, entry, policy, expected) => {
    expect(registryVerdict(gateway, entry, policy, NOW)).toMatchObject(expected);
  });

  it('keeps a leased gateway that is already being deleted', () => {
    const deleting = { ...gateway, status: 'STATUS_DELETING' as const };
    expect(registryVerdict(deleting, { lease: lease() }, open, NOW)).toMatchObject({
      action: 'keep',
      reason: 'already_deleting',
    });
  });

  it('keeps a leased gateway without a usable identity', () => {
    const blank = { ...gateway, name: ' ' };
    expect(registryVerdict(blank, { lease: lease() }, open, NOW)).toMatchObject({
      action: 'keep',
      reason: 'unknown_identity',
    });
  });
});

describe('isExemptionActive', () => {
  it.each([
    [undefined, false],
    [NOW + 1, true],
    [NOW, false],
  ])('with until %s answers %s', (until, expected) => {
    expect(isExemptionActive(until === undefined ? undefined : exemption(until), NOW)).toBe(
      expected,
    );
  });
});

describe('isPaused', () => {
  const control = { paused: true, reason: 'r', by: 'me', at: NOW - H, version: 1 };
  it.each([
    ['never written', undefined, true, false],
    ['unreadable', undefined, false, true],
    ['paused without end', control, true, true],
    ['paused until later', { ...control, until: NOW + 1 }, true, true],
    ['paused until now', { ...control, until: NOW }, true, false],
    ['resumed', { ...control, paused: false }, true, false],
  ])('answers for a control item %s', (_, item, readable, expected) => {
    expect(isPaused(item, readable, NOW)).toBe(expected);
  });
});

describe('resolveOwner', () => {
  it.each([
    [
      { lease: { owner: 'lease-team' }, ruleOwner: 'rule-team' },
      { owner: 'lease-team', from: 'lease' },
    ],
    [{ ruleOwner: 'rule-team' }, { owner: 'rule-team', from: 'rule' }],
    [{}, { owner: 'platform', from: 'default' }],
  ])('picks the lease, else the rule, else the default (%o)', (input, expected) => {
    expect(resolveOwner({ ...input, defaultOwner: 'platform' })).toEqual(expected);
  });
});

describe('notice', () => {
  const notice = (over: Partial<Notice> = {}): Notice => ({
    gatewayId: gateway.id,
    owner: 'team-search',
    noticedAt: NOW - 24 * H,
    deleteAfter: NOW,
    forDeletionAt: NOW - 2 * H,
    version: 1,
    ...over,
  });

  it('gives the owner the full notice: deleteAfter = max(D, noticedAt + before)', () => {
    expect(deleteAfter(NOW - H, NOW, 24 * H)).toBe(NOW + 24 * H);
    expect(deleteAfter(NOW + 48 * H, NOW, 24 * H)).toBe(NOW + 48 * H);
  });

  it.each<[string, number, Notice | undefined, object]>([
    ['waits to tell while D is further than before', NOW + 25 * H, undefined, { step: 'not_yet' }],
    [
      'tells once D is within before',
      NOW + 24 * H,
      undefined,
      { step: 'notify', deleteAfter: NOW + 24 * H },
    ],
    [
      'tells late, pushing the deletion back',
      NOW - 2 * H,
      undefined,
      { step: 'notify', deleteAfter: NOW + 24 * H },
    ],
    [
      'waits out a notice for this D',
      NOW - 2 * H,
      notice({ deleteAfter: NOW + 1 }),
      { step: 'wait', deleteAfter: NOW + 1 },
    ],
    ['deletes once the notice has run', NOW - 2 * H, notice(), { step: 'delete' }],
    [
      'treats a notice for an earlier D as void when D moved later',
      NOW + H,
      notice(),
      { step: 'notify', deleteAfter: NOW + 24 * H },
    ],
    [
      'treats a notice for a later D as void when D moved earlier',
      NOW - 3 * H,
      notice(),
      { step: 'notify' },
    ],
  ])('%s', (_, deletionAt, stored, expected) => {
    expect(noticeStep(deletionAt, stored, 24 * H, NOW)).toMatchObject(expected);
  });
});

describe('ruleDeletionAt', () => {
  it('is when the rule measured from plus maxAge, undefined when age is unknown', () => {
    expect(ruleDeletionAt({ ageMs: 2 * H, maxAgeMs: 6 * H }, NOW)).toBe(NOW + 4 * H);
    expect(ruleDeletionAt({ maxAgeMs: 6 * H }, NOW)).toBeUndefined();
  });
});
