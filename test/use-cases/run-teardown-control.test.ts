import { describe, expect, it } from 'vitest';
import { createMemoryRegistry } from '#adapters/memory-registry';
import type { Deployment, Gateway } from '#core/model';
import { compilePolicy } from '#core/policy/compile-policy';
import { parsePolicy } from '#core/policy/policy';
import type { TeardownDeps } from '#core/teardown/context';
import { runTeardown } from '#core/teardown/run-teardown';
import { MemoryAuditSink } from '#test/fakes/memory-audit-sink';
import { MemoryGatewayApi } from '#test/fakes/memory-gateway-api';
import { AT_NOW } from '#test/fakes/memory-run';
import { MemoryTeardownQueue } from '#test/fakes/memory-teardown-queue';
import { aGateway, hoursAgo, NOW, testId } from '#test/fixtures/gateway-builder';
import { deploymentId } from '#test/fixtures/wire-deployment';

const H = 3_600_000;
const policyWith = (extra: object = {}) =>
  compilePolicy(
    parsePolicy({
      rules: [{ id: 'pr-previews', match: { name: 'pr-*' }, maxAge: '72h' }],
      teardown: { allow: { deleteDeployments: true } },
      ...extra,
    }),
  );
const gateway = (n: number): Gateway =>
  aGateway({ id: testId(n), name: `pr-${n}`, createdAt: hoursAgo(100) });
const serving = (n: number, gatewayId: string): Deployment => ({
  id: deploymentId(n),
  name: `model-${n}`,
  gatewayIds: [gatewayId],
  status: 'STATUS_READY',
});

/** A batch over an in-memory fleet, queue and registry; `terminal` runs it as the CLI does. */
function batchOf(
  bodies: object[],
  fleet: { gateways: Gateway[]; deployments?: Deployment[] },
  options: { policy?: object; terminal?: boolean } = {},
) {
  const api = new MemoryGatewayApi(fleet.gateways, fleet.deployments ?? []);
  const sink = new MemoryAuditSink();
  const queue = new MemoryTeardownQueue();
  const { registry } = createMemoryRegistry();
  const deps: TeardownDeps = {
    api,
    sink,
    mode: options.terminal ? { kind: 'terminal' } : { kind: 'queue', queue },
    ...AT_NOW,
    policy: policyWith(options.policy),
    concurrency: 4,
    run: { runId: 'run-1', trigger: options.terminal ? 'cli' : 'sqs', dryRun: false },
    registry,
  };
  const messages = bodies.map((body, i) => ({
    messageId: `m-${i + 1}`,
    body: JSON.stringify(body),
  }));
  return { api, sink, queue, registry, run: () => runTeardown(messages, deps) };
}

const deletes = (api: MemoryGatewayApi) => api.calls.filter((call) => call.startsWith('DELETE'));

describe('runTeardown under the pause, the windows and the budget', () => {
  it('re-sends a due request byte for byte while paused, delayed until a timed pause ends, without looking it up', async () => {
    // Prepare
    const body = { gatewayId: testId(1), reason: 'pr closed' };
    const { api, sink, queue, registry, run } = batchOf([body], { gateways: [gateway(1)] });
    await registry.pause({ reason: 'incident', by: 'ops', until: NOW + 120_000 }, NOW - H);
    // Act
    const result = await run();
    // Assess
    expect(result.retry).toEqual([]);
    expect(api.calls).toEqual([]);
    expect(queue.sent).toEqual([
      { kind: 'deferred', body: JSON.stringify(body), delaySeconds: 120 },
    ]);
    expect(sink.events('gateway.deferred')).toEqual([
      expect.objectContaining({ reason: 'paused', dueAt: new Date(NOW + 120_000).toISOString() }),
    ]);
  });

  it('waits at most 15 minutes per re-send outside every window', async () => {
    // Prepare: NOW is a Thursday; the window opens on Saturday.
    const weekend = { windows: [{ days: ['sat'], from: '09:00', to: '17:00', timeZone: 'UTC' }] };
    const { queue, sink, run } = batchOf(
      [{ gatewayId: testId(1) }],
      { gateways: [gateway(1)] },
      {
        policy: weekend,
      },
    );
    // Act
    await run();
    // Assess
    expect(queue.sent).toEqual([expect.objectContaining({ kind: 'deferred', delaySeconds: 900 })]);
    expect(sink.events('gateway.deferred')[0]).toMatchObject({
      reason: 'outside_window',
      dueAt: '2026-11-28T09:00:00.000Z',
    });
  });

  it('skips a due request in the terminal while paused, saying so', async () => {
    // Prepare
    const { api, sink, registry, run } = batchOf(
      [{ gatewayId: testId(1) }],
      {
        gateways: [gateway(1)],
      },
      { terminal: true },
    );
    await registry.pause({ reason: 'incident', by: 'ops' }, NOW - H);
    // Act
    await run();
    // Assess
    expect(deletes(api)).toEqual([]);
    expect(sink.events('gateway.skipped')).toEqual([expect.objectContaining({ reason: 'paused' })]);
  });

  it("counts a cascade's deployments against the budget and defers the gateway it could not pay for", async () => {
    // Prepare
    const { api, sink, queue, run } = batchOf(
      [{ gatewayId: testId(1), deleteDeployments: true }],
      { gateways: [gateway(1)], deployments: [serving(1, testId(1)), serving(2, testId(1))] },
      { policy: { limits: { maxDeletesPer24h: 2 } } },
    );
    // Act
    const result = await run();
    // Assess
    expect(result.retry).toEqual([]);
    expect(deletes(api)).toEqual([
      `DELETE DEPLOYMENT ${deploymentId(1)}`,
      `DELETE DEPLOYMENT ${deploymentId(2)}`,
    ]);
    expect(sink.events('gateway.deferred')).toEqual([
      expect.objectContaining({ gatewayId: testId(1), reason: 'daily_limit' }),
    ]);
    expect(queue.sent).toEqual([expect.objectContaining({ kind: 'deferred', delaySeconds: 900 })]);
    expect(queue.sent.filter((m) => m.kind === 'dead_letter')).toEqual([]);
  });
});
