import { describe, expect, it } from 'vitest';
import type { Deployment, Gateway } from '#core/model';
import { compilePolicy } from '#core/policy/compile-policy';
import { parsePolicy } from '#core/policy/policy';
import type { TeardownDeps } from '#core/teardown/context';
import { runTeardown } from '#core/teardown/run-teardown';
import { MemoryAuditSink } from '#test/fakes/memory-audit-sink';
import { MemoryGatewayApi } from '#test/fakes/memory-gateway-api';
import { AT_NOW } from '#test/fakes/memory-run';
import { MemoryTeardownQueue } from '#test/fakes/memory-teardown-queue';
import { aGateway, hoursAgo, testId } from '#test/fixtures/gateway-builder';
import { deploymentId } from '#test/fixtures/wire-deployment';

const policyWith = (extra: object = {}) =>
  compilePolicy(
    parsePolicy({
      rules: [{ id: 'pr-previews', match: { name: 'pr-*' }, maxAge: '72h' }],
      protect: { names: ['prod-*'], ids: [deploymentId(7)] },
      teardown: { allow: { deleteDeployments: true } },
      ...extra,
    }),
  );
const gateway = (n: number, name = `pr-${n}`): Gateway =>
  aGateway({ id: testId(n), name, createdAt: hoursAgo(100) });
const serving = (n: number, gatewayIds: string[], name = `model-${n}`): Deployment => ({
  id: deploymentId(n),
  name,
  gatewayIds,
  status: 'STATUS_READY',
});

/** A batch of requests, one per body, over an in-memory fleet and queue. */
function batchOf(
  bodies: object[],
  fleet: { gateways: Gateway[]; deployments?: Deployment[] },
  overrides: Partial<TeardownDeps> = {},
) {
  const api = new MemoryGatewayApi(fleet.gateways, fleet.deployments ?? []);
  const sink = new MemoryAuditSink();
  const queue = new MemoryTeardownQueue();
  const deps: TeardownDeps = {
    api,
    sink,
    mode: { kind: 'queue', queue },
    ...AT_NOW,
    policy: policyWith(),
    concurrency: 4,
    run: { runId: 'run-1', trigger: 'sqs', dryRun: false },
    ...overrides,
  };
  const messages = bodies.map((body, i) => ({
    messageId: `m-${i + 1}`,
    body: JSON.stringify(body),
  }));
  return { api, sink, queue, run: () => runTeardown(messages, deps) };
}

const deletes = (api: MemoryGatewayApi) => api.calls.filter((call) => call.startsWith('DELETE'));

describe('runTeardown: deployments a cascade may take', () => {
  it.each([
    ['protected by a name glob', serving(1, [testId(1)], 'prod-chat'), 'protected'],
    ['protected by id', serving(7, [testId(1)]), 'protected'],
    ['listed without a name', serving(1, [testId(1)], ''), 'unknown_identity'],
    [
      'listed with an id that is not a uuid',
      { ...serving(1, [testId(1)]), id: 'dep-1' },
      'unknown_identity',
    ],
  ])(
    'never deletes a deployment %s, and holds the request (%s)',
    async (_title, deployment, reason) => {
      // Prepare
      const { api, sink, queue, run } = batchOf(
        [{ gatewayId: testId(1), deleteDeployments: true }],
        {
          gateways: [gateway(1)],
          deployments: [deployment],
        },
      );
      // Act
      const result = await run();
      // Assess
      expect(deletes(api)).toEqual([]);
      expect(result.retry).toEqual([]);
      expect(sink.records[0]).toMatchObject({
        event: 'gateway.deferred',
        reason,
        deployments: [{ id: deployment.id, name: deployment.name }],
      });
      expect(queue.sent).toMatchObject([{ kind: 'deferred', delaySeconds: 900 }]);
    },
  );

  it('holds a gateway that a deployment names in upper case', async () => {
    // Prepare
    const lettered = 'abcdef00-0000-4000-8000-00000000000a';
    const { api, sink, run } = batchOf([{ gatewayId: lettered }], {
      gateways: [aGateway({ id: lettered, name: 'pr-1', createdAt: hoursAgo(100) })],
      deployments: [serving(1, [lettered.toUpperCase()])],
    });
    // Act
    await run();
    // Assess
    expect(deletes(api)).toEqual([]);
    expect(sink.records[0]).toMatchObject({ event: 'gateway.deferred', reason: 'has_deployments' });
  });

  it('deletes no deployment whose id is listed twice, in two letter cases', async () => {
    // Prepare
    const once = serving(1, [testId(1)]);
    const again = { ...once, id: once.id.toUpperCase() };
    const { api, sink, run } = batchOf([{ gatewayId: testId(1), deleteDeployments: true }], {
      gateways: [gateway(1)],
      deployments: [once, again],
    });
    // Act
    await run();
    // Assess
    expect(deletes(api)).toEqual([]);
    expect(sink.records[0]).toMatchObject({ event: 'gateway.deferred', reason: 'has_deployments' });
  });
});

describe('runTeardown: identity', () => {
  it('keeps a gateway whose GET answers without a name (unknown_identity)', async () => {
    // Prepare
    const { api, sink, run } = batchOf([{ gatewayId: testId(1) }], {
      gateways: [gateway(1, '')],
    });
    // Act
    const result = await run();
    // Assess
    expect(deletes(api)).toEqual([]);
    expect(result.retry).toEqual([]);
    expect(sink.records[0]).toMatchObject({ event: 'gateway.skipped', reason: 'unknown_identity' });
  });
});

describe('runTeardown: limits.maxDeletesPerRun', () => {
  const limited = (maxDeletesPerRun: number) =>
    policyWith({ limits: { maxDeletesPerRun, maxDeletePercent: 50 } });

  it('deletes up to the limit across concurrent requests and defers the rest (run_limit)', async () => {
    // Prepare
    const gateways = [1, 2, 3, 4, 5].map((n) => gateway(n));
    const { api, sink, queue, run } = batchOf(
      gateways.map((g) => ({ gatewayId: g.id })),
      { gateways },
      { policy: limited(2), concurrency: 5 },
    );
    // Act
    const result = await run();
    // Assess: acknowledged, re-sent pinned, never parked, nothing handed back.
    expect(deletes(api)).toHaveLength(2);
    expect(result.retry).toEqual([]);
    expect(sink.events('gateway.deleted')).toHaveLength(2);
    expect(sink.events('gateway.deferred').map((r) => r.reason)).toEqual([
      'run_limit',
      'run_limit',
      'run_limit',
    ]);
    expect(queue.sent.map((m) => m.kind)).toEqual(['deferred', 'deferred', 'deferred']);
    expect(queue.sent.every((m) => m.kind === 'deferred' && m.delaySeconds === 60)).toBe(true);
    const deferredIds = sink.events('gateway.deferred').map((r) => r.gatewayId);
    for (const sent of queue.sent) {
      const body = JSON.parse(sent.body);
      expect(deferredIds).toContain(body.gatewayId);
      expect(body).toMatchObject({
        expectedName: expect.any(String),
        expectedCreatedAt: expect.any(String),
      });
    }
  });

  it("counts a cascade's deployments with its gateway, all or none", async () => {
    // Prepare: the cascade needs 3 DELETEs; the next request needs 1.
    const { api, sink, run } = batchOf(
      [{ gatewayId: testId(1), deleteDeployments: true }, { gatewayId: testId(2) }],
      {
        gateways: [gateway(1), gateway(2)],
        deployments: [serving(1, [testId(1)]), serving(2, [testId(1)])],
      },
      { policy: limited(2), concurrency: 1 },
    );
    // Act
    await run();
    // Assess
    expect(deletes(api)).toEqual([`DELETE ${testId(2)}`]);
    expect(sink.records.map((r) => [r.event, r.reason, r.gatewayId])).toEqual([
      ['gateway.deferred', 'run_limit', testId(1)],
      ['gateway.deleted', 'requested', testId(2)],
      ['run.summary', 'completed', undefined],
    ]);
  });

  it('counts would-be deletions in a dry run without a queue, and skips the rest', async () => {
    // Prepare
    const gateways = [gateway(1), gateway(2)];
    const { sink, queue, run } = batchOf(
      gateways.map((g) => ({ gatewayId: g.id })),
      { gateways },
      {
        policy: limited(1),
        concurrency: 1,
        mode: { kind: 'terminal' },
        run: { runId: 'run-1', trigger: 'cli', dryRun: true },
      },
    );
    // Act
    await run();
    // Assess
    expect(sink.records.map((r) => [r.event, r.reason])).toEqual([
      ['gateway.would_delete', 'requested'],
      ['gateway.skipped', 'run_limit'],
      ['run.summary', 'completed'],
    ]);
    expect(queue.sent).toEqual([]);
  });
});

describe('runTeardown: a deployment list that answers 404', () => {
  it('reads it as none and says so in run.summary', async () => {
    // Prepare
    const { api, sink, run } = batchOf([{ gatewayId: testId(1) }], { gateways: [gateway(1)] });
    api.deploymentListNotFound();
    // Act
    await run();
    // Assess
    expect(deletes(api)).toEqual([`DELETE ${testId(1)}`]);
    expect(sink.events('run.summary')[0]).toMatchObject({ deploymentList: 'not_found' });
  });

  it('leaves run.summary without the field when the list answered', async () => {
    // Prepare
    const { sink, run } = batchOf([{ gatewayId: testId(1) }], { gateways: [gateway(1)] });
    // Act
    await run();
    // Assess
    expect(sink.events('run.summary')[0]?.deploymentList).toBeUndefined();
  });
});
