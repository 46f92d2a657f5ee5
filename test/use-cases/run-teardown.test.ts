import { describe, expect, it } from 'vitest';
import type { Gateway } from '#core/model';
import { compilePolicy } from '#core/policy/compile-policy';
import { parsePolicy } from '#core/policy/policy';
import type { TeardownDeps, TeardownMessage } from '#core/teardown/context';
import { runTeardown } from '#core/teardown/run-teardown';
import { memoryRun } from '#test/fakes/memory-run';
import { MemoryTeardownQueue } from '#test/fakes/memory-teardown-queue';
import { anApiError } from '#test/fixtures/api-error';
import { aGateway, hoursAgo, NOW } from '#test/fixtures/gateway-builder';

const POLICY = compilePolicy(
  parsePolicy({
    rules: [{ id: 'pr-previews', match: { name: 'pr-*' }, maxAge: '72h' }],
    protect: { names: ['prod-*'] },
  }),
);

/** A teardown batch over an in-memory fleet and queue. */
function teardownOf(gateways: Gateway[], overrides: Partial<TeardownDeps> = {}) {
  const { api, sink, deps: run, spendBudget } = memoryRun(gateways, POLICY, 'sqs');
  const queue = new MemoryTeardownQueue();
  const deps: TeardownDeps = { ...run, mode: { kind: 'queue', queue }, ...overrides };
  return { api, queue, sink, deps, spendBudget };
}

let sequence = 0;
function message(body: object | string, receiveCount?: number): TeardownMessage {
  sequence += 1;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return receiveCount === undefined
    ? { messageId: `m-${sequence}`, body: text }
    : { messageId: `m-${sequence}`, body: text, receiveCount };
}

const inHours = (hours: number) => new Date(NOW + hours * 3_600_000).toISOString();

describe('runTeardown', () => {
  it('deletes the gateway a due request names and acknowledges the message', async () => {
    // Prepare
    const gateway = aGateway({ name: 'pr-7', createdAt: hoursAgo(1) });
    const { api, sink, deps } = teardownOf([gateway]);
    const request = message({ gatewayId: gateway.id, requestedBy: 'ci/pr-7' });
    // Act
    const result = await runTeardown([request], deps);
    // Assess
    expect(result.retry).toEqual([]);
    expect(api.calls).toEqual([`GET ${gateway.id}`, 'LIST DEPLOYMENTS', `DELETE ${gateway.id}`]);
    expect(sink.records.map((r) => r.event)).toEqual(['gateway.deleted', 'run.summary']);
    expect(sink.events('gateway.deleted')[0]).toMatchObject({
      gatewayId: gateway.id,
      gatewayName: 'pr-7',
      reason: 'requested',
      requestedBy: 'ci/pr-7',
      sqsMessageId: request.messageId,
      trigger: 'sqs',
    });
    expect(sink.events('run.summary')[0]).toMatchObject({
      reason: 'completed',
      counts: { messages: 1, retried: 0, 'gateway.deleted': 1 },
    });
  });

  it('deletes a due request without notice, even with notice on: its sender asked for it', async () => {
    // Prepare
    const gateway = aGateway({ name: 'pr-8', createdAt: hoursAgo(1) });
    const { api, sink, deps } = teardownOf([gateway], {
      policy: { ...POLICY, notice: { beforeMs: 86_400_000, defaultOwner: 'platform' } },
    });
    // Act
    await runTeardown([message({ gatewayId: gateway.id })], deps);
    // Assess
    expect(api.calls).toContain(`DELETE ${gateway.id}`);
    expect(sink.records.map((r) => r.event)).toEqual(['gateway.deleted', 'run.summary']);
  });

  it('never deletes a protected gateway, whoever asks', async () => {
    // Prepare
    const gateway = aGateway({ name: 'prod-api' });
    const { api, sink, deps } = teardownOf([gateway]);
    // Act
    const result = await runTeardown([message({ gatewayId: gateway.id })], deps);
    // Assess
    expect(result.retry).toEqual([]);
    expect(api.calls).toEqual([`GET ${gateway.id}`]);
    expect(sink.events('gateway.skipped')).toMatchObject([{ reason: 'protected' }]);
  });

  it('skips a request whose expected name no longer matches the live gateway', async () => {
    // Prepare
    const gateway = aGateway({ name: 'pr-8-reused' });
    const { api, sink, deps } = teardownOf([gateway]);
    // Act
    await runTeardown([message({ gatewayId: gateway.id, expectedName: 'pr-8' })], deps);
    // Assess
    expect(api.calls).not.toContain(`DELETE ${gateway.id}`);
    expect(sink.events('gateway.skipped')).toMatchObject([{ reason: 'stale_request' }]);
  });

  it('defers a request that is not due, pinned to the gateway that holds the id now', async () => {
    // Prepare
    const gateway = aGateway({ name: 'pr-9', createdAt: '2026-11-20T08:00:00Z' });
    const { api, queue, sink, deps } = teardownOf([gateway]);
    // Act
    const result = await runTeardown(
      [message({ gatewayId: gateway.id, expiresAt: inHours(2) })],
      deps,
    );
    // Assess
    expect(result.retry).toEqual([]);
    expect(api.calls).toEqual([`GET ${gateway.id}`]);
    expect(queue.sent).toHaveLength(1);
    expect(queue.sent[0]).toMatchObject({ kind: 'deferred', delaySeconds: 900 });
    expect(JSON.parse(queue.sent[0]?.body ?? '{}')).toMatchObject({
      expectedCreatedAt: '2026-11-20T08:00:00Z',
      expectedName: 'pr-9',
    });
    expect(sink.events('gateway.deferred')).toMatchObject([
      { reason: 'not_due', dueAt: inHours(2) },
    ]);
  });

  it('in a dry run hands a due request back unserved, recording it on its first delivery only', async () => {
    // Prepare
    const gateway = aGateway({ name: 'pr-10' });
    const { api, sink, deps } = teardownOf([gateway], {
      run: { runId: 'run-1', trigger: 'sqs', dryRun: true },
    });
    const first = message({ gatewayId: gateway.id }, 1);
    const again = message({ gatewayId: gateway.id }, 2);
    // Act
    const result = await runTeardown([first, again], deps);
    // Assess
    expect(result.retry).toEqual([first.messageId, again.messageId]);
    expect(api.calls).toEqual([]);
    expect(sink.events('gateway.deferred')).toMatchObject([
      { reason: 'dry_run', sqsMessageId: first.messageId },
    ]);
  });

  it('rejects and parks a body that is not a request, naming the field', async () => {
    // Prepare
    const { queue, sink, deps } = teardownOf([]);
    const bad = message({ gatewayId: 'not-a-uuid' });
    // Act
    const result = await runTeardown([bad], deps);
    // Assess
    expect(result.retry).toEqual([]);
    expect(queue.sent).toMatchObject([{ kind: 'dead_letter', body: bad.body }]);
    expect(sink.events('request.rejected')).toMatchObject([
      {
        sqsMessageId: bad.messageId,
        reason: 'invalid_request',
        error: { code: 'REQUEST_INVALID', field: 'gatewayId' },
      },
    ]);
  });

  it('rejects a request that expires further ahead than the horizon', async () => {
    // Prepare
    const gateway = aGateway({ name: 'pr-11' });
    const { api, sink, deps } = teardownOf([gateway], { maxHorizonMs: 3_600_000 });
    // Act
    await runTeardown([message({ gatewayId: gateway.id, expiresAt: inHours(2) })], deps);
    // Assess
    expect(api.calls).toEqual([]);
    expect(sink.events('request.rejected')).toMatchObject([
      { reason: 'expires_too_far', error: { field: 'expiresAt' } },
    ]);
  });

  it('hands a rejected message back when it cannot be parked', async () => {
    // Prepare
    const { queue, sink, deps } = teardownOf([]);
    queue.failDeadLetter(new Error('SQS is down'));
    const bad = message('not json');
    // Act
    const result = await runTeardown([bad], deps);
    // Assess
    expect(result.retry).toEqual([bad.messageId]);
    expect(sink.events('request.rejected')).toHaveLength(1);
  });

  it('serves duplicate requests for one gateway in turn: one delete, then already gone', async () => {
    // Prepare
    const gateway = aGateway({ name: 'pr-12' });
    const { api, sink, deps } = teardownOf([gateway]);
    // Act
    await runTeardown(
      [message({ gatewayId: gateway.id }), message({ gatewayId: gateway.id })],
      deps,
    );
    // Assess
    expect(api.calls.filter((call) => call.startsWith('DELETE'))).toHaveLength(1);
    expect(sink.records.map((r) => r.event)).toEqual([
      'gateway.deleted',
      'gateway.already_gone',
      'run.summary',
    ]);
  });

  it('parks a request the API refuses for good and acknowledges it', async () => {
    // Prepare
    const gateway = aGateway({ name: 'pr-13' });
    const { api, queue, sink, deps } = teardownOf([gateway]);
    api.failNext(`DELETE ${gateway.id}`, anApiError('API_PERMANENT', 409));
    // Act
    const result = await runTeardown([message({ gatewayId: gateway.id })], deps);
    // Assess
    expect(result.retry).toEqual([]);
    expect(queue.sent).toMatchObject([{ kind: 'dead_letter' }]);
    expect(sink.events('gateway.delete_failed')).toMatchObject([
      { reason: 'permanent', gatewayName: 'pr-13', error: { code: 'API_PERMANENT' } },
    ]);
  });

  it('hands a message back after a transient failure, recording it', async () => {
    // Prepare
    const gateway = aGateway({ name: 'pr-14' });
    const { api, sink, deps } = teardownOf([gateway]);
    api.failNext(`GET ${gateway.id}`, anApiError('API_TRANSIENT', 503, 'GET'));
    const request = message({ gatewayId: gateway.id });
    // Act
    const result = await runTeardown([request], deps);
    // Assess
    expect(result.retry).toEqual([request.messageId]);
    expect(sink.events('gateway.delete_failed')).toMatchObject([
      { reason: 'transient', error: { code: 'API_TRANSIENT' } },
    ]);
  });

  it('stops the batch on a rejected token: the rest come back unrecorded', async () => {
    // Prepare
    const one = aGateway({ name: 'pr-15' });
    const two = aGateway({ name: 'pr-16' });
    const { api, sink, deps } = teardownOf([one, two], { concurrency: 1 });
    api.failNext(`GET ${one.id}`, anApiError('API_UNAUTHENTICATED', 401, 'GET'));
    const requests = [message({ gatewayId: one.id }), message({ gatewayId: two.id })];
    // Act
    const result = await runTeardown(requests, deps);
    // Assess
    expect(result.stopError?.code).toBe('API_UNAUTHENTICATED');
    expect(result.retry).toEqual(requests.map((r) => r.messageId));
    expect(sink.records.map((r) => [r.event, r.reason])).toEqual([
      ['gateway.delete_failed', 'run_stopped'],
      ['run.summary', 'stopped'],
    ]);
  });

  it('sends no DELETE after a GET that finished past the budget', async () => {
    // Prepare
    const gateway = aGateway({ name: 'pr-17' });
    const { api, sink, deps, spendBudget } = teardownOf([gateway]);
    api.afterNext(`GET ${gateway.id}`, spendBudget);
    const request = message({ gatewayId: gateway.id });
    // Act
    const result = await runTeardown([request], deps);
    // Assess
    expect(api.calls).toEqual([`GET ${gateway.id}`]);
    expect(result.retry).toEqual([request.messageId]);
    expect(sink.events('gateway.skipped')).toMatchObject([{ reason: 'deadline' }]);
  });
});
