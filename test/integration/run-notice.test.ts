import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadSweepConfig } from '#config/load-config';
import { type SnsDouble, startSnsDouble } from '#test/fakes/sns-double';
import { testId } from '#test/fixtures/gateway-builder';
import { SCHEDULED_EVENT } from '#test/fixtures/scheduled-event';
import { JANITOR_ROLE_ID, sqsEvent } from '#test/fixtures/sqs-event';
import { mixedFleet, TEST_POLICY } from '#test/fixtures/wire-fleet';
import { leakedCanaries } from '#test/support/canaries';
import { captureOutput } from '#test/support/capture-output';
import { type Harness, lambdaContext, startHarness } from '#test/support/janitor-harness';
import { type LocalSqs, startLocalSqs } from '#test/support/local-sqs';
import { createSweepHandler } from '../../functions/sweep.ts';
import { createTeardownHandler } from '../../functions/teardown.ts';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:gateway-janitor-dev-alarms';

describe('run notices for people, through an SNS double', () => {
  let harness: Harness;
  let sqs: LocalSqs;
  let sns: SnsDouble;
  let output: ReturnType<typeof captureOutput>;

  beforeEach(async () => {
    sns = await startSnsDouble({ topics: [TOPIC] });
    sqs = await startLocalSqs();
    harness = await startHarness({
      gateways: mixedFleet().gateways,
      echoApiKey: true,
      sdkEnv: { AWS_ENDPOINT_URL_SQS: sqs.endpoint, AWS_ENDPOINT_URL_SNS: sns.url },
    });
    output = captureOutput();
  });
  afterEach(async () => {
    output.restore();
    expect(leakedCanaries(output.text())).toEqual([]);
    await Promise.all([harness.close(), sqs.close(), sns.close()]);
  });

  const env = (extra: Record<string, string>) => ({
    ...harness.env,
    JANITOR_POLICY: JSON.stringify(TEST_POLICY),
    NOTIFY_TOPIC_ARN: TOPIC,
    ...extra,
  });
  const sweep = (extra: Record<string, string>) =>
    createSweepHandler({ env: env(extra) })(SCHEDULED_EVENT, lambdaContext());
  const warnings = () => output.lines().filter((line) => line.includes('run notice not published'));

  it('publishes one message after a live sweep: what was deleted, by rule and trigger', async () => {
    // Act
    await sweep({ NOTIFY: 'deletions', DRY_RUN: 'false' });
    // Assess
    expect(sns.published).toHaveLength(1);
    const [notice] = sns.published;
    expect(notice?.topicArn).toBe(TOPIC);
    expect(notice?.subject).toBe('gateway-janitor: deleted 4, failed 0 (schedule, live)');
    expect(notice?.message).toContain('gateway-janitor schedule run req-0001 (live)');
    expect(notice?.message).toContain('deleted: 4');
    expect(notice?.message).toContain('  rule pr-previews (schedule): 3');
    expect(notice?.message).toContain('  rule broken (schedule): 1');
    expect(notice?.message).toContain(`    pr-101-old ${testId(1)}`);
    expect(leakedCanaries(notice?.message ?? '')).toEqual([]);
  });

  it('stays silent under NOTIFY=deletions when a dry run deleted nothing', async () => {
    // Act
    await sweep({ NOTIFY: 'deletions' });
    const afterDryRun = sns.published.length;
    await sweep({ NOTIFY: 'deletions', DRY_RUN: 'false' });
    // Assess
    expect(afterDryRun).toBe(0);
    expect(sns.published).toHaveLength(1);
  });

  it('tells every run under NOTIFY=always, a dry run as "would delete"', async () => {
    // Act
    await sweep({ NOTIFY: 'always' });
    // Assess
    expect(sns.published).toHaveLength(1);
    expect(sns.published[0]?.subject).toBe(
      'gateway-janitor: would delete 4, failed 0 (schedule, dry run)',
    );
  });

  it('publishes nothing when NOTIFY is off, the default', async () => {
    // Act
    await sweep({ DRY_RUN: 'false' });
    const whenOff = sns.published.length;
    await sweep({ NOTIFY: 'always', DRY_RUN: 'false' });
    // Assess
    expect(whenOff).toBe(0);
    expect(sns.published).toHaveLength(1);
  });

  it('publishes one message per teardown batch, with requesters and failures', async () => {
    // Prepare
    const handler = createTeardownHandler({
      env: env({
        NOTIFY: 'deletions',
        DRY_RUN: 'false',
        TEARDOWN_QUEUE_URL: sqs.queueUrl,
        TEARDOWN_DLQ_URL: sqs.dlqUrl,
        JANITOR_ROLE_IDS: JANITOR_ROLE_ID,
        AWS_REGION: 'us-east-1',
      }),
    });
    const event = await sqs.deliver(
      sqsEvent({ gatewayId: testId(3), requestedBy: 'ci/pr-103' }, '{"gatewayId": 42}'),
    );
    // Act
    await handler(event, lambdaContext(60_000, 'batch-1'));
    // Assess
    expect(sns.published).toHaveLength(1);
    const message = sns.published[0]?.message ?? '';
    expect(message).toContain('  sqs request (sqs): 1');
    expect(message).toContain(`pr-103-young ${testId(3)}, requested by ci/pr-103`);
    expect(message).toContain('failed: 1');
    expect(message).toMatch(/ REQUEST_INVALID\n/);
  });

  it('never fails the run when the publish fails; the failure is logged', async () => {
    // Prepare
    sns.fail({ status: 400, code: 'AuthorizationError', message: 'not authorized' });
    // Act
    const result = await sweep({ NOTIFY: 'always', DRY_RUN: 'false' });
    // Assess
    expect(result.status).toBe('completed');
    expect(harness.simulator.deletes()).toHaveLength(4);
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]).toContain('AuthorizationError');
  });

  it('gives up on a publish that gets no answer, settled before the handler returns', async () => {
    // Prepare
    sns.hang();
    const started = performance.now();
    // Act
    const result = await sweep({ NOTIFY: 'always' });
    // Assess
    expect(result.status).toBe('completed');
    expect(performance.now() - started).toBeLessThan(8_000);
    expect(warnings()).toHaveLength(1);
  }, 15_000);
});

describe('NOTIFY configuration', () => {
  const base = {
    COREWEAVE_TOKEN_SECRET_ID: 'coreweave/api-token',
    JANITOR_POLICY: JSON.stringify({ rules: [{ id: 'r', match: {}, maxAge: '1h' }] }),
  };

  it('defaults to off', () => {
    expect(loadSweepConfig(base).notify).toBe('off');
  });

  it('names NOTIFY when the value is unknown', () => {
    expect(() => loadSweepConfig({ ...base, NOTIFY: 'sometimes' })).toThrow(
      'NOTIFY: expected "off", "deletions" or "always"',
    );
  });

  it('needs NOTIFY_TOPIC_ARN when NOTIFY is on', () => {
    expect(() => loadSweepConfig({ ...base, NOTIFY: 'always' })).toThrow(
      /^NOTIFY_TOPIC_ARN: required when NOTIFY is always/,
    );
  });

  it('names NOTIFY_TOPIC_ARN when it is not a topic ARN', () => {
    expect(() =>
      loadSweepConfig({ ...base, NOTIFY: 'always', NOTIFY_TOPIC_ARN: 'gateway-janitor' }),
    ).toThrow('NOTIFY_TOPIC_ARN: expected an SNS topic ARN');
  });
});
