import { describe, expect, it } from 'vitest';
import type { Deployment } from '#core/model';
import { compilePolicy } from '#core/policy/compile-policy';
import { parsePolicy } from '#core/policy/policy';
import { runTeardown } from '#core/teardown/run-teardown';
import { MemoryAuditSink } from '#test/fakes/memory-audit-sink';
import { MemoryGatewayApi } from '#test/fakes/memory-gateway-api';
import { AT_NOW } from '#test/fakes/memory-run';
import { MemoryTeardownQueue } from '#test/fakes/memory-teardown-queue';
import { aGateway, hoursAgo, NOW, testId } from '#test/fixtures/gateway-builder';
import { JANITOR_ROLE_ID, JANITOR_SENDER } from '#test/fixtures/sqs-event';
import { deploymentId } from '#test/fixtures/wire-deployment';

const POLICY = compilePolicy(
  parsePolicy({
    rules: [{ id: 'pr-previews', match: { name: 'pr-*' }, maxAge: '72h' }],
    protect: { names: ['prod-*'] },
  }),
);
/** The same policy, letting a request's deleteDeployments take its deployments along. */
const CASCADING = compilePolicy(
  parsePolicy({
    rules: [{ id: 'pr-previews', match: { name: 'pr-*' }, maxAge: '72h' }],
    protect: { names: ['prod-*'] },
    teardown: { allow: { deleteDeployments: true } },
  }),
);
const DAY = 86_400_000;
const GATEWAY = aGateway({ id: testId(1), name: 'pr-1', createdAt: hoursAgo(100) });
const SERVING: Deployment = {
  id: deploymentId(1),
  name: 'preview',
  gatewayIds: [testId(1)],
  status: 'STATUS_READY',
};

function teardownOf(body: object, deployments: Deployment[] = [SERVING], policy = CASCADING) {
  const api = new MemoryGatewayApi([GATEWAY], deployments);
  const sink = new MemoryAuditSink();
  const queue = new MemoryTeardownQueue();
  const run = () =>
    runTeardown([{ messageId: 'm-1', body: JSON.stringify(body), senderId: JANITOR_SENDER }], {
      api,
      janitorRoleIds: [JANITOR_ROLE_ID],
      sink,
      mode: { kind: 'queue', queue },
      ...AT_NOW,
      policy,
      concurrency: 1,
      maxHorizonMs: 30 * DAY,
      run: { runId: 'run-1', trigger: 'sqs', dryRun: false },
    });
  return { api, sink, queue, run };
}

describe('runTeardown with deployments', () => {
  it('holds a request back while a deployment serves its gateway, pinning when the hold began', async () => {
    // Prepare
    const { api, sink, queue, run } = teardownOf({ gatewayId: testId(1) });
    // Act
    const result = await run();
    // Assess
    expect(api.calls).toEqual([`GET ${testId(1)}`, 'LIST DEPLOYMENTS']);
    expect(result.retry).toEqual([]);
    expect(sink.records[0]).toMatchObject({
      event: 'gateway.deferred',
      reason: 'has_deployments',
      deployments: [{ id: deploymentId(1), name: 'preview' }],
    });
    const [sent] = queue.sent;
    expect(sent).toMatchObject({ kind: 'deferred', delaySeconds: 900 });
    expect(JSON.parse(sent?.body ?? '{}')).toEqual({
      gatewayId: testId(1),
      expectedName: 'pr-1',
      expectedCreatedAt: GATEWAY.createdAt,
      deferredSince: new Date(NOW).toISOString(),
    });
  });

  it('keeps the first deferredSince when it holds the request back again', async () => {
    // Prepare
    const since = new Date(NOW - DAY).toISOString();
    const { queue, run } = teardownOf({ gatewayId: testId(1), deferredSince: since });
    // Act
    await run();
    // Assess
    expect(JSON.parse(queue.sent[0]?.body ?? '{}').deferredSince).toBe(since);
  });

  it('gives up once the horizon has passed since the hold began, and acknowledges', async () => {
    // Prepare
    // The last hold was re-sent just before the horizon passed, and arrives after it.
    const since = new Date(NOW - 30 * DAY - 10 * 60_000).toISOString();
    const { api, sink, queue, run } = teardownOf({ gatewayId: testId(1), deferredSince: since });
    // Act
    const result = await run();
    // Assess
    expect(queue.sent).toEqual([]);
    expect(result.retry).toEqual([]);
    expect(api.calls).not.toContain(`DELETE ${testId(1)}`);
    expect(sink.records[0]).toMatchObject({ event: 'gateway.skipped', reason: 'has_deployments' });
  });

  it('holds a request that says deleteDeployments when the policy does not allow cascades', async () => {
    // Prepare
    const body = { gatewayId: testId(1), deleteDeployments: true };
    const { api, sink, queue, run } = teardownOf(body, [SERVING], POLICY);
    // Act
    const result = await run();
    // Assess
    expect(api.calls).toEqual([`GET ${testId(1)}`, 'LIST DEPLOYMENTS']);
    expect(result.retry).toEqual([]);
    expect(sink.records[0]).toMatchObject({ event: 'gateway.deferred', reason: 'has_deployments' });
    expect(queue.sent).toMatchObject([{ kind: 'deferred', delaySeconds: 900 }]);
  });

  it('deletes the deployment first when the request says deleteDeployments and the policy allows it', async () => {
    // Prepare
    const { api, sink, run } = teardownOf({ gatewayId: testId(1), deleteDeployments: true });
    // Act
    await run();
    // Assess
    expect(api.calls).toEqual([
      `GET ${testId(1)}`,
      'LIST DEPLOYMENTS',
      `DELETE DEPLOYMENT ${deploymentId(1)}`,
      `DELETE ${testId(1)}`,
    ]);
    expect(sink.records.map((r) => [r.event, r.reason])).toEqual([
      ['deployment.deleted', 'requested'],
      ['gateway.deleted', 'requested'],
      ['run.summary', 'completed'],
    ]);
  });

  it('never deletes a deployment that also serves another gateway, even when asked', async () => {
    // Prepare
    const shared = { ...SERVING, gatewayIds: [testId(1), testId(2)] };
    const { api, sink, run } = teardownOf({ gatewayId: testId(1), deleteDeployments: true }, [
      shared,
    ]);
    // Act
    await run();
    // Assess
    expect(api.calls).toEqual([`GET ${testId(1)}`, 'LIST DEPLOYMENTS']);
    expect(sink.records[0]).toMatchObject({ event: 'gateway.deferred', reason: 'has_deployments' });
  });

  it('hands the message back when deployments cannot be listed', async () => {
    // Prepare
    const { api, queue, run } = teardownOf({ gatewayId: testId(1) });
    api.failNext('LIST DEPLOYMENTS', new Error('connection reset'));
    // Act
    const result = await run();
    // Assess
    expect(result.retry).toEqual(['m-1']);
    expect(queue.sent).toEqual([]);
    expect(api.calls).not.toContain(`DELETE ${testId(1)}`);
  });
});
