import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditCommand } from '#cli/audit/audit-command';
import {
  type CloudWatchLogsDouble,
  startCloudWatchLogsDouble,
} from '#test/fakes/cloudwatch-logs-double';
import {
  CONFIRMATION_FATES,
  CONFIRMATION_RUNS,
  type RecordedRuns,
  recordConfirmationRuns,
  recordRealRuns,
} from '#test/support/record-real-runs';
import { runCliInProcess } from './run-cli-in-process.ts';

/** Runs the CLI in this process with captured output. */
const run = (args: string[], progress = false) => runCliInProcess(args, { progress });

const lambdaText = (line: string) => `2026-11-30T12:00:00.000Z\treq-0001\tINFO\t${line}`;

describe('gateway-janitor audit over the log lines of real runs', () => {
  let runs: RecordedRuns;
  let dir: string;
  let sweepLog: string;
  let teardownLog: string;
  const files = () => ['--file', sweepLog, '--file', teardownLog];

  beforeAll(async () => {
    runs = await recordRealRuns();
    dir = await mkdtemp(join(tmpdir(), 'janitor-audit-'));
    sweepLog = join(dir, 'sweep.log');
    teardownLog = join(dir, 'teardown.log');
    await writeFile(sweepLog, `${runs.sweep.join('\n')}\n`);
    // The teardown log as Lambda's text format stores it: a prefix, and platform lines.
    await writeFile(
      teardownLog,
      [
        'START RequestId: run-teardown Version: $LATEST',
        ...runs.teardown.map(lambdaText),
        'END RequestId: run-teardown',
        'REPORT RequestId: run-teardown\tDuration: 30.12 ms',
      ].join('\n'),
    );
  }, 60_000);

  describe('deletions (the default view)', () => {
    it('shows one row per deleted gateway with rule, trigger, requester, final status and confirmation', async () => {
      // Act
      const { code, stdout, stderr } = await run(['audit', ...files()]);
      // Assess
      expect(code).toBe(0);
      expect(stderr).toBe('');
      const lines = stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(
        /^time +gatewayId +name +rule +trigger +requestedBy +reason +finalStatus +confirmation +runId$/,
      );
      expect(lines).toHaveLength(6);
      expect(stdout).toMatch(
        /pr-101-old +pr-previews +schedule +- +expired +STATUS_DELETING +unconfirmed +run-live/,
      );
      expect(stdout).toMatch(/failed-gw +broken +schedule/);
      expect(stdout).toMatch(
        /pr-103-young +- +sqs +ci\/pr-103 +requested +STATUS_DELETING +unconfirmed +run-teardown/,
      );
      expect(stdout).not.toContain('run-dry');
    });

    it('prints only data as csv: a header and one line per deletion', async () => {
      // Act
      const { code, stdout, stderr } = await run([
        'audit',
        'deletions',
        ...files(),
        '--format',
        'csv',
      ]);
      // Assess
      expect(code).toBe(0);
      expect(stderr).toBe('');
      const lines = stdout.trimEnd().split('\r\n');
      expect(lines[0]).toBe(
        'time,gatewayId,name,rule,trigger,requestedBy,reason,finalStatus,confirmation,runId',
      );
      expect(
        lines
          .slice(1)
          .map((line) => line.split(',')[2])
          .sort(),
      ).toEqual(['failed-gw', 'pr-101-old', 'pr-102-old', 'pr-103-young', 'pr-110-wandb']);
    });

    it('prints one JSON array as json', async () => {
      // Act
      const { stdout } = await run(['audit', ...files(), '--format', 'json']);
      // Assess
      const rows = JSON.parse(stdout) as Array<Record<string, unknown>>;
      expect(rows).toHaveLength(5);
      expect(rows.find((row) => row.name === 'pr-103-young')).toMatchObject({
        trigger: 'sqs',
        requestedBy: 'ci/pr-103',
        rule: null,
        finalStatus: 'STATUS_DELETING',
        confirmation: 'unconfirmed',
        runId: 'run-teardown',
      });
    });
  });

  describe('history', () => {
    it('shows every record of the gateway named, in time order', async () => {
      // Act
      const { code, stdout } = await run([
        'audit',
        'history',
        ...files(),
        '--gateway',
        'pr-101-old',
        '--format',
        'json',
      ]);
      // Assess
      expect(code).toBe(0);
      const rows = JSON.parse(stdout) as Array<Record<string, unknown>>;
      expect(rows.map((row) => [row.event, row.runId, row.dryRun])).toEqual([
        ['gateway.would_delete', 'run-dry', true],
        ['gateway.deleted', 'run-live', false],
      ]);
    });

    it('finds a gateway by id as well as by name, as a markdown table', async () => {
      // Act
      const { stdout } = await run([
        'audit',
        'history',
        ...files(),
        '--gateway',
        '00000000-0000-4000-8000-000000000003',
        '--format',
        'md',
      ]);
      // Assess
      const lines = stdout.trimEnd().split('\n');
      expect(lines[0]).toBe(
        '| time | gatewayId | name | event | reason | rule | trigger | dryRun | requestedBy | httpStatus | runId |',
      );
      expect(lines).toHaveLength(3);
      expect(lines[2]).toContain('| pr-103-young | gateway.deleted | requested |');
    });
  });

  describe('runs', () => {
    it('shows one row per run with its counts', async () => {
      // Act
      const { stdout } = await run(['audit', 'runs', ...files(), '--format', 'json']);
      // Assess
      const rows = JSON.parse(stdout) as Array<Record<string, unknown>>;
      expect(rows.map((row) => row.runId)).toEqual(['run-dry', 'run-live', 'run-teardown']);
      expect(rows[0]).toMatchObject({
        mode: 'dry run',
        status: 'completed',
        listed: 12,
        wouldDelete: 4,
        deleted: 0,
      });
      expect(rows[1]).toMatchObject({ mode: 'live', trigger: 'schedule', deleted: 4, failed: 0 });
      expect(rows[2]).toMatchObject({ trigger: 'sqs', deleted: 1, rejected: 1 });
    });

    it('renders a table a person can read', async () => {
      // Act
      const { stdout } = await run(['audit', 'runs', ...files()]);
      // Assess
      expect(stdout).toMatch(/^started +runId +trigger +mode +status/);
      expect(stdout).toMatch(/run-live +schedule +live +completed +12 +4 +4 /);
    });
  });

  describe('summary', () => {
    it('counts deletions per day by trigger and rule, with a bar chart in the table', async () => {
      // Act
      const { stdout } = await run(['audit', 'summary', ...files()]);
      // Assess
      expect(stdout).toMatch(/^day +trigger +rule +deleted +failed +deploymentsDeleted\n/);
      expect(stdout).toMatch(/schedule +pr-previews +3 +0/);
      expect(stdout).toMatch(/schedule +broken +1 +0/);
      expect(stdout).toMatch(/sqs +\(request\) +1 +0/);
      expect(stdout).toMatch(/Deletions per day\n\d{4}-\d{2}-\d{2} {2}#{40} 5\n$/);
    });

    it('prints no chart as csv', async () => {
      // Act
      const { stdout } = await run(['audit', 'summary', ...files(), '--format', 'csv']);
      // Assess
      expect(stdout).not.toContain('#');
      expect(stdout.trimEnd().split('\r\n')).toHaveLength(4);
    });
  });

  describe('filters', () => {
    const names = async (...args: string[]) => {
      const { stdout } = await run(['audit', ...files(), '--format', 'json', ...args]);
      return (JSON.parse(stdout) as Array<{ name: string }>).map((row) => row.name).sort();
    };

    it('narrows by trigger, rule, requester and run', async () => {
      expect(await names('--trigger', 'sqs')).toEqual(['pr-103-young']);
      expect(await names('--rule', 'broken')).toEqual(['failed-gw']);
      expect(await names('--rule', 'broken', '--rule', 'pr-previews')).toHaveLength(4);
      expect(await names('--requested-by', 'ci/pr-103')).toEqual(['pr-103-young']);
      expect(await names('--run', 'run-teardown')).toEqual(['pr-103-young']);
    });

    it('narrows by time window, as a duration ago or an RFC 3339 time', async () => {
      expect(await names('--since', '1d')).toHaveLength(5);
      expect(await names('--until', '1d')).toEqual([]);
      expect(await names('--since', '2999-01-01T00:00:00Z')).toEqual([]);
    });

    it('narrows runs by event: only runs with a rejected request', async () => {
      // Act
      const { stdout } = await run([
        'audit',
        'runs',
        ...files(),
        '--event',
        'request.rejected',
        '--format',
        'json',
      ]);
      // Assess
      expect((JSON.parse(stdout) as Array<{ runId: string }>).map((row) => row.runId)).toEqual([
        'run-teardown',
      ]);
    });

    it('says so when nothing matched', async () => {
      // Act
      const { code, stdout } = await run(['audit', ...files(), '--gateway', 'no-such-gateway']);
      // Assess
      expect(code).toBe(0);
      expect(stdout).toBe('No records matched.\n');
    });
  });

  describe('input', () => {
    it('reads log lines from stdin with --file -', async () => {
      // Prepare
      const io = {
        out: (text: string) => chunks.push(text),
        err: () => {},
        progress: false,
        env: {},
      };
      const chunks: string[] = [];
      // Act
      const code = await auditCommand('deletions', { file: ['-'], format: 'json' }, io, {
        stdin: Readable.from([runs.teardown.join('\n')]),
      });
      // Assess
      expect(code).toBe(0);
      expect(JSON.parse(chunks.join(''))).toHaveLength(1);
    });

    it("reads the CLI's own --audit-file output", async () => {
      // Prepare
      const auditFile = join(dir, 'cli-audit.jsonl');
      const sweep = await run(['sweep', '--simulate', '--apply', '--audit-file', auditFile]);
      // Act
      const { code, stdout } = await run(['audit', '--file', auditFile, '--format', 'json']);
      // Assess
      expect(sweep.code).toBe(0);
      expect(code).toBe(0);
      const rows = JSON.parse(stdout) as Array<{ trigger: string }>;
      expect(rows.length).toBeGreaterThan(0);
      expect(new Set(rows.map((row) => row.trigger))).toEqual(new Set(['cli']));
    });

    it('counts and reports lines that are not audit records, and still shows the rest', async () => {
      // Prepare
      const mixed = join(dir, 'mixed.log');
      await writeFile(
        mixed,
        ['not json at all', '{"audit": {"event": 3}}', ...runs.teardown].join('\n'),
      );
      // Act
      const { code, stdout, stderr } = await run(['audit', '--file', mixed, '--format', 'csv']);
      // Assess
      expect(code).toBe(0);
      expect(stderr).toBe('gateway-janitor: 2 lines were not audit records (skipped)\n');
      expect(stdout.trimEnd().split('\r\n')).toHaveLength(2);
    });
  });

  describe('bad input', () => {
    it.each([
      [
        ['audit', '--file', '/nonexistent/sweep.log'],
        /--file: cannot read \/nonexistent\/sweep\.log \(ENOENT\)/,
      ],
      [
        ['audit', 'everything', '--file', 'x'],
        /view: "everything": expected deletions, history, runs, summary/,
      ],
      [
        ['audit', '--file', 'x', '--format', 'xml'],
        /--format: "xml": expected table, csv, json, md/,
      ],
      [
        ['audit', '--file', 'x', '--since', 'last week'],
        /--since: "last week": expected a duration/,
      ],
      [['audit', '--file', 'x', '--until', '2026-02-30T00:00:00Z'], /--until: /],
      [
        ['audit', '--file', 'x', '--since', '1d', '--until', '2d'],
        /--since: is later than --until/,
      ],
      [
        ['audit', '--file', 'x', '--trigger', 'cron'],
        /--trigger: "cron": expected schedule, sqs, cli or direct/,
      ],
      [['audit', '--file', 'x', '--event', 'deleted'], /--event: "deleted" is not an audit event/],
      [['audit'], /--log-group: name at least one log group, or --file/],
    ])('%j is a usage error naming the flag, without a stack trace', async (args, message) => {
      // Act
      const { code, stdout, stderr } = await run(args);
      // Assess
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toMatch(message);
      expect(stderr).not.toMatch(/\n\s+at /);
    });
  });

  describe('over CloudWatch Logs', () => {
    let logs: CloudWatchLogsDouble;
    const saved = { ...process.env };
    const SWEEP_GROUP = '/aws/lambda/gateway-janitor-dev-sweep';
    const TEARDOWN_GROUP = '/aws/lambda/gateway-janitor-dev-teardown';

    beforeAll(async () => {
      logs = await startCloudWatchLogsDouble({ pageSize: 3 });
      logs.setGroup(SWEEP_GROUP, runs.sweep);
      logs.setGroup(TEARDOWN_GROUP, runs.teardown);
      Object.assign(process.env, {
        AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: logs.url,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST',
        AWS_SECRET_ACCESS_KEY: 'local-test-secret',
      });
    });
    afterAll(async () => {
      for (const key of [
        'AWS_ENDPOINT_URL_CLOUDWATCH_LOGS',
        'AWS_REGION',
        'AWS_ACCESS_KEY_ID',
        'AWS_SECRET_ACCESS_KEY',
      ]) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
      await logs.close();
    });

    it('reads every page of every group through nextToken, asking only for audit lines', async () => {
      // Prepare
      logs.calls.length = 0;
      // Act
      const { code, stdout } = await run([
        'audit',
        'runs',
        '--log-group',
        SWEEP_GROUP,
        '--log-group',
        TEARDOWN_GROUP,
        '--format',
        'json',
        '--since',
        '2026-11-01T00:00:00Z',
      ]);
      // Assess
      expect(code).toBe(0);
      const rows = JSON.parse(stdout) as Array<{ runId: string; deleted: number }>;
      expect(rows.map((row) => [row.runId, row.deleted])).toEqual([
        ['run-dry', 0],
        ['run-live', 4],
        ['run-teardown', 1],
      ]);
      const sweepCalls = logs.calls.filter((call) => call.logGroupName === SWEEP_GROUP);
      expect(sweepCalls.length).toBe(Math.ceil(runs.sweep.length / 3));
      expect(sweepCalls.length).toBeGreaterThanOrEqual(2);
      expect(sweepCalls.map((call) => call.nextToken)).toEqual([
        undefined,
        ...sweepCalls.slice(1).map((_, index) => `page-${(index + 1) * 3}`),
      ]);
      expect(logs.calls[0]).toMatchObject({
        filterPattern: '{ $.audit.schemaVersion = 1 }',
        startTime: Date.parse('2026-11-01T00:00:00Z'),
      });
    });

    it('shows progress on a terminal while pages are read, on stderr only', async () => {
      // Act
      const { stdout, stderr } = await run(
        ['audit', '--log-group', SWEEP_GROUP, '--format', 'csv'],
        true,
      );
      // Assess
      expect(stderr).toContain(`${SWEEP_GROUP}: 2 pages, 6 lines read`);
      expect(stdout.startsWith('time,gatewayId')).toBe(true);
    });

    it('names a log group that does not exist', async () => {
      // Act
      const { code, stdout, stderr } = await run(['audit', '--log-group', '/aws/lambda/missing']);
      // Assess
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toBe('gateway-janitor: --log-group: /aws/lambda/missing: no such log group\n');
    });

    it('asks for a region when none is configured', async () => {
      // Prepare
      const saved = {
        region: process.env.AWS_REGION,
        fallback: process.env.AWS_DEFAULT_REGION,
        profile: process.env.AWS_PROFILE,
      };
      delete process.env.AWS_REGION;
      delete process.env.AWS_DEFAULT_REGION;
      process.env.AWS_PROFILE = 'janitor-test-no-such-profile';
      try {
        // Act
        const { code, stderr } = await run(['audit', '--log-group', SWEEP_GROUP]);
        // Assess
        expect(code).toBe(1);
        expect(stderr).toBe('gateway-janitor: CloudWatch Logs: no AWS region (set AWS_REGION)\n');
      } finally {
        for (const [key, value] of [
          ['AWS_REGION', saved.region],
          ['AWS_DEFAULT_REGION', saved.fallback],
          ['AWS_PROFILE', saved.profile],
        ] as const) {
          if (value === undefined) delete process.env[key];
          else process.env[key] = value;
        }
      }
    });

    it('explains missing credentials without a stack trace', async () => {
      // Prepare
      const keys = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
      delete process.env.AWS_ACCESS_KEY_ID;
      delete process.env.AWS_SECRET_ACCESS_KEY;
      const profile = process.env.AWS_PROFILE;
      process.env.AWS_PROFILE = 'janitor-test-no-such-profile';
      // No instance metadata lookup either: the credential chain ends at once.
      const imds = process.env.AWS_EC2_METADATA_DISABLED;
      process.env.AWS_EC2_METADATA_DISABLED = 'true';
      try {
        // Act
        const { code, stderr } = await run(['audit', '--log-group', SWEEP_GROUP]);
        // Assess
        expect(code).toBe(1);
        expect(stderr).toMatch(
          /^gateway-janitor: CloudWatch Logs \/aws\/lambda\/gateway-janitor-dev-sweep: \w+ \(check the AWS credentials/,
        );
        expect(stderr).not.toMatch(/\n\s+at /);
      } finally {
        process.env.AWS_ACCESS_KEY_ID = keys.id;
        process.env.AWS_SECRET_ACCESS_KEY = keys.secret;
        if (profile === undefined) delete process.env.AWS_PROFILE;
        else process.env.AWS_PROFILE = profile;
        if (imds === undefined) delete process.env.AWS_EC2_METADATA_DISABLED;
        else process.env.AWS_EC2_METADATA_DISABLED = imds;
      }
    });
  });
});

describe('gateway-janitor audit over a live sweep and the confirmations it scheduled', () => {
  let confirmationLog: string;

  beforeAll(async () => {
    const runs = await recordConfirmationRuns();
    const dir = await mkdtemp(join(tmpdir(), 'janitor-audit-confirm-'));
    confirmationLog = join(dir, 'both.log');
    await writeFile(confirmationLog, `${[...runs.sweep, ...runs.teardown].join('\n')}\n`);
  }, 60_000);

  it('shows how each deletion was confirmed: gone with its seconds, stuck, pending or unconfirmed', async () => {
    // Act
    const { code, stdout, stderr } = await run([
      'audit',
      'deletions',
      '--file',
      confirmationLog,
      '--format',
      'json',
    ]);
    // Assess
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const rows = JSON.parse(stdout) as Array<Record<string, unknown>>;
    const byName = Object.fromEntries(rows.map((row) => [row.name, row.confirmation]));
    expect(byName).toEqual({
      [CONFIRMATION_FATES.confirmed]: expect.stringMatching(/^confirmed \(\d+s\)$/),
      [CONFIRMATION_FATES.stuck]: 'stuck (not_deleting)',
      [CONFIRMATION_FATES.pending]: 'pending',
      [CONFIRMATION_FATES.unconfirmed]: 'unconfirmed (schedule_failed)',
    });
    expect(rows.every((row) => row.runId === CONFIRMATION_RUNS.delete)).toBe(true);
  });

  it('shows each deletion and its confirmation in the history of a gateway, named', async () => {
    // Act
    const { code, stdout } = await run([
      'audit',
      'history',
      '--file',
      confirmationLog,
      '--gateway',
      CONFIRMATION_FATES.confirmed,
      '--gateway',
      CONFIRMATION_FATES.stuck,
      '--format',
      'csv',
    ]);
    // Assess
    expect(code).toBe(0);
    const rows = stdout
      .trimEnd()
      .split('\r\n')
      .slice(1)
      .map((line) => line.split(',').slice(2, 7).join(','));
    expect(rows.sort()).toEqual([
      'pr-101-old,gateway.delete_confirmed,gone,,sqs',
      'pr-101-old,gateway.deleted,expired,pr-previews,schedule',
      'pr-102-old,gateway.delete_stuck,not_deleting,,sqs',
      'pr-102-old,gateway.deleted,expired,pr-previews,schedule',
    ]);
  });
});
