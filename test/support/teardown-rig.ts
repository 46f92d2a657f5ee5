import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { SimulatorOptions } from '#simulator/server';
import { JANITOR_ROLE_ID } from '#test/fixtures/sqs-event';
import { TEST_POLICY } from '#test/fixtures/wire-fleet';
import { createTeardownHandler, type TeardownHandlerDeps } from '../../functions/teardown.ts';
import { leakedCanaries } from './canaries.ts';
import { auditLines, captureOutput } from './capture-output.ts';
import { type Harness, startHarness } from './janitor-harness.ts';
import { JANITOR_ACCESS_KEY, type LocalSqs, startLocalSqs } from './local-sqs.ts';

/** The simulator, a local SQS for the teardown queue, and the captured output of a test. */
export interface TeardownRig {
  harness: Harness;
  sqs: LocalSqs;
  output: ReturnType<typeof captureOutput>;
  /** A live function's environment on this rig: its queues, the test policy, no dry run. */
  env(extra?: Record<string, string>, policy?: object): Record<string, string>;
  /** The audit records written so far. */
  audit(): Array<Record<string, unknown>>;
  /**
   * The teardown handler on this rig (`env` as for `env()`), driven as the event source
   * mapping drives it: each hand-made event is first delivered through the local queue,
   * and what the handler did not hand back is deleted from it afterwards.
   */
  handler(
    extra?: Record<string, string>,
    policy?: object,
    /** edges to replace besides the environment (the clock, the registry) */
    deps?: Omit<TeardownHandlerDeps, 'env'>,
  ): (event: SQSEvent, context?: Partial<Context>) => Promise<SQSBatchResponse>;
  /** Restores the output, closes every server, and fails if a canary leaked. */
  close(): Promise<void>;
}

/**
 * Starts the harness with the SDK pointed at a fresh local SQS, and captures output: the
 * set-up the teardown tests share. The production SQS client finds the local queue
 * through AWS_ENDPOINT_URL_SQS.
 */
export async function startTeardownRig(
  options: SimulatorOptions & {
    env?: Record<string, string>;
    /** more SDK variables, e.g. AWS_ENDPOINT_URL_DYNAMODB for a local registry */
    sdkEnv?: Record<string, string>;
  } = {},
): Promise<TeardownRig> {
  const sqs = await startLocalSqs();
  const harness = await startHarness({
    ...options,
    sdkEnv: {
      ...options.sdkEnv,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      AWS_ACCESS_KEY_ID: JANITOR_ACCESS_KEY,
    },
  });
  const output = captureOutput();
  const rig: TeardownRig = {
    harness,
    sqs,
    output,
    env: (extra = {}, policy = TEST_POLICY) => ({
      ...harness.env,
      JANITOR_POLICY: JSON.stringify(policy),
      TEARDOWN_QUEUE_URL: sqs.queueUrl,
      TEARDOWN_DLQ_URL: sqs.dlqUrl,
      JANITOR_ROLE_IDS: JANITOR_ROLE_ID,
      // The local queue's URL names no region: Lambda's own AWS_REGION says which.
      AWS_REGION: 'us-east-1',
      DRY_RUN: 'false',
      ...extra,
    }),
    audit: () => auditLines(output.lines()),
    handler: (extra = {}, policy = TEST_POLICY, deps = {}) => {
      const handler = createTeardownHandler({ ...deps, env: rig.env(extra, policy) });
      return async (event, context) => {
        const delivered = await sqs.deliver(event);
        const response = await handler(delivered, context);
        // Lambda deletes what the handler did not hand back.
        const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
        for (const record of delivered.Records) {
          if (failed.has(record.messageId)) continue;
          await sqs.acknowledge(sqs.queueUrl, { ReceiptHandle: record.receiptHandle });
        }
        return response;
      };
    },
    close: async () => {
      output.restore();
      await Promise.all([harness.close(), sqs.close()]);
      const leaked = leakedCanaries(output.text());
      if (leaked.length > 0) throw new Error(`canaries leaked: ${leaked.join(', ')}`);
    },
  };
  return rig;
}
