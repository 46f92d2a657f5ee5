import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryError, ValidationError } from '#core/errors';
import { encodeLease, gatewayKey } from '#core/registry/registry-codec';
import { budgetState } from '#core/registry/registry-verdict';
import type { LeaseInput, StoredItem } from '#core/registry-port';
import {
  dynamoDbSubject,
  memorySubject,
  type RegistrySubject,
  rejection,
} from '#test/support/registry-subjects';

const H = 3_600_000;
const D = 24 * H;
const NOW = Date.parse('2026-06-01T12:00:00.000Z');
const ID = '0b7e6a0c-1f2d-4c3b-9a8e-5d6c7b8a9f01';
const OTHER = '1c8f7b1d-2e3f-4d5c-8b9a-6e7d8c9b0a12';

const lease = (over: Partial<LeaseInput> = {}): LeaseInput => ({
  gatewayId: ID,
  expiresAt: NOW + 3 * D,
  owner: 'team-search',
  purpose: 'PR 1234',
  createdBy: 'alice',
  identity: { name: 'pr-1234', createdAt: NOW - H },
  ...over,
});

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

const subjects: RegistrySubject[] = [memorySubject, dynamoDbSubject()];

describe.each(subjects)('registry contract: $name', (subject) => {
  beforeAll(() => subject.start());
  afterAll(() => subject.stop());

  describe('leases', () => {
    it('sets a lease that the snapshot returns, then replaces it with a new version', async () => {
      const { registry } = await subject.make();
      const first = await registry.setLease(lease(), NOW);
      const second = await registry.setLease(lease({ owner: 'team-ads' }), NOW);
      const snap = await registry.snapshot();
      expect(first.previous).toBeUndefined();
      expect(second.previous).toEqual(first.current);
      expect(snap.leases.get(ID)).toEqual({ ...lease({ owner: 'team-ads' }), version: 2 });
    });

    it('never creates a lease by extending', async () => {
      const { registry } = await subject.make();
      const error = await rejection(registry.extendLease(ID, { byMs: D }, NOW));
      expect((error as RegistryError).code).toBe('REGISTRY_NOT_FOUND');
      expect((await registry.snapshot()).leases.size).toBe(0);
    });

    it('extends by a duration from the expiry, or to a later time', async () => {
      const { registry } = await subject.make();
      await registry.setLease(lease(), NOW);
      const by = await registry.extendLease(ID, { byMs: D }, NOW);
      const until = await registry.extendLease(ID, { until: NOW + 10 * D }, NOW);
      expect(by.current.expiresAt).toBe(NOW + 4 * D);
      expect(until.current).toMatchObject({
        expiresAt: NOW + 10 * D,
        version: 3,
        owner: 'team-search',
      });
    });

    it.each([
      ['expiresAt', lease({ expiresAt: NOW + 31 * D }), 'more than leases.maxTtl ahead'],
      ['expiresAt', lease({ expiresAt: NOW - 1 }), 'must lie in the future'],
      ['owner', lease({ owner: ' ' }), 'required'],
      ['identity.name', lease({ identity: { name: '' } }), 'required'],
      ['gatewayId', lease({ gatewayId: 'not-a-uuid' }), 'expected a gateway uuid'],
    ])('refuses a lease with a bad %s, writing nothing', async (field, input, message) => {
      const { registry } = await subject.make();
      const error = await rejection(registry.setLease(input, NOW));
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ code: 'INPUT_INVALID', field });
      expect((error as Error).message).toContain(message);
      expect((await registry.snapshot()).stats.items).toBe(0);
    });

    it('refuses an extension past leases.maxTtl, or earlier than the expiry, keeping the lease', async () => {
      const { registry } = await subject.make({ maxTtlMs: 7 * D, maxKeepMs: D });
      await registry.setLease(lease(), NOW);
      const past = await rejection(registry.extendLease(ID, { byMs: 5 * D }, NOW));
      const earlier = await rejection(registry.extendLease(ID, { until: NOW + D }, NOW));
      expect(past).toMatchObject({ code: 'INPUT_INVALID', field: 'by' });
      expect(earlier).toMatchObject({ code: 'INPUT_INVALID', field: 'until' });
      expect((await registry.snapshot()).leases.get(ID)).toMatchObject({
        expiresAt: NOW + 3 * D,
        version: 1,
      });
    });

    it('loses no update when two extensions race', async () => {
      const { registry } = await subject.make();
      await registry.setLease(lease(), NOW);
      const results = await Promise.all([
        registry.extendLease(ID, { byMs: H }, NOW),
        registry.extendLease(ID, { byMs: H }, NOW),
      ]);
      const stored = (await registry.snapshot()).leases.get(ID);
      expect(stored).toMatchObject({ expiresAt: NOW + 3 * D + 2 * H, version: 3 });
      expect(results.map((r) => r.current.version).sort()).toEqual([2, 3]);
    });

    it('serialises two racing sets: each sees the one before it', async () => {
      const { registry } = await subject.make();
      const [a, b] = await Promise.all([
        registry.setLease(lease({ owner: 'a' }), NOW),
        registry.setLease(lease({ owner: 'b' }), NOW),
      ]);
      const [firstWin, secondWin] = [a, b].sort((x, y) => x.current.version - y.current.version);
      expect(firstWin?.previous).toBeUndefined();
      expect(secondWin?.previous).toEqual(firstWin?.current);
    });

    it('releases only the version the caller saw', async () => {
      const { registry } = await subject.make();
      const { current } = await registry.setLease(lease(), NOW);
      await registry.extendLease(ID, { byMs: H }, NOW);
      const stale = await registry.releaseLease(ID, { version: current.version });
      const fresh = await registry.releaseLease(ID, { version: current.version + 1 });
      expect(stale).toBeUndefined();
      expect(fresh?.version).toBe(2);
      expect(await registry.releaseLease(ID)).toBeUndefined();
    });

    it('records when a lease went unlisted, and that it is listed again, conditionally', async () => {
      const { registry } = await subject.make();
      await registry.setLease(lease(), NOW);
      expect(await registry.markUnlisted(ID, NOW, { version: 1 })).toBe(true);
      expect(await registry.markUnlisted(ID, NOW + H, { version: 1 })).toBe(false);
      expect((await registry.snapshot()).leases.get(ID)).toMatchObject({
        unlistedSince: NOW,
        version: 2,
      });
      expect(await registry.markUnlisted(ID, undefined, { version: 2 })).toBe(true);
      expect((await registry.snapshot()).leases.get(ID)?.unlistedSince).toBeUndefined();
    });
  });

  describe('exemptions', () => {
    it('keeps until a time within leases.maxKeep, and unkeeps', async () => {
      const { registry } = await subject.make({ maxTtlMs: 30 * D, maxKeepMs: 2 * D });
      const kept = await registry.keep(
        { gatewayId: ID, until: NOW + D, reason: 'demo', setBy: 'bob' },
        NOW,
      );
      const tooFar = await rejection(
        registry.keep({ gatewayId: OTHER, until: NOW + 3 * D, reason: 'x', setBy: 'bob' }, NOW),
      );
      expect(kept.current).toEqual({
        gatewayId: ID,
        until: NOW + D,
        reason: 'demo',
        setBy: 'bob',
        version: 1,
      });
      expect(tooFar).toMatchObject({ code: 'INPUT_INVALID', field: 'until' });
      expect([...(await registry.snapshot()).exemptions.keys()]).toEqual([ID]);
      expect((await registry.unkeep(ID))?.reason).toBe('demo');
      expect((await registry.snapshot()).exemptions.size).toBe(0);
    });

    it('refuses an exemption without a reason', async () => {
      const { registry } = await subject.make();
      const error = await rejection(
        registry.keep({ gatewayId: ID, until: NOW + D, reason: '', setBy: 'bob' }, NOW),
      );
      expect(error).toMatchObject({ code: 'INPUT_INVALID', field: 'reason' });
    });
  });

  describe('notices', () => {
    it('records a notice once: a second writer that saw none loses', async () => {
      const { registry } = await subject.make();
      const notice = {
        gatewayId: ID,
        owner: 'team-search',
        noticedAt: NOW,
        deleteAfter: NOW + D,
        forDeletionAt: NOW + H,
      };
      const [first, second] = await Promise.all([
        registry.recordNotice(notice, 'absent'),
        registry.recordNotice({ ...notice, noticedAt: NOW + 1 }, 'absent'),
      ]);
      expect([first, second].filter(Boolean)).toHaveLength(1);
      const stored = (await registry.snapshot()).notices.get(ID);
      expect(
        await registry.recordNotice({ ...notice, forDeletionAt: NOW + 2 * H }, { version: 1 }),
      ).toBe(true);
      expect(stored?.version).toBe(1);
      expect(await registry.removeNotice(ID, { version: 1 })).toBe(false);
      expect(await registry.removeNotice(ID)).toBe(true);
    });
  });

  describe('pause', () => {
    it('pauses until a time and resumes, readable alone or in the snapshot', async () => {
      const { registry } = await subject.make();
      expect(await registry.readControl()).toEqual({ control: undefined, readable: true });
      await registry.pause({ until: NOW + H, reason: 'incident 42', by: 'carol' }, NOW);
      expect((await registry.readControl()).control).toEqual({
        paused: true,
        until: NOW + H,
        reason: 'incident 42',
        by: 'carol',
        at: NOW,
        version: 1,
      });
      const resumed = await registry.resume({ by: 'dave' }, NOW + 1);
      expect(resumed.previous?.paused).toBe(true);
      expect((await registry.snapshot()).control).toMatchObject({
        paused: false,
        by: 'dave',
        version: 2,
      });
    });

    it('counts a control item it cannot read as unreadable', async () => {
      const { registry, seed } = await subject.make();
      await seed([{ pk: 'control', sk: 'control', paused: 'yes', version: 1 }]);
      expect((await registry.readControl()).readable).toBe(false);
      expect((await registry.snapshot()).controlReadable).toBe(false);
    });
  });

  describe('rolling budget', () => {
    it('takes at most max units in 24 hours, and frees each 24 hours after its use', async () => {
      const { registry } = await subject.make();
      const first = await registry.takeBudget(3, NOW, 5);
      const second = await registry.takeBudget(3, NOW + H, 5);
      const third = await registry.takeBudget(1, NOW + 2 * H, 5);
      const nextDay = await registry.takeBudget(5, NOW + D + 1, 5);
      expect([first.taken, second.taken, third.taken]).toEqual([3, 2, 0]);
      expect(nextDay.taken).toBe(3);
      expect(budgetState((await registry.snapshot()).budget, NOW + D + 1, 5).left).toBe(0);
    });

    it('never goes over budget when ten takers race with the same stale view', async () => {
      const { registry } = await subject.make();
      await registry.takeBudget(2, NOW - H, 7);
      const known = (await registry.snapshot()).budget;
      const takes = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          registry.takeBudget(2, NOW, 7, { known, by: `run-${i}` }),
        ),
      );
      expect(takes.reduce((sum, t) => sum + t.taken, 0)).toBe(5);
      expect(budgetState((await registry.snapshot()).budget, NOW, 7)).toMatchObject({
        used: 7,
        left: 0,
      });
    });

    it('holds a lowered budget at once, counting slots above it', async () => {
      const { registry } = await subject.make();
      await registry.takeBudget(10, NOW, 10);
      const lowered = await registry.takeBudget(5, NOW + H, 5);
      expect(lowered.taken).toBe(0);
    });
  });

  describe('reading', () => {
    it('reads 2,000 leases and a few other items in one paginated snapshot', async () => {
      const { registry, seed } = await subject.make();
      const items: StoredItem[] = Array.from({ length: 2_000 }, (_, i) =>
        encodeLease({ ...lease({ gatewayId: uuid(i), purpose: 'p'.repeat(500) }), version: 1 }),
      );
      await seed(items);
      await registry.keep({ gatewayId: ID, until: NOW + D, reason: 'demo', setBy: 'bob' }, NOW);
      const snap = await registry.snapshot();
      expect(snap.leases.size).toBe(2_000);
      expect(snap.exemptions.size).toBe(1);
      expect(snap.stats.items).toBe(2_001);
      if (subject.name !== 'memory') expect(snap.stats.pages).toBeGreaterThan(1);
    });

    it("reads one gateway's items alone", async () => {
      const { registry } = await subject.make();
      await registry.setLease(lease(), NOW);
      await registry.keep({ gatewayId: ID, until: NOW + D, reason: 'demo', setBy: 'bob' }, NOW);
      await registry.setLease(lease({ gatewayId: OTHER }), NOW);
      const entries = await registry.readGateway(ID.toUpperCase());
      expect(entries).toMatchObject({
        lease: { owner: 'team-search' },
        exemption: { reason: 'demo' },
        unreadable: false,
      });
      expect(entries.notice).toBeUndefined();
      expect(await registry.readGateway(uuid(9))).toEqual({ unreadable: false });
    });

    it('names a gateway whose item it cannot read, so the sweep keeps it', async () => {
      const { registry, seed } = await subject.make();
      await seed([{ ...gatewayKey(ID, 'lease'), expiresAt: 'soon', owner: 'x', version: 1 }]);
      const snap = await registry.snapshot();
      expect([...snap.unreadable]).toEqual([ID]);
      expect(snap.leases.size).toBe(0);
      expect((await registry.readGateway(ID)).unreadable).toBe(true);
    });

    it('fails with REGISTRY_UNAVAILABLE when the table cannot be reached, writing nothing', async () => {
      const { registry, breakIt } = await subject.make();
      breakIt();
      for (const call of [
        () => registry.snapshot(),
        () => registry.setLease(lease(), NOW),
        () => registry.takeBudget(1, NOW, 5),
        () => registry.readControl(),
      ]) {
        const error = await rejection(call());
        expect(error).toBeInstanceOf(RegistryError);
        expect((error as RegistryError).code).toBe('REGISTRY_UNAVAILABLE');
      }
    });
  });
});
