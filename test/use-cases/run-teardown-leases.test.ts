import { describe, expect, it } from 'vitest';
import { createMemoryRegistry } from '#adapters/memory-registry';
import type { Gateway } from '#core/model';
import { compilePolicy } from '#core/policy/compile-policy';
import { parsePolicy } from '#core/policy/policy';
import { gatewayKey } from '#core/registry/registry-codec';
import type { RegistryCaps } from '#core/registry-port';
import { runSweep } from '#core/sweep/run-sweep';
import type { TeardownDeps, TeardownMessage } from '#core/teardown/context';
import { runTeardown } from '#core/teardown/run-teardown';
import { memoryRun } from '#test/fakes/memory-run';
import { MemoryTeardownQueue } from '#test/fakes/memory-teardown-queue';
import { aGateway, hoursAgo, NOW } from '#test/fixtures/gateway-builder';

const HOUR = 3_600_000;
const POLICY = compilePolicy(
  parsePolicy({
    rules: [{ id: 'pr-previews', match: { name: 'pr-*' }, maxAge: '72h' }],
    protect: { names: ['prod-*'] },
  }),
);
const inHours = (hours: number) => new Date(NOW + hours * HOUR).toISOString();

/** A teardown batch over an in-memory fleet, queue and registry. */
function teardownWithRegistry(gateways: Gateway[], caps?: RegistryCaps) {
  const { registry, store } = createMemoryRegistry(caps);
  // The gateways' items only: the rolling budget's slots come and go with every deletion.
  const items = () => store.items().filter((item) => item.pk.startsWith('gateway#'));
  const { api, sink, deps: run } = memoryRun(gateways, POLICY, 'sqs');
  const queue = new MemoryTeardownQueue();
  const deps: TeardownDeps = { ...run, registry, mode: { kind: 'queue', queue } };
  return { api, queue, sink, deps, registry, store, items };
}

let sequence = 0;
function message(body: object): TeardownMessage {
  sequence += 1;
  return { messageId: `m-${sequence}`, body: JSON.stringify(body) };
}

describe('runTeardown with a registry: future-dated requests become leases', () => {
  it('writes the lease, owned by the requester and pinned to the live gateway, and acknowledges the request', async () => {
    // Prepare
    const gateway = aGateway({ name: 'pr-7', createdAt: hoursAgo(2) });
    const { queue, sink, deps, registry } = teardownWithRegistry([gateway]);
    const request = message({
      gatewayId: gateway.id,
      expiresAt: inHours(48),
      requestedBy: 'ci/pr-7',
      reason: 'PR closed',
    });
    // Act
    const result = await runTeardown([request], deps);
    // Assess
    expect(result.retry).toEqual([]);
    expect(queue.sent).toEqual([]);
    expect(sink.records.map((r) => [r.event, r.reason])).toEqual([
      ['lease.set', 'requested'],
      ['gateway.deferred', 'not_due'],
      ['run.summary', 'completed'],
    ]);
    expect(sink.events('lease.set')[0]).toMatchObject({
      owner: 'ci/pr-7',
      requestedBy: 'ci/pr-7',
      expiresAt: inHours(48),
      purpose: 'PR closed',
      sqsMessageId: request.messageId,
    });
    expect((await registry.readGateway(gateway.id)).lease).toMatchObject({
      owner: 'ci/pr-7',
      expiresAt: NOW + 48 * HOUR,
      identity: { name: 'pr-7', createdAt: NOW - 2 * HOUR },
    });
  });

  it('is deleted by the sweep once due, which then releases the lease', async () => {
    // Prepare
    const gateway = aGateway({ name: 'scratch-7', createdAt: hoursAgo(2) });
    const { deps, registry, items } = teardownWithRegistry([gateway]);
    await runTeardown(
      [message({ gatewayId: gateway.id, expiresAt: inHours(1), requestedBy: 'ci' })],
      deps,
    );
    const sweep = memoryRun([gateway, aGateway(), aGateway()], POLICY, 'schedule');
    // Act
    await runSweep({ ...sweep.deps, registry, clock: { now: () => NOW + 2 * HOUR } });
    // Assess
    expect(sweep.sink.records.map((r) => [r.event, r.reason])).toEqual([
      ['gateway.deleted', 'lease_expired'],
      ['lease.released', 'gateway_deleted'],
      ['run.summary', 'completed'],
    ]);
    expect(items()).toEqual([]);
  });

  it('leases a gateway that does not exist yet under the name the request gives it', async () => {
    // Prepare
    const toCome = aGateway({ name: 'pr-9' });
    const { api, deps, registry, sink } = teardownWithRegistry([]);
    const named = message({
      gatewayId: toCome.id,
      expiresAt: inHours(24),
      requestedBy: 'ci',
      expectedName: 'pr-9',
    });
    const unnamed = message({
      gatewayId: aGateway().id,
      expiresAt: inHours(24),
      requestedBy: 'ci',
    });
    // Act
    await runTeardown([named, unnamed], deps);
    // Assess
    expect(api.calls).toHaveLength(2);
    expect((await registry.readGateway(toCome.id)).lease?.identity).toEqual({ name: 'pr-9' });
    expect(sink.events('gateway.already_gone')).toMatchObject([
      { sqsMessageId: unnamed.messageId, reason: 'not_found' },
    ]);
    expect(sink.events('lease.set')).toHaveLength(1);
  });

  it('leaves an earlier lease as it is, and replaces a later one', async () => {
    // Prepare
    const early = aGateway({ name: 'pr-early', createdAt: hoursAgo(2) });
    const late = aGateway({ name: 'pr-late', createdAt: hoursAgo(2) });
    const { deps, registry, sink } = teardownWithRegistry([early, late]);
    for (const [gateway, hours] of [
      [early, 5],
      [late, 50],
    ] as const) {
      await registry.setLease(
        {
          gatewayId: gateway.id,
          expiresAt: NOW + hours * HOUR,
          owner: 'team-a',
          identity: { name: gateway.name, createdAt: NOW - 2 * HOUR },
        },
        NOW,
      );
    }
    const ask = (gateway: Gateway) =>
      message({ gatewayId: gateway.id, expiresAt: inHours(24), requestedBy: 'ci' });
    // Act
    await runTeardown([ask(early), ask(late)], deps);
    // Assess
    expect((await registry.readGateway(early.id)).lease).toMatchObject({ owner: 'team-a' });
    expect((await registry.readGateway(late.id)).lease).toMatchObject({
      owner: 'ci',
      expiresAt: NOW + 24 * HOUR,
    });
    expect(sink.events('lease.set')).toMatchObject([
      { gatewayId: late.id, previousExpiresAt: inHours(50) },
    ]);
    expect(sink.events('gateway.deferred')).toHaveLength(2);
  });

  it('leaves the request on the queue, as without a registry, when no lease can be written', async () => {
    // Prepare
    const gateway = aGateway({ name: 'pr-7', createdAt: hoursAgo(2) });
    const anonymous = teardownWithRegistry([gateway]);
    const capped = teardownWithRegistry([gateway], { maxTtlMs: HOUR, maxKeepMs: HOUR });
    const down = teardownWithRegistry([gateway]);
    down.store.unavailable = true;
    const dry = teardownWithRegistry([gateway]);
    dry.deps.run = { ...dry.deps.run, dryRun: true };
    const body = { gatewayId: gateway.id, expiresAt: inHours(24), requestedBy: 'ci' };
    const { requestedBy: _, ...unsigned } = body;
    // Act
    await runTeardown([message(unsigned)], anonymous.deps);
    for (const rig of [capped, down, dry]) await runTeardown([message(body)], rig.deps);
    // Assess
    for (const rig of [anonymous, capped, down, dry]) {
      expect(rig.queue.sent).toMatchObject([{ kind: 'deferred', delaySeconds: 900 }]);
      expect(rig.sink.events('gateway.deferred')).toMatchObject([{ reason: 'not_due' }]);
      expect(rig.sink.events('lease.set')).toEqual([]);
    }
    for (const rig of [anonymous, capped, dry]) expect(rig.items()).toEqual([]);
  });
});

describe('runTeardown with a registry: due requests', () => {
  it('defers a due request for an exempted gateway until the exemption lapses, as a lease', async () => {
    // Prepare
    const gateway = aGateway({ name: 'pr-demo', createdAt: hoursAgo(2) });
    const { api, queue, sink, deps, registry } = teardownWithRegistry([gateway]);
    await registry.keep(
      { gatewayId: gateway.id, until: NOW + 6 * HOUR, reason: 'demo', setBy: 'ana' },
      NOW,
    );
    // Act
    const result = await runTeardown([message({ gatewayId: gateway.id, requestedBy: 'ci' })], deps);
    // Assess
    expect(result.retry).toEqual([]);
    expect(api.calls).toEqual([`GET ${gateway.id}`]);
    expect(queue.sent).toEqual([]);
    expect(sink.events('gateway.deferred')).toMatchObject([
      { reason: 'exempt', dueAt: inHours(6) },
    ]);
    expect((await registry.readGateway(gateway.id)).lease).toMatchObject({
      expiresAt: NOW + 6 * HOUR,
      owner: 'ci',
    });
  });

  it("sends nothing when the registry cannot read the gateway's items, so cannot say whether it is exempt", async () => {
    // Prepare
    const gateway = aGateway({ name: 'pr-7', createdAt: hoursAgo(2) });
    const { api, queue, sink, deps, store } = teardownWithRegistry([gateway]);
    store.inject({ ...gatewayKey(gateway.id, 'exemption'), until: 'next week', version: 1 });
    // Act
    const result = await runTeardown([message({ gatewayId: gateway.id, requestedBy: 'ci' })], deps);
    // Assess
    expect(result.retry).toEqual([]);
    expect(api.calls).toEqual([`GET ${gateway.id}`]);
    expect(queue.sent).toMatchObject([{ kind: 'deferred' }]);
    expect(sink.events('gateway.deferred')).toMatchObject([{ reason: 'registry_unavailable' }]);
  });

  it('releases the lease of the gateway it deleted, after recording the deletion', async () => {
    // Prepare
    const gateway = aGateway({ name: 'pr-7', createdAt: hoursAgo(2) });
    const { sink, deps, registry, items } = teardownWithRegistry([gateway]);
    await registry.setLease(
      {
        gatewayId: gateway.id,
        expiresAt: NOW + 24 * HOUR,
        owner: 'team-a',
        identity: { name: 'pr-7' },
      },
      NOW,
    );
    // Act
    await runTeardown([message({ gatewayId: gateway.id, requestedBy: 'ci' })], deps);
    // Assess
    expect(sink.records.map((r) => [r.event, r.reason])).toEqual([
      ['gateway.deleted', 'requested'],
      ['lease.released', 'gateway_deleted'],
      ['run.summary', 'completed'],
    ]);
    expect(items()).toEqual([]);
  });
});
