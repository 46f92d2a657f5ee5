import { testId } from '#test/fixtures/gateway-builder';
import { SCHEDULED_EVENT } from '#test/fixtures/scheduled-event';
import { sqsEvent } from '#test/fixtures/sqs-event';
import { mixedFleet, TEST_POLICY } from '#test/fixtures/wire-fleet';
import { createSweepHandler } from '../../functions/sweep.ts';
import { createTeardownHandler } from '../../functions/teardown.ts';
import { captureOutput } from './capture-output.ts';
import { lambdaContext, startHarness } from './janitor-harness.ts';
import { startLocalSqs } from './local-sqs.ts';

/** The log lines of real runs, per function, as CloudWatch would hold them. */
export interface RecordedRuns {
  sweep: string[];
  teardown: string[];
}

/**
 * Runs the real sweep handler (a dry run, then a live run) and the real teardown handler
 * (one request from CI, one malformed body) on the loopback simulator and a local SQS,
 * and returns every line they logged. Run ids: `run-dry`, `run-live`, `run-teardown`.
 */
export async function recordRealRuns(): Promise<RecordedRuns> {
  const sqs = await startLocalSqs();
  const harness = await startHarness({
    gateways: mixedFleet().gateways,
    echoApiKey: true,
    sdkEnv: { AWS_ENDPOINT_URL_SQS: sqs.endpoint },
  });
  const env = { ...harness.env, JANITOR_POLICY: JSON.stringify(TEST_POLICY) };
  const output = captureOutput();
  try {
    await createSweepHandler({ env })(SCHEDULED_EVENT, lambdaContext(300_000, 'run-dry'));
    await createSweepHandler({ env: { ...env, DRY_RUN: 'false' } })(
      SCHEDULED_EVENT,
      lambdaContext(300_000, 'run-live'),
    );
    const sweep = output.lines();
    await createTeardownHandler({
      env: {
        ...env,
        DRY_RUN: 'false',
        TEARDOWN_QUEUE_URL: sqs.queueUrl,
        TEARDOWN_DLQ_URL: sqs.dlqUrl,
      },
    })(
      sqsEvent(
        { gatewayId: testId(3), requestedBy: 'ci/pr-103', reason: 'PR closed' },
        '{"gatewayId": 42}',
      ),
      lambdaContext(60_000, 'run-teardown'),
    );
    return { sweep, teardown: output.lines().slice(sweep.length) };
  } finally {
    output.restore();
    await Promise.all([harness.close(), sqs.close()]);
  }
}
