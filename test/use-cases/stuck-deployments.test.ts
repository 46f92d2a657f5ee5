import { describe, expect, it } from 'vitest';
import type { Deployment } from '#core/model';
import { compilePolicy } from '#core/policy/compile-policy';
import { parsePolicy } from '#core/policy/policy';
import { runSweep } from '#core/sweep/run-sweep';
import { MemoryAuditSink } from '#test/fakes/memory-audit-sink';
import { MemoryGatewayApi } from '#test/fakes/memory-gateway-api';
import { AT_NOW } from '#test/fakes/memory-run';
import { aGateway, hoursAgo, testId } from '#test/fixtures/gateway-builder';

const POLICY = compilePolicy(
  parsePolicy({ rules: [{ id: 'pr-previews', match: { name: 'pr-*' }, maxAge: '72h' }] }),
);
const HOUR = 3_600_000;

const deleting = (id: string, name: string, updatedAt: string | undefined): Deployment => ({
  id,
  name,
  gatewayIds: [testId(1)],
  status: 'STATUS_DELETING',
  createdAt: hoursAgo(200),
  ...(updatedAt === undefined ? {} : { updatedAt }),
});

async function sweep(deployments: Deployment[]) {
  const api = new MemoryGatewayApi([aGateway({ id: testId(1), name: 'bench' })], deployments);
  const sink = new MemoryAuditSink();
  await runSweep({
    api,
    sink,
    ...AT_NOW,
    policy: POLICY,
    concurrency: 1,
    run: { runId: 'run-1', trigger: 'schedule', dryRun: true },
    confirm: { afterMs: 5 * 60_000, withinMs: HOUR },
  });
  return { api, records: sink.records };
}

describe('runSweep on deployments deleting for too long', () => {
  it('records deployment.delete_stuck for one deleting longer than DELETE_CONFIRM_WITHIN, as for a gateway', async () => {
    // Prepare
    const stuck = deleting('d6a1c3f0-0000-4000-8000-000000000001', 'bench-model', hoursAgo(2));
    // Act
    const { api, records } = await sweep([stuck]);
    // Assess
    expect(records.filter((r) => r.event === 'deployment.delete_stuck')).toEqual([
      expect.objectContaining({
        reason: 'deleting_too_long',
        deploymentId: stuck.id,
        deploymentName: 'bench-model',
        gatewayIds: [testId(1)],
        finalState: expect.objectContaining({
          status: expect.objectContaining({ status: 'STATUS_DELETING', updatedAt: hoursAgo(2) }),
        }),
      }),
    ]);
    expect(api.calls).toEqual(['LIST', 'LIST DEPLOYMENTS']);
  });

  it('reports none still within the window, without an updatedAt, or without a name', async () => {
    // Prepare
    const within = deleting('d6a1c3f0-0000-4000-8000-000000000002', 'fresh', hoursAgo(0.5));
    const undated = deleting('d6a1c3f0-0000-4000-8000-000000000003', 'undated', undefined);
    const nameless = deleting('d6a1c3f0-0000-4000-8000-000000000004', '', hoursAgo(5));
    // Act
    const { records } = await sweep([within, undated, nameless]);
    // Assess
    expect(records.filter((r) => r.event === 'deployment.delete_stuck')).toEqual([]);
  });
});
