import { describe, expect, it } from 'vitest';
import { createMemoryRegistry } from '#adapters/memory-registry';
import type { OwnerNotice } from '#core/audit/notice';
import { createRunRecorder } from '#core/audit/recorder';
import { compilePolicy } from '#core/policy/compile-policy';
import { parsePolicy } from '#core/policy/policy';
import {
  forecastDeletions,
  holdForNotice,
  type OwnerNoticePublisher,
} from '#core/registry/owner-notice';
import type { Registry } from '#core/registry-port';
import { planCleanup } from '#core/sweep/plan';
import { MemoryAuditSink } from '#test/fakes/memory-audit-sink';
import { aGateway, NOW } from '#test/fixtures/gateway-builder';

const H = 3_600_000;
const policy = {
  ...compilePolicy(
    parsePolicy({
      rules: [
        { id: 'search', match: { name: 'search-*' }, maxAge: '48h', owner: 'team-search' },
        { id: 'pr', match: { name: 'pr-*' }, maxAge: '48h' },
      ],
      limits: { maxDeletesPerRun: 100, maxDeletePercent: 100 },
    }),
  ),
  notice: { beforeMs: 24 * H, defaultOwner: 'platform' },
};
/** A gateway of the given name that the rules make due `dueInHours` from `now`. */
const gatewayDue = (name: string, dueInHours: number) =>
  aGateway({ name, createdAt: new Date(NOW - 48 * H + dueInHours * H).toISOString() });

class FakeTopic implements OwnerNoticePublisher {
  readonly sent: OwnerNotice[] = [];
  failing = false;
  async publish(notice: OwnerNotice) {
    if (this.failing) throw new Error('SNS said no');
    this.sent.push(notice);
  }
}

function world() {
  const { registry, store } = createMemoryRegistry();
  const topic = new FakeTopic();
  const sink = new MemoryAuditSink();
  const sweep = async (
    gateways: ReturnType<typeof aGateway>[],
    now: number,
    options: { dryRun?: boolean; registry?: Registry; notice?: boolean } = {},
  ) => {
    const dryRun = options.dryRun ?? false;
    const recorder = createRunRecorder({
      sink,
      clock: { now: () => now },
      context: { runId: `run-${now}`, trigger: 'schedule', dryRun },
    });
    const plan = planCleanup(gateways, policy, now);
    const gate = await holdForNotice(
      plan.entries,
      {
        policy: options.notice === false ? { ...policy, notice: undefined } : policy,
        registry: options.registry ?? registry,
        snapshot: await registry.snapshot(),
        notices: topic,
        dryRun,
        now,
      },
      recorder,
    );
    return { gate, deletable: plan.expired.filter((e) => gate.mayDelete(e.gateway.id)) };
  };
  return { registry, store, topic, sink, sweep };
}

describe('holdForNotice', () => {
  it('sends two owners one message each, listing only their own gateways', async () => {
    // Prepare
    const w = world();
    const search = [gatewayDue('search-a', -1), gatewayDue('search-b', 5)];
    const pr = gatewayDue('pr-1', 2);
    // Act
    const { deletable } = await w.sweep([...search, pr, gatewayDue('pr-later', 30)], NOW);
    // Assess
    expect(deletable).toEqual([]);
    expect(w.topic.sent.map((m) => m.owner).sort()).toEqual(['platform', 'team-search']);
    const searchMessage = w.topic.sent.find((m) => m.owner === 'team-search');
    expect(searchMessage?.named.sort()).toEqual(search.map((g) => g.id).sort());
    expect(searchMessage?.text).not.toContain('pr-1');
    expect(w.topic.sent.find((m) => m.owner === 'platform')?.named).toEqual([pr.id]);
    expect(w.sink.ids('gateway.noticed')).toEqual([...search, pr].map((g) => g.id).sort());
  });

  it('gives the owner the full `before` however late the notice: deleteAfter = max(D, now + before)', async () => {
    // Prepare
    const w = world();
    const late = gatewayDue('pr-late', -3);
    const early = gatewayDue('pr-early', 20);
    // Act
    await w.sweep([late, early], NOW);
    // Assess
    const deleteAfterOf = (id: string) =>
      w.sink.events('gateway.noticed').find((r) => r.gatewayId === id)?.deleteAfter;
    expect(deleteAfterOf(late.id)).toBe(new Date(NOW + 24 * H).toISOString());
    expect(deleteAfterOf(early.id)).toBe(new Date(NOW + 24 * H).toISOString());
    expect(w.sink.events('gateway.noticed')[0]).toMatchObject({
      owner: 'platform',
      reason: 'notice_pending',
    });
  });

  it('keeps a noticed gateway until deleteAfter, then lets it go', async () => {
    // Prepare
    const w = world();
    const gateway = gatewayDue('pr-1', -1);
    await w.sweep([gateway], NOW);
    // Act
    const before = await w.sweep([gateway], NOW + 24 * H - 1);
    const after = await w.sweep([gateway], NOW + 24 * H);
    // Assess
    expect(before.deletable).toEqual([]);
    expect(w.sink.events('gateway.skipped').map((r) => r.reason)).toEqual(['notice_pending']);
    expect(after.deletable.map((e) => e.gateway.id)).toEqual([gateway.id]);
    expect(w.topic.sent).toHaveLength(1);
  });

  it('keeps everything and records notice_failed when the message is not accepted', async () => {
    // Prepare
    const w = world();
    w.topic.failing = true;
    const gateways = [gatewayDue('pr-1', -1), gatewayDue('search-1', 3)];
    // Act
    const { deletable } = await w.sweep(gateways, NOW);
    // Assess
    expect(deletable).toEqual([]);
    expect(w.store.items()).toEqual([]);
    expect(w.sink.events('gateway.skipped').map((r) => [r.reason, r.owner])).toEqual([
      ['notice_failed', 'platform'],
      ['notice_failed', 'team-search'],
    ]);
  });

  it('keeps the gateway (notice_failed) when the notice cannot be recorded', async () => {
    // Prepare
    const w = world();
    const gateway = gatewayDue('pr-1', -1);
    const broken = createMemoryRegistry();
    broken.store.unavailable = true;
    // Act
    const first = await w.sweep([gateway], NOW, { registry: broken.registry });
    const later = await w.sweep([gateway], NOW + 48 * H, { registry: broken.registry });
    // Assess
    expect([...first.deletable, ...later.deletable]).toEqual([]);
    expect(w.sink.events('gateway.skipped').map((r) => r.error?.code)).toEqual([
      'REGISTRY_UNAVAILABLE',
      'REGISTRY_UNAVAILABLE',
    ]);
  });

  it('voids a notice when a keep moved the deletion later: a new notice is needed', async () => {
    // Prepare
    const w = world();
    const gateway = gatewayDue('pr-1', -1);
    await w.sweep([gateway], NOW);
    await w.registry.keep(
      { gatewayId: gateway.id, until: NOW + 30 * H, reason: 'demo day', setBy: 'bob' },
      NOW + H,
    );
    // Act
    const afterKeep = await w.sweep([gateway], NOW + 31 * H);
    // Assess
    expect(afterKeep.deletable).toEqual([]);
    expect(w.topic.sent).toHaveLength(2);
    expect(w.sink.events('gateway.noticed').at(-1)?.deleteAfter).toBe(
      new Date(NOW + 55 * H).toISOString(),
    );
  });

  it('tells no one and writes nothing in a dry run, but keeps the gateway pending', async () => {
    // Prepare
    const w = world();
    const gateway = gatewayDue('pr-1', -1);
    // Act
    const { deletable } = await w.sweep([gateway], NOW, { dryRun: true });
    // Assess
    expect(deletable).toEqual([]);
    expect(w.topic.sent).toEqual([]);
    expect(w.store.items()).toEqual([]);
    expect(w.sink.events('gateway.skipped')[0]).toMatchObject({
      reason: 'notice_pending',
      owner: 'platform',
      deleteAfter: new Date(NOW + 24 * H).toISOString(),
    });
  });

  it('lets every expired gateway go and tells no one when notice is off', async () => {
    // Prepare
    const w = world();
    const gateway = gatewayDue('pr-1', -1);
    // Act
    const { deletable, gate } = await w.sweep([gateway, gatewayDue('pr-2', 30)], NOW, {
      notice: false,
    });
    // Assess
    expect(deletable.map((e) => e.gateway.id)).toEqual([gateway.id]);
    expect(w.topic.sent).toEqual([]);
    expect(gate.expiringWithin24h).toBe(1);
  });

  it('counts the gateways whose deletion falls within 24 hours, noticed or not', async () => {
    // Prepare
    const w = world();
    const fleet = [gatewayDue('pr-1', -1), gatewayDue('pr-2', 23), gatewayDue('pr-3', 25)];
    // Act
    const noticed = await w.sweep(fleet, NOW);
    const pending = await w.sweep(fleet, NOW + H);
    const off = await w.sweep(fleet, NOW, { notice: false });
    // Assess
    expect(noticed.gate.expiringWithin24h).toBe(2);
    expect(pending.gate.expiringWithin24h).toBe(3);
    expect(off.gate.expiringWithin24h).toBe(2);
  });

  it('forecasts for the plan who would be told and when each gateway would go, writing nothing', async () => {
    // Prepare
    const w = world();
    const told = gatewayDue('search-1', -1);
    const fresh = gatewayDue('pr-1', -2);
    const later = gatewayDue('pr-2', 30);
    await w.sweep([told], NOW - H);
    const plan = planCleanup([told, fresh, later], policy, NOW);
    // Act
    const forecast = forecastDeletions(plan.entries, {
      policy,
      snapshot: await w.registry.snapshot(),
      now: NOW,
    });
    // Assess
    expect(forecast.get(told.id)).toEqual({ owner: 'team-search', deletesAfter: NOW + 23 * H });
    expect(forecast.get(fresh.id)).toEqual({ owner: 'platform', deletesAfter: NOW + 24 * H });
    expect(forecast.get(later.id)).toEqual({ owner: 'platform', deletesAfter: NOW + 30 * H });
    expect(w.store.items()).toHaveLength(1);
  });

  it('tells the owner of an expired gateway its deployments still hold, so it may go once they do', async () => {
    // Prepare
    const w = world();
    const gateway = gatewayDue('pr-1', -1);
    const held = planCleanup([gateway], policy, NOW).entries.map((entry) => ({
      ...entry,
      verdict: { ...entry.verdict, action: 'keep' as const, reason: 'has_deployments' as const },
    }));
    const recorder = createRunRecorder({
      sink: w.sink,
      clock: { now: () => NOW },
      context: { runId: 'held', trigger: 'schedule', dryRun: false },
    });
    // Act
    await holdForNotice(
      held,
      {
        policy,
        registry: w.registry,
        snapshot: await w.registry.snapshot(),
        notices: w.topic,
        dryRun: false,
        now: NOW,
      },
      recorder,
    );
    const later = await w.sweep([gateway], NOW + 24 * H);
    // Assess
    expect(w.sink.ids('gateway.noticed')).toEqual([gateway.id]);
    expect(later.deletable.map((e) => e.gateway.id)).toEqual([gateway.id]);
  });
});
