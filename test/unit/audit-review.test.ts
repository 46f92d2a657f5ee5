import { describe, expect, it } from 'vitest';
import { parseAuditQuery } from '#cli/audit/audit-query';
import { buildAuditView } from '#cli/audit/build-audit-view';
import { collectAuditLines, parseAuditLine, type ReadRecord } from '#cli/audit/parse-audit-line';
import { renderAuditView } from '#cli/audit/render-audit-view';

const GW = '00000000-0000-4000-8000-000000000001';

function record(overrides: Partial<ReadRecord>): ReadRecord {
  return {
    schemaVersion: 1,
    event: 'gateway.deleted',
    time: '2026-11-20T10:00:00.000Z',
    runId: 'run-1',
    trigger: 'schedule',
    dryRun: false,
    gatewayId: GW,
    gatewayName: 'pr-1290',
    ruleId: 'pr-previews',
    reason: 'expired',
    ...overrides,
  };
}

describe('parseAuditLine', () => {
  it('reads a JSON log line with the record under audit', () => {
    const line = JSON.stringify({ level: 'INFO', audit: record({}) });
    expect(parseAuditLine(line)).toEqual({ kind: 'record', record: record({}) });
  });

  it('reads a line behind a Lambda text-format prefix', () => {
    const line = `2026-11-20T10:00:00.000Z\tabc-123\tINFO\t${JSON.stringify({ audit: record({}) })}`;
    expect(parseAuditLine(line)).toMatchObject({ kind: 'record', record: { gatewayId: GW } });
  });

  it.each([
    ['START RequestId: abc Version: $LATEST', 'other'],
    ['REPORT RequestId: abc\tDuration: 3 ms', 'other'],
    ['{"level":"ERROR","message":"sweep failed"}', 'other'],
    ['', 'other'],
    ['Task timed out after 300.00 seconds', 'unreadable'],
    ['{"audit": {"schemaVersion": 2, "event": "gateway.deleted"}}', 'unreadable'],
    [
      '{"audit": {"schemaVersion": 1, "event": "x", "time": "yesterday", "runId": "r"}}',
      'unreadable',
    ],
    ['{"audit": ', 'unreadable'],
    ['[1, 2]', 'unreadable'],
  ])('classifies %j as %s', (line, kind) => {
    expect(parseAuditLine(line).kind).toBe(kind);
  });

  it('keeps a record read from two sources once', () => {
    const line = JSON.stringify({ audit: record({}) });
    expect(collectAuditLines([line, `t\tr\tINFO\t${line}`, 'garbage']).records).toHaveLength(1);
  });
});

describe('the deletions view', () => {
  const confirmationOf = (...later: ReadRecord[]) =>
    buildAuditView('deletions', [record({}), ...later], {}).rows[0]?.confirmation;

  it('shows a deletion confirmed by gateway.delete_confirmed, with the seconds it took', () => {
    expect(
      confirmationOf(
        record({
          event: 'gateway.delete_confirmed',
          time: '2026-11-20T10:05:00.000Z',
          trigger: 'sqs',
          deletedAt: '2026-11-20T10:00:00.000Z',
          secondsToGone: 41,
        }),
      ),
    ).toBe('confirmed (41s)');
  });

  it('shows a deletion recorded as gateway.delete_stuck as stuck, with why', () => {
    expect(
      confirmationOf(
        record({
          event: 'gateway.delete_stuck',
          reason: 'deleting_too_long',
          time: '2026-11-20T11:05:00.000Z',
        }),
      ),
    ).toBe('stuck (deleting_too_long)');
  });

  it('shows a deletion whose confirmation was deferred as pending', () => {
    expect(
      confirmationOf(
        record({
          event: 'gateway.deferred',
          reason: 'confirm_pending',
          trigger: 'sqs',
          time: '2026-11-20T10:05:00.000Z',
        }),
      ),
    ).toBe('pending');
  });

  it('does not take a deferred teardown request for a pending confirmation', () => {
    expect(
      confirmationOf(
        record({
          event: 'gateway.deferred',
          reason: 'not_due',
          trigger: 'sqs',
          time: '2026-11-20T10:05:00.000Z',
        }),
      ),
    ).toBe('unconfirmed');
  });

  it('shows a deletion whose confirmation could not be sent as unconfirmed, with why', () => {
    expect(
      confirmationOf(
        record({
          event: 'gateway.unconfirmed',
          reason: 'schedule_failed',
          time: '2026-11-20T10:00:01.000Z',
        }),
      ),
    ).toBe('unconfirmed (schedule_failed)');
  });

  it("ignores a confirmation of another run's deletion of the same gateway", () => {
    expect(
      confirmationOf(
        record({
          event: 'gateway.delete_confirmed',
          trigger: 'sqs',
          time: '2026-11-20T10:05:00.000Z',
          deletionRunId: 'run-0',
          secondsToGone: 3,
        }),
      ),
    ).toBe('unconfirmed');
  });

  it('ignores confirmations from before the deletion or of another gateway', () => {
    expect(
      confirmationOf(
        record({ event: 'gateway.delete_confirmed', time: '2026-11-19T10:00:00.000Z' }),
        record({
          event: 'gateway.delete_confirmed',
          gatewayId: '00000000-0000-4000-8000-000000000002',
          time: '2026-11-20T10:05:00.000Z',
        }),
      ),
    ).toBe('unconfirmed');
  });

  it('never lists a dry run deletion', () => {
    expect(
      buildAuditView('deletions', [record({ event: 'gateway.would_delete' })], {}).rows,
    ).toEqual([]);
  });
});

describe('the history view', () => {
  it('shows every record of a gateway another filter matched, in time order', () => {
    // Prepare
    const records = [
      record({ event: 'gateway.deleted', time: '2026-11-20T12:00:00.000Z', runId: 'run-2' }),
      record({ event: 'gateway.delete_failed', time: '2026-11-20T11:00:00.000Z' }),
      record({ event: 'gateway.deleted', gatewayId: 'other', gatewayName: 'x' }),
    ];
    const query = parseAuditQuery({ event: ['gateway.delete_failed'] }, Date.now());
    // Act
    const { rows } = buildAuditView('history', records, query);
    // Assess
    expect(rows.map((row) => row.event)).toEqual(['gateway.delete_failed', 'gateway.deleted']);
  });
});

describe('deployments deleted by a cascade, in the views', () => {
  // A cascade deletes the deployment first, then the gateway it served, in the same run.
  const cascade = [
    record({
      event: 'deployment.deleted',
      time: '2026-11-20T09:59:59.000Z',
      gatewayId: undefined,
      gatewayName: undefined,
      deploymentId: 'dep-1',
      deploymentName: 'llama-preview',
      gatewayIds: [GW],
    }),
    record({}),
    record({
      event: 'deployment.deleted',
      gatewayId: undefined,
      gatewayName: undefined,
      deploymentId: 'dep-2',
      deploymentName: 'elsewhere',
      gatewayIds: ['00000000-0000-4000-8000-000000000002'],
    }),
  ];

  it("shows in a gateway's history the deployments deleted before it", () => {
    // Act
    const { rows } = buildAuditView(
      'history',
      cascade,
      parseAuditQuery({ gateway: ['pr-1290'] }, 0),
    );
    // Assess
    expect(rows.map((row) => [row.event, row.name, row.gatewayId])).toEqual([
      ['deployment.deleted', 'llama-preview', GW],
      ['gateway.deleted', 'pr-1290', GW],
    ]);
  });

  it("shows a deployment that names the gateway in upper case in the gateway's history", () => {
    // Prepare
    const id = 'abcdef00-0000-4000-8000-0000000000aa';
    const shouting = cascade.map((r) =>
      r.gatewayIds
        ? { ...r, gatewayIds: r.gatewayIds.map((g) => (g === GW ? id.toUpperCase() : g)) }
        : { ...r, gatewayId: id },
    );
    // Act
    const { rows } = buildAuditView(
      'history',
      shouting,
      parseAuditQuery({ gateway: ['pr-1290'] }, 0),
    );
    // Assess
    expect(rows.map((row) => [row.event, row.name])).toEqual([
      ['deployment.deleted', 'llama-preview'],
      ['gateway.deleted', 'pr-1290'],
    ]);
  });

  it('counts them apart from gateways in runs and summary', () => {
    // Act
    const runs = buildAuditView('runs', cascade, {}).rows;
    const summary = buildAuditView('summary', cascade, {}).rows;
    // Assess
    expect(runs).toEqual([expect.objectContaining({ deleted: 1, deploymentsDeleted: 2 })]);
    expect(summary).toEqual([expect.objectContaining({ deleted: 1, deploymentsDeleted: 2 })]);
  });
});

describe('the summary view', () => {
  it('counts deletions and failures per day, trigger and rule', () => {
    // Prepare
    const records = [
      record({}),
      record({ gatewayId: 'b', time: '2026-11-20T23:59:59.000Z' }),
      record({ event: 'gateway.delete_failed', gatewayId: 'c' }),
      record({
        gatewayId: 'd',
        time: '2026-11-21T00:00:00.000Z',
        trigger: 'sqs',
        ruleId: undefined,
      }),
      record({ event: 'gateway.would_delete', gatewayId: 'e' }),
    ];
    // Act
    const { rows } = buildAuditView('summary', records, {});
    // Assess
    expect(rows).toEqual([
      {
        day: '2026-11-20',
        trigger: 'schedule',
        rule: 'pr-previews',
        deleted: 2,
        failed: 1,
        deploymentsDeleted: 0,
      },
      {
        day: '2026-11-21',
        trigger: 'sqs',
        rule: '(request)',
        deleted: 1,
        failed: 0,
        deploymentsDeleted: 0,
      },
    ]);
  });
});

describe('renderAuditView', () => {
  it('quotes csv cells holding commas, quotes or line breaks', () => {
    // Prepare
    const table = { columns: ['a', 'b'], rows: [{ a: 'x, y', b: 'say "hi"\nbye' }] };
    // Act
    const text = renderAuditView('history', table, 'csv');
    // Assess
    expect(text).toBe('a,b\r\n"x, y","say ""hi""\nbye"\r\n');
  });

  it('escapes pipes in markdown cells', () => {
    const text = renderAuditView('history', { columns: ['a'], rows: [{ a: 'x|y' }] }, 'md');
    expect(text).toBe('| a |\n| --- |\n| x\\|y |\n');
  });

  it('prints an empty JSON array when nothing matched', () => {
    expect(renderAuditView('runs', { columns: ['a'], rows: [] }, 'json')).toBe('[]\n');
  });
});

describe('parseAuditQuery', () => {
  it('reads a duration as that long before now', () => {
    const now = Date.parse('2026-11-30T00:00:00Z');
    expect(parseAuditQuery({ since: '7d' }, now).since).toBe(Date.parse('2026-11-23T00:00:00Z'));
  });

  it('reads an RFC 3339 time with its offset', () => {
    expect(parseAuditQuery({ until: '2026-11-30T01:00:00+01:00' }, 0).until).toBe(
      Date.parse('2026-11-30T00:00:00Z'),
    );
  });
});
