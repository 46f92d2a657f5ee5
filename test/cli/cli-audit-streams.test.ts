import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAMBDA_LOG_STREAM } from '#adapters/aws/cloudwatch-log-reader';
import {
  type CloudWatchLogsDouble,
  LAMBDA_STREAM,
  startCloudWatchLogsDouble,
} from '#test/fakes/cloudwatch-logs-double';
import { LOCAL_AWS_ENV, setProcessEnv } from '#test/support/process-env';
import { runCliInProcess } from './run-cli-in-process.ts';

const GROUP = '/aws/lambda/gateway-janitor-dev-teardown';
const HEX = '0123456789abcdef0123456789abcdef';

function deletion(gatewayName: string, runId: string): string {
  const audit = {
    schemaVersion: 1,
    event: 'gateway.deleted',
    time: new Date(Date.now() - 60_000).toISOString(),
    runId,
    trigger: 'sqs',
    gatewayId: `00000000-0000-4000-8000-${runId === 'run-real' ? '000000000001' : '000000000002'}`,
    gatewayName,
    requestedBy: 'ci/pr-1',
    reason: 'requested',
  };
  return JSON.stringify({ level: 'INFO', audit });
}

// Anyone who may write to the log group can add a stream of their own with lines that
// look like audit records; `audit` reads only the function's own streams
// (docs/contract.md "Review").
describe('gateway-janitor audit --log-group reads only the function’s own log streams', () => {
  let logs: CloudWatchLogsDouble;
  let restoreEnv: () => void;

  beforeAll(async () => {
    logs = await startCloudWatchLogsDouble({ pageSize: 2 });
    logs.setGroup(GROUP, [
      deletion('pr-1-real', 'run-real'),
      { message: deletion('forged-deletion', 'run-forged'), logStreamName: 'forged' },
      {
        message: deletion('forged-lookalike', 'run-forged'),
        logStreamName: `2026/11/30/[$LATEST]${HEX}-copy`,
      },
      { message: deletion('pr-1-again', 'run-real'), logStreamName: `2026/12/01/[7]${HEX}` },
    ]);
    restoreEnv = setProcessEnv({ AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: logs.url, ...LOCAL_AWS_ENV });
  });
  afterAll(async () => {
    restoreEnv();
    await logs.close();
  });

  it('ignores an audit line from a forged stream, and counts it on stderr', async () => {
    // Act
    const { code, stdout, stderr } = await runCliInProcess([
      'audit',
      '--log-group',
      GROUP,
      '--format',
      'csv',
    ]);
    // Assess
    expect(code).toBe(0);
    expect(stdout).toContain('pr-1-real');
    expect(stdout).toContain('pr-1-again');
    expect(stdout).not.toContain('forged');
    expect(stderr).toBe(
      "gateway-janitor: 2 lines from log streams that are not the function's own were ignored (only YYYY/MM/DD/[version]<id> streams are read)\n",
    );
  });

  it('says so in its help', async () => {
    const { stdout } = await runCliInProcess(['audit', '--help']);
    expect(stdout.replace(/\s+/g, ' ')).toContain(
      "only the function's own log streams, YYYY/MM/DD/[version]<id>",
    );
  });

  it.each([
    [LAMBDA_STREAM, true],
    [`2026/12/06/[12]${HEX}`, true],
    ['forged', false],
    [`x2026/12/06/[$LATEST]${HEX}`, false],
    [`2026/12/06/[$LATEST]${HEX}/more`, false],
    [`2026/12/06/[prod]${HEX}`, false],
    ['2026/12/06/[$LATEST]0123abcd', false],
    [`2026/12/06/${HEX}`, false],
  ])('takes %s for a Lambda log stream: %s', (name, own) => {
    expect(LAMBDA_LOG_STREAM.test(name)).toBe(own);
  });
});
