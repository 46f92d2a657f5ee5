import type { SimulatorOptions } from '#simulator/server';
import { TEST_POLICY } from '#test/fixtures/wire-fleet';
import { leakedCanaries } from './canaries.ts';
import { auditLines, captureOutput } from './capture-output.ts';
import { type Harness, startHarness } from './janitor-harness.ts';
import { type LocalSqs, startLocalSqs } from './local-sqs.ts';

/** The simulator, a local SQS for the teardown queue, and the captured output of a test. */
export interface TeardownRig {
  harness: Harness;
  sqs: LocalSqs;
  output: ReturnType<typeof captureOutput>;
  /** A live function's environment on this rig: its queues, the test policy, no dry run. */
  env(extra?: Record<string, string>, policy?: object): Record<string, string>;
  /** The audit records written so far. */
  audit(): Array<Record<string, unknown>>;
  /** Restores the output, closes every server, and fails if a canary leaked. */
  close(): Promise<void>;
}

/**
 * Starts the harness with the SDK pointed at a fresh local SQS, and captures output: the
 * set-up the teardown tests share. The production SQS client finds the local queue
 * through AWS_ENDPOINT_URL_SQS.
 */
export async function startTeardownRig(
  options: SimulatorOptions & { env?: Record<string, string> } = {},
): Promise<TeardownRig> {
  const sqs = await startLocalSqs();
  const harness = await startHarness({
    ...options,
    sdkEnv: { AWS_ENDPOINT_URL_SQS: sqs.endpoint },
  });
  const output = captureOutput();
  return {
    harness,
    sqs,
    output,
    env: (extra = {}, policy = TEST_POLICY) => ({
      ...harness.env,
      JANITOR_POLICY: JSON.stringify(policy),
      TEARDOWN_QUEUE_URL: sqs.queueUrl,
      TEARDOWN_DLQ_URL: sqs.dlqUrl,
      DRY_RUN: 'false',
      ...extra,
    }),
    audit: () => auditLines(output.lines()),
    close: async () => {
      output.restore();
      await Promise.all([harness.close(), sqs.close()]);
      const leaked = leakedCanaries(output.text());
      if (leaked.length > 0) throw new Error(`canaries leaked: ${leaked.join(', ')}`);
    },
  };
}
