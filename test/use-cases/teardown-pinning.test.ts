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

const policyWith = (extra: object = {}) =>
  compilePolicy(
    parsePolicy({
      rules: [{ id: 'pr-previews', match: { name: 'pr-*' }, maxAge: '72h' }],
      protect: { names: ['prod-*'] },
      ...extra,
    }),
  );
// Longer than a request's expectedName may be (100 characters): a pinned body would not parse.
const LONG_NAME = `pr-${'x'.repeat(120)}`;
const GATEWAY = aGateway({ id: testId(1), name: LONG_NAME, createdAt: hoursAgo(100) });

function teardownOf(body: object, deployments: Deployment[] = [], policy = policyWith()) {
  const api = new MemoryGatewayApi([GATEWAY], deployments);
  const sink = new MemoryAuditSink();
  const queue = new MemoryTeardownQueue();
  const run = () =>
    runTeardown([{ messageId: 'm-1', body: JSON.stringify(body) }], {
      api,
      sink,
      mode: { kind: 'queue', queue },
      ...AT_NOW,
      policy,
      concurrency: 1,
      run: { runId: 'run-1', trigger: 'sqs', dryRun: false },
    });
  return { api, sink, queue, run };
}

describe('runTeardown never re-sends a request with less identity than it saw', () => {
  it('keeps a not-due request whose pinned body would not parse, and re-sends nothing', async () => {
    // Prepare
    const later = new Date(NOW + 3_600_000).toISOString();
    const { sink, queue, run } = teardownOf({ gatewayId: testId(1), expiresAt: later });
    // Act
    const result = await run();
    // Assess
    expect(queue.sent).toEqual([]);
    expect(result.retry).toEqual([]);
    expect(sink.records[0]).toMatchObject({ event: 'gateway.skipped', reason: 'unknown_identity' });
  });

  it('keeps a request held by deployments whose pinned body would not parse, and re-sends nothing', async () => {
    // Prepare
    const serving = { id: 'dep-1', name: 'preview', gatewayIds: [testId(1)] };
    const { api, sink, queue, run } = teardownOf({ gatewayId: testId(1) }, [
      { ...serving, status: 'STATUS_READY' },
    ]);
    // Act
    const result = await run();
    // Assess
    expect(queue.sent).toEqual([]);
    expect(result.retry).toEqual([]);
    expect(api.calls).not.toContain(`DELETE ${testId(1)}`);
    expect(sink.records[0]).toMatchObject({ event: 'gateway.skipped', reason: 'unknown_identity' });
  });

  it('keeps a request past the run limit whose pinned body would not parse, and re-sends nothing', async () => {
    // Prepare
    const noDeletes = policyWith({ limits: { maxDeletesPerRun: 0, maxDeletePercent: 50 } });
    const { api, sink, queue, run } = teardownOf({ gatewayId: testId(1) }, [], noDeletes);
    // Act
    const result = await run();
    // Assess
    expect(queue.sent).toEqual([]);
    expect(result.retry).toEqual([]);
    expect(api.calls).not.toContain(`DELETE ${testId(1)}`);
    expect(sink.records[0]).toMatchObject({ event: 'gateway.skipped', reason: 'unknown_identity' });
  });
});
