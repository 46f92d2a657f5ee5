import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CloudWatchLogsDouble,
  startCloudWatchLogsDouble,
} from '#test/fakes/cloudwatch-logs-double';
import { LOCAL_AWS_ENV, setProcessEnv } from '#test/support/process-env';
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

describe('gateway-janitor audit over CloudWatch Logs', () => {
  let runs: RecordedRuns;
  let logs: CloudWatchLogsDouble;
  let restoreEnv: () => void;
  const SWEEP_GROUP = '/aws/lambda/gateway-janitor-dev-sweep';
  const TEARDOWN_GROUP = '/aws/lambda/gateway-janitor-dev-teardown';

  beforeAll(async () => {
    runs = await recordRealRuns();
    logs = await startCloudWatchLogsDouble({ pageSize: 3 });
    logs.setGroup(SWEEP_GROUP, runs.sweep);
    logs.setGroup(TEARDOWN_GROUP, runs.teardown);
    restoreEnv = setProcessEnv({ AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: logs.url, ...LOCAL_AWS_ENV });
  }, 60_000);

  afterAll(async () => {
    restoreEnv();
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
