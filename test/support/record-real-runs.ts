import { flakySqsClient } from '#test/fakes/flaky-sqs-client';
import { testId } from '#test/fixtures/gateway-builder';
import { SCHEDULED_EVENT } from '#test/fixtures/scheduled-event';
import { JANITOR_ROLE_ID, janitorRecord, sqsEvent } from '#test/fixtures/sqs-event';
import { mixedFleet, TEST_POLICY } from '#test/fixtures/wire-fleet';
import { createSweepHandler } from '../../functions/sweep.ts';
import { createTeardownHandler } from '../../functions/teardown.ts';
import { captureOutput } from './capture-output.ts';
import { lambdaContext, startHarness } from './janitor-harness.ts';
import { startLocalSqs } from './local-sqs.ts';
import { startTeardownRig } from './teardown-rig.ts';

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
    const event = await sqs.deliver(
      sqsEvent(
        { gatewayId: testId(3), requestedBy: 'ci/pr-103', reason: 'PR closed' },
        '{"gatewayId": 42}',
      ),
    );
    await createTeardownHandler({
      env: {
        ...env,
        DRY_RUN: 'false',
        TEARDOWN_QUEUE_URL: sqs.queueUrl,
        TEARDOWN_DLQ_URL: sqs.dlqUrl,
        JANITOR_ROLE_IDS: JANITOR_ROLE_ID,
        AWS_REGION: 'us-east-1',
      },
    })(event, lambdaContext(60_000, 'run-teardown'));
    return { sweep, teardown: output.lines().slice(sweep.length) };
  } finally {
    output.restore();
    await Promise.all([harness.close(), sqs.close()]);
  }
}

/** The run ids of {@link recordConfirmationRuns}: Lambda request ids are uuids. */
export const CONFIRMATION_RUNS = {
  delete: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  confirm: '9b2f4c1d-3e5a-4b6c-8d7e-0f1a2b3c4d5e',
} as const;

/** The gateways of {@link recordConfirmationRuns}, by how their deletion ends. */
export const CONFIRMATION_FATES = {
  confirmed: 'pr-101-old',
  stuck: 'pr-102-old',
  pending: 'failed-gw',
  unconfirmed: 'pr-110-wandb',
} as const;

/**
 * Runs the real sweep handler live with SQS failing every
 * confirmation for `pr-110-wandb`, then the real teardown handler on the
 * confirmation messages the sweep sent: `pr-101-old` has vanished, `pr-102-old` fell back
 * to STATUS_ERROR, `failed-gw` is still deleting within the window. Returns every line.
 */
export async function recordConfirmationRuns(): Promise<RecordedRuns> {
  const rig = await startTeardownRig({ gateways: mixedFleet().gateways });
  const { harness, sqs, output } = rig;
  harness.simulator.setDeleteDelay(0);
  harness.simulator.stickDeletion(CONFIRMATION_FATES.stuck, 'STATUS_ERROR');
  harness.simulator.stickDeletion(CONFIRMATION_FATES.pending);
  const env = rig.env({ DELETE_CONFIRM_AFTER: '1s' });
  // SQS refuses every confirmation of one gateway for good (a sender fault).
  const queue = flakySqsClient(
    sqs,
    new Map([[testId(10), { times: 99, senderFault: true, code: 'AccessDenied' }]]),
  );
  try {
    await createSweepHandler({ env, sqsClient: queue.client })(
      SCHEDULED_EVENT,
      lambdaContext(300_000, CONFIRMATION_RUNS.delete),
    );
    const sweep = output.lines();
    // The confirmations the sweep sent, as the janitor's own messages.
    await rig.handler({ DELETE_CONFIRM_AFTER: '1s' })(
      { Records: queue.sent.map((entry) => janitorRecord(entry.body)) },
      lambdaContext(60_000, CONFIRMATION_RUNS.confirm),
    );
    return { sweep, teardown: output.lines().slice(sweep.length) };
  } finally {
    await rig.close();
  }
}
