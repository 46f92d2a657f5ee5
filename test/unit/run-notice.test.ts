import { describe, expect, it } from 'vitest';
import { buildRunNotice, isNoticed } from '#core/audit/notice';
import type { AuditRecord } from '#core/audit/record';

const run = { runId: 'run-1', trigger: 'schedule', dryRun: false } as const;

function record(overrides: Partial<AuditRecord>): AuditRecord {
  return {
    schemaVersion: 1,
    time: '2026-11-20T10:00:00.000Z',
    ...run,
    event: 'gateway.deleted',
    ...overrides,
  };
}

const summary = record({ event: 'run.summary', counts: { listed: 3 } });

describe('buildRunNotice', () => {
  it('says nothing when NOTIFY is off', () => {
    expect(buildRunNotice([record({ gatewayName: 'pr-1' }), summary], 'off')).toBeUndefined();
  });

  it('says nothing under deletions when a run deleted and failed nothing', () => {
    expect(buildRunNotice([summary], 'deletions')).toBeUndefined();
  });

  it('tells an aborted run under deletions, though it deleted nothing', () => {
    // Act
    const notice = buildRunNotice(
      [record({ event: 'run.aborted', reason: 'blast_radius' }), summary],
      'deletions',
    );
    // Assess
    expect(notice?.message).toContain('run aborted by the blast-radius limits');
  });

  it('says a run aborted for an unreadable registry was not stopped by the blast radius', () => {
    // Act
    const notice = buildRunNotice(
      [record({ event: 'run.aborted', reason: 'registry_unavailable' }), summary],
      'deletions',
    );
    // Assess
    expect(notice?.message).toContain('run aborted: the registry could not be read');
    expect(notice?.message).not.toContain('blast-radius');
  });

  it('groups the gateways whose lease expired under "lease"', () => {
    // Act
    const notice = buildRunNotice(
      [record({ gatewayName: 'pr-1', reason: 'lease_expired' }), summary],
      'deletions',
    );
    // Assess
    expect(notice?.message).toContain('  lease (schedule): 1\n    pr-1');
  });

  it('tells a quiet run under always', () => {
    expect(buildRunNotice([summary], 'always')?.subject).toBe(
      'gateway-janitor: deleted 0, failed 0 (schedule, live)',
    );
  });

  it('lists at most 20 gateways per rule and counts the rest', () => {
    // Prepare
    const deleted = Array.from({ length: 25 }, (_, n) =>
      record({ gatewayId: `id-${n}`, gatewayName: `pr-${n}`, ruleId: 'pr-previews' }),
    );
    // Act
    const notice = buildRunNotice([...deleted, summary], 'deletions');
    // Assess
    expect(notice?.message).toContain('  rule pr-previews (schedule): 25');
    expect(notice?.message).toContain('    pr-19 id-19');
    expect(notice?.message).not.toContain('pr-20 ');
    expect(notice?.message).toContain('    ... and 5 more');
  });

  it('names failures by their error code, never by the final state', () => {
    // Prepare
    const records = [
      record({
        event: 'gateway.delete_failed',
        gatewayId: 'id-1',
        gatewayName: 'pr-1',
        error: { code: 'API_PERMANENT', message: 'DELETE -> 409: still referenced' },
      }),
      record({
        gatewayId: 'id-2',
        gatewayName: 'pr-2',
        finalState: {
          spec: { id: 'id-2', name: 'pr-2', zones: ['ZONE-SECRET-ISH'] },
          status: { status: 'STATUS_DELETING' },
        },
      }),
    ];
    // Act
    const notice = buildRunNotice(records, 'deletions');
    // Assess
    expect(notice?.message).toContain('failed: 1\n    pr-1 id-1: API_PERMANENT');
    expect(notice?.message).not.toContain('ZONE-SECRET-ISH');
  });
});

describe('buildRunNotice for a cascade', () => {
  const deployment = (overrides: Partial<AuditRecord>) =>
    record({
      event: 'deployment.deleted',
      deploymentId: 'dep-1',
      deploymentName: 'llama-preview',
      gatewayIds: ['id-1'],
      ruleId: 'pr-previews',
      ...overrides,
    });

  it('names the deployments a cascade deleted before their gateways', () => {
    // Prepare
    const records = [
      deployment({}),
      record({ gatewayId: 'id-1', gatewayName: 'pr-1', ruleId: 'pr-previews' }),
      summary,
    ];
    // Act
    const notice = buildRunNotice(records, 'deletions');
    // Assess
    expect(notice?.message).toContain(
      'deployments deleted first (cascade): 1\n    deployment llama-preview dep-1\n',
    );
    expect(notice?.subject).toBe('gateway-janitor: deleted 1, failed 0 (schedule, live)');
  });

  it('tells a run that deleted only deployments, its gateway left for the next run', () => {
    // Prepare
    const records = [
      deployment({}),
      record({ event: 'gateway.skipped', gatewayId: 'id-1', reason: 'deployments_deleting' }),
      summary,
    ];
    // Act
    const notice = buildRunNotice(records, 'deletions');
    // Assess
    expect(notice?.message).toContain('deployments deleted first (cascade): 1');
  });

  it('names a deployment that failed to delete by its own name', () => {
    // Act
    const notice = buildRunNotice(
      [
        deployment({
          event: 'deployment.delete_failed',
          error: { code: 'API_PERMANENT', message: 'refused' },
        }),
        summary,
      ],
      'deletions',
    );
    // Assess
    expect(notice?.message).toContain(
      'failed: 1\n    deployment llama-preview dep-1: API_PERMANENT',
    );
  });
});

describe('isNoticed', () => {
  it.each([
    ['gateway.deleted', true],
    ['gateway.delete_stuck', true],
    ['deployment.delete_failed', true],
    ['deployment.deleted', true],
    ['run.truncated', true],
    ['gateway.skipped', false],
    ['gateway.delete_confirmed', false],
    ['run.summary', false],
  ] as const)('%s is told in a run notice: %s', (event, noticed) => {
    expect(isNoticed(event)).toBe(noticed);
  });

  it('counts a stuck deletion among the failures', () => {
    // Act
    const notice = buildRunNotice(
      [record({ event: 'gateway.delete_stuck', gatewayName: 'pr-9' }), summary],
      'deletions',
    );
    // Assess
    expect(notice?.subject).toBe('gateway-janitor: deleted 0, failed 1 (schedule, live)');
  });
});
