import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTeardownRequest } from '#core/teardown/request';
import { sendAwsReply, startAwsWireServer } from '#test/fakes/aws-wire-server';
import { type LocalSqs, startLocalSqs } from '#test/support/local-sqs';
import { runCliInProcess } from './run-cli-in-process.ts';
import { spawnCli } from './spawn-cli.ts';

const GATEWAY = 'bee8a835-4e97-46b4-b27f-3a3f802fcec6';
const AWS = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIAREQUESTTEST',
  AWS_SECRET_ACCESS_KEY: 'request-test-only',
};

describe('gateway-janitor request', () => {
  let sqs: LocalSqs;
  beforeAll(async () => {
    sqs = await startLocalSqs();
  });
  afterAll(async () => {
    await sqs.close();
  });

  it('prints with --dry-run a message the teardown schema accepts, and sends nothing', async () => {
    // Act
    const run = await runCliInProcess([
      'request',
      GATEWAY,
      '--in',
      '2h',
      '--reason',
      'PR 1301 closed',
      '--requested-by',
      'ci/pr-1301',
      '--dry-run',
    ]);
    // Assess
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('checked and not sent');
    const parsed = parseTeardownRequest(run.stdout.trim());
    expect(parsed.ok && parsed.request).toMatchObject({
      gatewayId: GATEWAY,
      reason: 'PR 1301 closed',
      requestedBy: 'ci/pr-1301',
    });
    const due = Date.parse(JSON.parse(run.stdout).expiresAt) - Date.now();
    expect(due).toBeGreaterThan(119 * 60_000);
    expect(due).toBeLessThanOrEqual(120 * 60_000);
  });

  it('pins a gateway named by name to the one listed', async () => {
    const run = await runCliInProcess(
      ['request', '--simulate', 'pr-1301-batching', '--requested-by', 'ci', '--dry-run'],
      { env: {} },
    );
    expect(run.code).toBe(0);
    const body = JSON.parse(run.stdout);
    expect(body).toMatchObject({ gatewayId: GATEWAY, expectedName: 'pr-1301-batching' });
    expect(Date.parse(body.expectedCreatedAt)).toBeLessThan(Date.now());
  });

  it.each([
    [['--at', '2026-12-24T18:00:00Z', '--in', '2h'], '--at: give --at or --in, not both'],
    [['--at', '2026-12-24 18:00'], '--at: "2026-12-24 18:00": expected an RFC 3339 time'],
    [['--in', 'soon'], '--in: expected a duration'],
    [['--in', '40d'], '--at/--in: more than 30d ahead: the teardown would reject it'],
    [['--reason', 'a\u0007b'], '--reason: control characters are not allowed'],
    [['--requested-by', 'x'.repeat(201)], '--requested-by: at most 200 characters'],
  ])('refuses %j before sending anything (exit 2)', async (args, message) => {
    // Act
    const run = await runCliInProcess([
      'request',
      GATEWAY,
      '--queue-url',
      sqs.queueUrl,
      '--requested-by',
      'ci',
      ...args,
    ]);
    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(await sqs.count(sqs.queueUrl)).toEqual({ visible: 0, delayed: 0, inFlight: 0 });
  });

  it('refuses a gateway that is not a uuid, a name or a prefix of one listed (exit 2)', async () => {
    const run = await runCliInProcess(['request', '--simulate', 'pr-1301', '--dry-run'], {
      env: {},
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no gateway is named "pr-1301"');
  });

  it('checks the flags before it lists anything: no token is needed to be told', async () => {
    const run = await runCliInProcess(['request', 'pr-1301', '--in', '40d', '--dry-run']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--at/--in: more than 30d ahead');
  });

  it('asks for the queue unless it only prints the message (exit 2)', async () => {
    const run = await runCliInProcess(['request', GATEWAY, '--requested-by', 'ci']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--queue-url: required');
  });

  it('sends the checked message to the queue with the SQS client', async () => {
    // Act
    const run = await spawnCli(
      [
        'request',
        GATEWAY,
        '--queue-url',
        sqs.queueUrl,
        '--requested-by',
        'ci/pr-1301',
        '--delete-deployments',
      ],
      { env: { ...AWS, AWS_ENDPOINT_URL_SQS: sqs.endpoint } },
    );
    // Assess
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Sent a teardown request for .*due now; message \S+\n$/);
    const [message] = await sqs.receive(sqs.queueUrl, 10, 1);
    expect(JSON.parse(message?.Body ?? '')).toEqual({
      gatewayId: GATEWAY,
      requestedBy: 'ci/pr-1301',
      deleteDeployments: true,
    });
    if (message) await sqs.acknowledge(sqs.queueUrl, message);
  });

  it("names the caller's AWS identity as requestedBy when none is given", async () => {
    // Prepare: an STS double that answers GetCallerIdentity.
    const arn = 'arn:aws:sts::123456789012:assumed-role/ci-preview-teardown/run-7';
    const sts = await startAwsWireServer((_req, res) =>
      sendAwsReply(
        res,
        200,
        `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>${arn}</Arn><UserId>AROAEXAMPLE:run-7</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
        { 'content-type': 'text/xml' },
      ),
    );
    try {
      // Act
      const run = await spawnCli(['request', GATEWAY, '--dry-run'], {
        env: { ...AWS, AWS_ENDPOINT_URL_STS: sts.url },
      });
      // Assess
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout).requestedBy).toBe(arn);
      expect(run.stderr).toContain(`requestedBy ${arn} (the AWS caller, STS)`);
    } finally {
      await sts.close();
    }
  });

  it('falls back to the OS user, and says so, when no AWS identity can be read', async () => {
    const run = await spawnCli(['request', GATEWAY, '--dry-run'], {
      env: { ...AWS, AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:9' },
    });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).requestedBy).toMatch(/^cli:/);
    expect(run.stderr).toContain('(the OS user: no AWS identity could be read;');
  });
});
