import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditCommand } from '#cli/audit/audit-command';
import { type RecordedRuns, recordRealRuns } from '#test/support/record-real-runs';
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
});
