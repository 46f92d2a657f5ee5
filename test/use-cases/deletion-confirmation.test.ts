import { describe, expect, it } from 'vitest';
import { ApiError } from '#core/errors';
import { compilePolicy } from '#core/policy/compile-policy';
import { parsePolicy } from '#core/policy/policy';
import { runSweep } from '#core/sweep/run-sweep';
import { runTeardown } from '#core/teardown/run-teardown';
import { MemoryAuditSink } from '#test/fakes/memory-audit-sink';
import { MemoryConfirmationQueue } from '#test/fakes/memory-confirmation-queue';
import { MemoryGatewayApi } from '#test/fakes/memory-gateway-api';
import { AT_NOW } from '#test/fakes/memory-run';
import { aGateway, hoursAgo, NOW } from '#test/fixtures/gateway-builder';
import { JANITOR_ROLE_ID, JANITOR_SENDER } from '#test/fixtures/sqs-event';

const POLICY = compilePolicy(
  parsePolicy({
    rules: [{ id: 'pr-previews', match: { name: 'pr-*' }, maxAge: '72h' }],
    limits: { maxDeletesPerRun: 10, maxDeletePercent: 100 },
  }),
);
const RUN_ID = '7d1f0c8e-5b7a-4d38-9f5e-2a9c41b0e6d3';
const MINUTE = 60_000;

/** A confirmation queue in memory, failing the given gateway ids. */
function memoryQueue(failing: string[] = []) {
  const queue = new MemoryConfirmationQueue({ failing });
  return { queue, sent: queue.sent };
}

function depsOf(api: MemoryGatewayApi, dryRun = false) {
  const sink = new MemoryAuditSink();
  return {
    sink,
    deps: {
      api,
      sink,
      ...AT_NOW,
      policy: POLICY,
      concurrency: 2,
      run: { runId: RUN_ID, trigger: 'schedule' as const, dryRun },
    },
  };
}

describe('runSweep with deletion confirmation', () => {
  it('schedules one confirmation per DELETE that answered 200, none for a failed one', async () => {
    // Prepare
    const deleted = aGateway({ name: 'pr-1', createdAt: hoursAgo(100) });
    const failing = aGateway({ name: 'pr-3', createdAt: hoursAgo(100) });
    const api = new MemoryGatewayApi([deleted, failing]);
    api.failNext(`DELETE ${failing.id}`, new ApiError('API_PERMANENT', apiErrorInit(failing.id)));
    const { queue, sent } = memoryQueue();
    const { deps, sink } = depsOf(api);
    // Act
    await runSweep({ ...deps, confirm: { queue, afterMs: 5 * MINUTE, withinMs: 60 * MINUTE } });
    // Assess
    expect(sent).toEqual([
      {
        confirmation: {
          gatewayId: deleted.id,
          deletedAt: new Date(NOW).toISOString(),
          runId: RUN_ID,
        },
        delaySeconds: 300,
      },
    ]);
    expect(sink.records.filter((r) => r.event === 'gateway.unconfirmed')).toEqual([]);
  });

  it('records gateway.unconfirmed for a confirmation that could not be sent, before the summary', async () => {
    // Prepare
    const gateway = aGateway({ name: 'pr-1', createdAt: hoursAgo(100) });
    const { queue } = memoryQueue([gateway.id]);
    const { deps, sink } = depsOf(new MemoryGatewayApi([gateway]));
    // Act
    const summary = await runSweep({
      ...deps,
      confirm: { queue, afterMs: MINUTE, withinMs: MINUTE },
    });
    // Assess
    expect(sink.records.map((r) => r.event)).toEqual([
      'gateway.deleted',
      'gateway.unconfirmed',
      'run.summary',
    ]);
    expect(sink.records[1]).toMatchObject({
      gatewayId: gateway.id,
      gatewayName: 'pr-1',
      reason: 'schedule_failed',
      deletedAt: new Date(NOW).toISOString(),
      error: { code: 'QUEUE_SEND_FAILED', message: 'InternalError: try later (3 attempts)' },
    });
    expect(summary.status).toBe('completed');
    expect(summary.counts).toEqual({ 'gateway.deleted': 1, 'gateway.unconfirmed': 1 });
  });

  it('schedules nothing in a dry run', async () => {
    // Prepare
    const { queue, sent } = memoryQueue();
    const api = new MemoryGatewayApi([aGateway({ name: 'pr-1', createdAt: hoursAgo(100) })]);
    const { deps } = depsOf(api, true);
    // Act
    await runSweep({ ...deps, confirm: { queue, afterMs: MINUTE, withinMs: MINUTE } });
    // Assess
    expect(sent).toEqual([]);
  });

  it('reports a gateway deleting for longer than the window as stuck, even when the run is aborted', async () => {
    // Prepare
    const stuck = aGateway({ name: 'pr-9', status: 'STATUS_DELETING', updatedAt: hoursAgo(2) });
    const fleet = [
      stuck,
      ...Array.from({ length: 11 }, (_, i) =>
        aGateway({ name: `pr-x${i}`, createdAt: hoursAgo(100) }),
      ),
    ];
    const { deps, sink } = depsOf(new MemoryGatewayApi(fleet));
    // Act
    const summary = await runSweep({
      ...deps,
      confirm: { afterMs: MINUTE, withinMs: 60 * MINUTE },
    });
    // Assess
    expect(summary.status).toBe('aborted');
    expect(sink.records.filter((r) => r.event === 'gateway.delete_stuck')).toEqual([
      expect.objectContaining({ gatewayId: stuck.id, reason: 'deleting_too_long' }),
    ]);
  });
});

describe('runTeardown with deletion confirmation', () => {
  // Confirmations come from the janitor's own roles.
  const message = (n: number, body: object) => ({
    messageId: `m-${n}`,
    body: JSON.stringify(body),
    senderId: JANITOR_SENDER,
  });
  const janitorRoleIds = [JANITOR_ROLE_ID];

  it('serves a confirmation with a GET only, and schedules one after a requested deletion', async () => {
    // Prepare
    const vanished = aGateway({ name: 'pr-1' });
    const requested = aGateway({ name: 'pr-2' });
    const api = new MemoryGatewayApi([requested]);
    const { queue, sent } = memoryQueue();
    const { deps, sink } = depsOf(api);
    const deletedAt = new Date(NOW - 10 * MINUTE).toISOString();
    // Act
    const result = await runTeardown(
      [
        message(1, { gatewayId: vanished.id, confirm: { deletedAt, runId: RUN_ID } }),
        message(2, { gatewayId: requested.id, requestedBy: 'ci' }),
      ],
      {
        ...deps,
        run: { ...deps.run, trigger: 'sqs' },
        mode: { kind: 'terminal' },
        janitorRoleIds,
        confirm: { queue, afterMs: MINUTE, withinMs: 60 * MINUTE },
      },
    );
    // Assess
    expect(result.retry).toEqual([]);
    expect(api.calls).toEqual([
      `GET ${vanished.id}`,
      `GET ${requested.id}`,
      // A request checks that no deployment still serves its gateway; a confirmation does not.
      'LIST DEPLOYMENTS',
      `DELETE ${requested.id}`,
    ]);
    expect(sink.records.find((r) => r.gatewayId === vanished.id)).toMatchObject({
      event: 'gateway.delete_confirmed',
      reason: 'gone',
      deletedAt,
      deletionRunId: RUN_ID,
      secondsToGone: 600,
      sqsMessageId: 'm-1',
    });
    expect(sent.map((s) => s.confirmation.gatewayId)).toEqual([requested.id]);
  });

  it('hands a confirmation back when its GET fails, and records nothing for it', async () => {
    // Prepare
    const gateway = aGateway({ name: 'pr-1' });
    const api = new MemoryGatewayApi([gateway]);
    api.failNext(`GET ${gateway.id}`, new ApiError('API_TRANSIENT', apiErrorInit(gateway.id)));
    const { deps, sink } = depsOf(api);
    // Act
    const result = await runTeardown(
      [
        message(1, {
          gatewayId: gateway.id,
          confirm: { deletedAt: new Date(NOW).toISOString(), runId: RUN_ID },
        }),
      ],
      {
        ...deps,
        mode: { kind: 'terminal' },
        janitorRoleIds,
        confirm: { afterMs: MINUTE, withinMs: MINUTE },
      },
    );
    // Assess
    expect(result.retry).toEqual(['m-1']);
    expect(sink.records.map((r) => r.event)).toEqual(['run.summary']);
  });
});

function apiErrorInit(id: string) {
  return {
    method: 'GET',
    path: `/v1alpha1/inference/gateways/${id}`,
    status: 503,
    http: { status: 503, attempts: 3, durationMs: 5 },
  };
}
