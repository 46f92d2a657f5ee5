import { describe, expect, it } from 'vitest';
import { createMemoryRegistry } from '#adapters/memory-registry';
import type { Gateway } from '#core/model';
import { compilePolicy } from '#core/policy/compile-policy';
import { parsePolicy } from '#core/policy/policy';
import { gatewayKey } from '#core/registry/registry-codec';
import type { Registry } from '#core/registry-port';
import { runSweep, type SweepDeps } from '#core/sweep/run-sweep';
import { memoryRun } from '#test/fakes/memory-run';
import { aGateway, hoursAgo, NOW } from '#test/fixtures/gateway-builder';

const HOUR = 3_600_000;
const DOC = {
  rules: [{ id: 'pr-previews', match: { name: 'pr-*' }, maxAge: '72h' }],
  protect: { names: ['prod-*'] },
  limits: { maxDeletesPerRun: 10, maxDeletePercent: 100 },
};
const POLICY = compilePolicy(parsePolicy(DOC));

const aged = (name: string, hours: number) => aGateway({ name, createdAt: hoursAgo(hours) });

/** A lease on `gateway` expiring `inHours` from NOW (negative: already expired). */
async function lease(
  registry: Registry,
  gateway: Gateway,
  inHours: number,
  identity: { name?: string; createdAt?: number } = {},
) {
  await registry.setLease(
    {
      gatewayId: gateway.id,
      expiresAt: NOW + inHours * HOUR,
      owner: 'team-search',
      identity: { name: identity.name ?? gateway.name, ...identity },
    },
    NOW + (inHours - 1) * HOUR,
  );
}

/** A sweep over `gateways` with an in-memory registry the test fills first. */
function sweepWithRegistry(gateways: Gateway[], policy = POLICY) {
  const { registry, store } = createMemoryRegistry();
  const { api, sink, deps: run } = memoryRun(gateways, policy, 'schedule');
  const deps: SweepDeps = { ...run, registry };
  // The gateways' items only: the rolling budget's slots come and go with every deletion.
  const items = () => store.items().filter((item) => item.pk.startsWith('gateway#'));
  const outcome = (gateway: Gateway) =>
    sink.records.find((r) => r.gatewayId === gateway.id && r.event.startsWith('gateway.'));
  return { api, sink, deps, registry, store, items, outcome };
}

describe('runSweep with a registry of leases and exemptions', () => {
  it('lets a lease decide expiry instead of the rule: keeps an old leased gateway, deletes a young one whose lease ended', async () => {
    // Prepare
    const old = aged('pr-old', 100);
    const young = aged('pr-young', 1);
    const { deps, registry, outcome } = sweepWithRegistry([old, young]);
    await lease(registry, old, 24);
    await lease(registry, young, -1);
    // Act
    const summary = await runSweep(deps);
    // Assess
    expect(outcome(old)).toBeUndefined();
    expect(outcome(young)).toMatchObject({ event: 'gateway.deleted', reason: 'lease_expired' });
    const verdicts = new Map(summary.plan.entries.map((e) => [e.gateway.name, e.verdict]));
    expect(verdicts.get('pr-old')).toMatchObject({
      action: 'keep',
      reason: 'too_young',
      deletionAt: NOW + 24 * HOUR,
      owner: 'team-search',
      decidedBy: 'lease',
    });
    expect(verdicts.get('pr-young')).toMatchObject({
      deletionAt: NOW - HOUR,
      owner: 'team-search',
    });
  });

  it('deletes a leased gateway no rule matches, but never a protected one', async () => {
    // Prepare
    const scratch = aged('scratch-1', 2);
    const prod = aged('prod-api', 2);
    const { api, deps, registry, outcome } = sweepWithRegistry([scratch, prod]);
    await lease(registry, scratch, -1);
    await lease(registry, prod, -1);
    // Act
    const summary = await runSweep(deps);
    // Assess
    expect(outcome(scratch)).toMatchObject({ event: 'gateway.deleted', reason: 'lease_expired' });
    expect(api.calls).toEqual(['LIST', 'LIST DEPLOYMENTS', `DELETE ${scratch.id}`]);
    expect(summary.kept).toEqual({ protected: 1 });
  });

  it('keeps a leased gateway outside teardown.allow when the policy sets it (not_allowed)', async () => {
    // Prepare
    const policy = compilePolicy(parsePolicy({ ...DOC, teardown: { allow: { names: ['pr-*'] } } }));
    const scratch = aged('scratch-1', 2);
    const { api, deps, registry } = sweepWithRegistry([scratch], policy);
    await lease(registry, scratch, -1);
    // Act
    const summary = await runSweep(deps);
    // Assess
    expect(api.calls).toEqual(['LIST', 'LIST DEPLOYMENTS']);
    expect(summary.kept).toEqual({ not_allowed: 1 });
  });

  it('keeps a gateway that is not the one leased under its id (lease_mismatch), by name or by creation time', async () => {
    // Prepare
    const renamed = aged('pr-new', 100);
    const recreated = aged('pr-again', 100);
    const { api, deps, registry } = sweepWithRegistry([renamed, recreated]);
    await lease(registry, renamed, -1, { name: 'pr-old' });
    await lease(registry, recreated, -1, { createdAt: NOW - 200 * HOUR });
    // Act
    const summary = await runSweep(deps);
    // Assess
    expect(api.calls).toEqual(['LIST', 'LIST DEPLOYMENTS']);
    expect(summary.kept).toEqual({ lease_mismatch: 2 });
  });

  it('keeps an exempted gateway the rule would delete, and lets it go once the exemption lapsed', async () => {
    // Prepare
    const kept = aged('pr-demo', 100);
    const lapsed = aged('pr-done', 100);
    const { deps, registry, outcome, store } = sweepWithRegistry([kept, lapsed]);
    await registry.keep(
      { gatewayId: kept.id, until: NOW + HOUR, reason: 'Friday demo', setBy: 'ana' },
      NOW,
    );
    await registry.keep(
      { gatewayId: lapsed.id, until: NOW - HOUR, reason: 'old demo', setBy: 'ana' },
      NOW - 2 * HOUR,
    );
    const before = store.items();
    // Act
    const summary = await runSweep(deps);
    // Assess
    expect(outcome(kept)).toBeUndefined();
    expect(summary.plan.entries.find((e) => e.gateway.id === kept.id)?.verdict).toMatchObject({
      reason: 'exempt',
      exemptUntil: NOW + HOUR,
      deletionAt: NOW + HOUR,
    });
    expect(outcome(lapsed)).toMatchObject({ event: 'gateway.deleted', reason: 'expired' });
    // Nothing written but the one budget unit the deletion took and the last-run record.
    const ours = (item: { pk: string }) => item.pk === 'budget' || item.pk === 'run';
    expect(store.items().filter((item) => !ours(item))).toEqual(before);
    expect(
      store
        .items()
        .filter(ours)
        .map((item) => item.pk),
    ).toEqual(['budget', 'run']);
  });

  it('keeps a gateway whose registry item cannot be read, though its rule says expired', async () => {
    // Prepare
    const gateway = aged('pr-1', 100);
    const other = aged('pr-2', 100);
    const { deps, store, outcome } = sweepWithRegistry([gateway, other]);
    store.inject({ ...gatewayKey(gateway.id, 'exemption'), until: 'next week', version: 1 });
    // Act
    const summary = await runSweep(deps);
    // Assess
    expect(outcome(gateway)).toBeUndefined();
    expect(summary.kept).toEqual({ registry_unavailable: 1 });
    expect(outcome(other)).toMatchObject({ event: 'gateway.deleted' });
  });

  it('deletes nothing when the registry cannot be read: run.aborted registry_unavailable, and the run fails', async () => {
    // Prepare
    const { api, deps, store, sink } = sweepWithRegistry([aged('pr-1', 100), aged('pr-2', 100)]);
    store.unavailable = true;
    // Act
    const run = runSweep(deps);
    // Assess
    await expect(run).rejects.toMatchObject({ code: 'REGISTRY_UNAVAILABLE' });
    expect(api.calls).toEqual([]);
    expect(sink.records.map((r) => [r.event, r.reason])).toEqual([
      ['run.aborted', 'registry_unavailable'],
      ['run.summary', 'aborted'],
    ]);
    expect(sink.events('run.aborted')[0]?.error?.code).toBe('REGISTRY_UNAVAILABLE');
  });

  it('says registry on or off in run.summary and in the summary it returns', async () => {
    // Prepare
    const withRegistry = sweepWithRegistry([aged('pr-1', 1)]);
    const { deps, sink } = memoryRun([aged('pr-2', 1)], POLICY, 'schedule');
    const without = { deps, sink };
    // Act
    const on = await runSweep(withRegistry.deps);
    const off = await runSweep(without.deps);
    // Assess
    expect([on.registry, off.registry]).toEqual(['on', 'off']);
    expect(withRegistry.sink.events('run.summary')[0]?.registry).toBe('on');
    expect(without.sink.events('run.summary')[0]?.registry).toBe('off');
  });

  it('gives rule-decided verdicts their deletion time too', async () => {
    // Prepare
    const gateway = aged('pr-1', 70);
    const { deps } = sweepWithRegistry([gateway]);
    // Act
    const summary = await runSweep(deps);
    // Assess
    expect(summary.plan.entries[0]?.verdict).toMatchObject({
      reason: 'too_young',
      deletionAt: NOW + 2 * HOUR,
    });
  });
});

describe('runSweep ending leases (step 6)', () => {
  const DAY = 24 * HOUR;
  const leaseItem = (store: { items(): { sk: string; pk: string }[] }, gateway: Gateway) =>
    store.items().find((item) => item.sk === 'lease' && item.pk.endsWith(gateway.id));

  it('releases the lease of a gateway whose deletion it recorded (gateway_deleted)', async () => {
    // Prepare
    const gateway = aged('scratch-1', 2);
    const { deps, registry, store, sink } = sweepWithRegistry([gateway]);
    await lease(registry, gateway, -1);
    // Act
    await runSweep(deps);
    // Assess
    expect(sink.events('lease.released')).toMatchObject([
      { gatewayId: gateway.id, reason: 'gateway_deleted', owner: 'team-search' },
    ]);
    expect(leaseItem(store, gateway)).toBeUndefined();
  });

  it('marks a lease whose gateway is unlisted once, and releases it after 7 days (gateway_gone)', async () => {
    // Prepare
    const listed = aged('pr-1', 1);
    const future = aGateway({ name: 'pr-to-come' });
    const { deps, registry, items, sink } = sweepWithRegistry([listed]);
    await lease(registry, future, 48);
    // Act
    await runSweep(deps);
    const marked = items();
    await runSweep({ ...deps, clock: { now: () => NOW + 6 * DAY } });
    const sixDaysOn = items();
    await runSweep({ ...deps, clock: { now: () => NOW + 7 * DAY } });
    // Assess
    expect(marked).toEqual([
      expect.objectContaining({ sk: 'lease', unlistedSince: new Date(NOW).toISOString() }),
    ]);
    expect(sixDaysOn).toEqual(marked);
    expect(sink.events('lease.released')).toMatchObject([
      { gatewayId: future.id, reason: 'gateway_gone', gatewayName: 'pr-to-come' },
    ]);
    expect(items()).toEqual([]);
  });

  it('clears the mark once the gateway is listed again', async () => {
    // Prepare
    const gateway = aged('pr-1', 1);
    const absent = sweepWithRegistry([]);
    await lease(absent.registry, gateway, 48);
    await runSweep(absent.deps);
    const { deps } = sweepWithRegistry([gateway]);
    // Act
    await runSweep({ ...deps, registry: absent.registry });
    // Assess
    expect(leaseItem(absent.store, gateway)).not.toHaveProperty('unlistedSince');
  });

  it('writes nothing to the registry but its last-run record in a dry run, an aborted run, or when nothing changed', async () => {
    // Prepare
    const gone = aGateway({ name: 'pr-gone' });
    const due = aged('scratch-1', 2);
    const dry = sweepWithRegistry([due]);
    await lease(dry.registry, due, -1);
    await lease(dry.registry, gone, 24);
    const tooMany = sweepWithRegistry(
      [aged('pr-1', 100), aged('pr-2', 100)],
      compilePolicy(
        parsePolicy({ ...DOC, limits: { maxDeletesPerRun: 1, maxDeletePercent: 100 } }),
      ),
    );
    await lease(tooMany.registry, gone, 24);
    const before = [dry.store.items(), tooMany.store.items()];
    // Act
    await runSweep({ ...dry.deps, run: { ...dry.deps.run, dryRun: true } });
    await runSweep(tooMany.deps);
    // Assess
    const leasesOnly = (items: Array<{ pk: string }>) => items.filter((i) => i.pk !== 'run');
    expect([leasesOnly(dry.store.items()), leasesOnly(tooMany.store.items())]).toEqual(before);
    expect(dry.sink.events('gateway.would_delete')).toHaveLength(1);
    expect(tooMany.sink.events('run.aborted')[0]?.reason).toBe('blast_radius');
  });

  it('keeps the deletion when the release cannot be written, and counts the failed write', async () => {
    // Prepare
    const gateway = aged('scratch-1', 2);
    const { deps, registry, store, sink, outcome } = sweepWithRegistry([gateway]);
    await lease(registry, gateway, -1);
    const breakRegistry = () => {
      store.unavailable = true;
    };
    // Act
    const summary = await runSweep({ ...deps, onOutcome: breakRegistry });
    // Assess
    expect(outcome(gateway)).toMatchObject({ event: 'gateway.deleted' });
    expect(summary.status).toBe('completed');
    expect(sink.events('run.summary')[0]?.counts).toMatchObject({ leaseWritesFailed: 1 });
    expect(sink.events('lease.released')).toEqual([]);
  });

  it('leaves a lease someone changed during the run to the unlisted rule', async () => {
    // Prepare
    const gateway = aged('scratch-1', 2);
    const { deps, registry, sink } = sweepWithRegistry([gateway]);
    await lease(registry, gateway, -1);
    const extend = () => {
      void registry.extendLease(gateway.id, { byMs: HOUR }, NOW);
    };
    // Act
    await runSweep({ ...deps, onOutcome: extend });
    // Assess
    expect(sink.events('lease.released')).toEqual([]);
    expect((await registry.readGateway(gateway.id)).lease?.version).toBe(2);
  });
});
