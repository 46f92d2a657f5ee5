import { ChangeMessageVisibilityBatchCommand } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import type { RetryOptions } from '#adapters/coreweave/retry';
import type { AuditRecord } from '#core/audit/record';
import type { WireGateway } from '#simulator/server';
import { MemoryAuditSink } from '#test/fakes/memory-audit-sink';
import {
  FIXTURE_QUEUE_URL,
  fixtureVisibilityAnswer,
  JANITOR_ROLE_ID,
} from '#test/fixtures/sqs-event';
import { mixedFleet, TEST_POLICY } from '#test/fixtures/wire-fleet';
import { CANARY_TOKEN } from '#test/support/canaries';
import { scanForCanaries } from '#test/support/canary-guard';
import { captureOutput } from '#test/support/capture-output';
import { type Harness, SECRET_ID, startHarness } from '#test/support/janitor-harness';
import { createSweepHandler } from '../../../functions/sweep.ts';
import { createTeardownHandler } from '../../../functions/teardown.ts';

export const QUEUE_URL = FIXTURE_QUEUE_URL;
export const DLQ_URL = `${FIXTURE_QUEUE_URL}-dlq`;
/** Low, so a stalled response costs 300 ms; the deadline margin is then 2.3 s. */
export const HTTP_TIMEOUT_MS = 300;
/** Retry delays shrunk for the matrix (attempt caps unchanged); deadline tests use the real ones. */
export const FAST_RETRY: Partial<RetryOptions> = { baseDelayMs: 10, maxDelayMs: 50 };

/** What a handler invocation ended in, and when, against its Lambda deadline. */
export type Invocation<T> = ({ ok: true; value: T } | { ok: false; error: Error }) & {
  returnedAt: number;
  deadlineAt: number;
};

/** A message the fake SQS client was asked to send: a deferral or a dead-letter parking. */
export interface SentMessage {
  queueUrl: string;
  body: string;
  delaySeconds?: number;
}

type BatchEntry = { Id: string; MessageBody: string; DelaySeconds?: number };

/** One simulator and Secrets Manager double per file; fleet, faults, logs and token reset per test. */
export interface FaultWorld {
  harness: Harness;
  sink: MemoryAuditSink;
  sent: SentMessage[];
  /** Deletion confirmations scheduled with SendMessageBatch (kept apart from `sent`). */
  confirmations: SentMessage[];
  seed(gateways: readonly WireGateway[]): void;
  sweep(options?: HandlerOptions): (event: unknown) => Promise<Invocation<SweepValue>>;
  teardown(options?: HandlerOptions): (event: unknown) => Promise<Invocation<SQSBatchResponse>>;
  /** Requests the simulator saw, by method and gateway id. */
  calls(method: 'GET' | 'DELETE', id?: string): Array<{ status: number; at: number }>;
  records(): AuditRecord[];
}

export interface HandlerOptions {
  env?: Record<string, string>;
  remainingMs?: number;
  retry?: Partial<RetryOptions> | 'production';
}

type SweepValue = Awaited<ReturnType<ReturnType<typeof createSweepHandler>>>;

/** Registers the hooks of a fault-suite file and returns its world. */
export function useFaultWorld(): FaultWorld {
  const world = {} as FaultWorld & { output?: ReturnType<typeof captureOutput> };
  let output: ReturnType<typeof captureOutput> | undefined;

  beforeAll(async () => {
    world.harness = await startHarness({ gateways: [], echoApiKey: true });
  });
  afterAll(async () => {
    await world.harness?.close();
  });
  beforeEach(() => {
    const { simulator, secrets } = world.harness;
    simulator.reset();
    simulator.setRateLimit(undefined);
    simulator.rotateToken(CANARY_TOKEN);
    secrets.setSecret(SECRET_ID, CANARY_TOKEN);
    secrets.calls.length = 0;
    simulator.seed(mixedFleet().gateways);
    world.sink = new MemoryAuditSink();
    world.sent = [];
    world.confirmations = [];
    // Handler logs are scanned for canaries (captureOutput feeds the guard) and kept quiet.
    output = captureOutput();
  });
  afterEach(() => {
    output?.restore();
  });

  const env = (options: HandlerOptions) => ({
    ...world.harness.env,
    JANITOR_POLICY: JSON.stringify(TEST_POLICY),
    DRY_RUN: 'false',
    COREWEAVE_HTTP_TIMEOUT_MS: String(HTTP_TIMEOUT_MS),
    TEARDOWN_QUEUE_URL: QUEUE_URL,
    TEARDOWN_DLQ_URL: DLQ_URL,
    JANITOR_ROLE_IDS: JANITOR_ROLE_ID,
    ...options.env,
  });
  const sqsClient = {
    send: async (command: unknown) => {
      if (command instanceof ChangeMessageVisibilityBatchCommand)
        return fixtureVisibilityAnswer(command.input);
      const batch = (command as { input: { Entries?: BatchEntry[]; QueueUrl: string } }).input;
      if (batch.Entries) {
        for (const entry of batch.Entries) {
          world.confirmations.push({
            queueUrl: batch.QueueUrl,
            body: entry.MessageBody,
            delaySeconds: entry.DelaySeconds,
          });
        }
        return { Successful: batch.Entries.map((entry) => ({ Id: entry.Id })), Failed: [] };
      }
      const input = (command as { input: { QueueUrl: string; MessageBody: string } }).input;
      world.sent.push({
        queueUrl: input.QueueUrl,
        body: input.MessageBody,
        delaySeconds: (input as { DelaySeconds?: number }).DelaySeconds,
      });
      return {};
    },
  };

  world.seed = (gateways) => world.harness.simulator.seed(gateways);
  world.records = () => world.sink.records;
  world.calls = (method, id) =>
    world.harness.simulator.requests
      .filter(
        (r) =>
          r.method === method && r.route !== 'list' && (id === undefined || r.gatewayId === id),
      )
      .map((r) => ({ status: r.status, at: r.at }));
  world.sweep = (options = {}) => {
    const handler = createSweepHandler({
      env: env(options),
      sink: world.sink,
      sqsClient,
      ...retryOption(options, {}),
    });
    return (event) => invoke((context) => handler(event, context), options.remainingMs);
  };
  world.teardown = (options = {}) => {
    const handler = createTeardownHandler({
      env: env(options),
      sink: world.sink,
      sqsClient,
      // The teardown's own cap (3 attempts) is kept when only the delays are shrunk.
      ...retryOption(options, { maxAttempts: 3 }),
    });
    return (event) => invoke((context) => handler(event, context), options.remainingMs);
  };
  return world;
}

function retryOption(options: HandlerOptions, caps: Partial<RetryOptions>) {
  if (options.retry === 'production') return {};
  return { retry: { ...caps, ...FAST_RETRY, ...options.retry } };
}

/** Invokes with a Lambda context whose deadline is `remainingMs` away; never throws. */
async function invoke<T>(
  act: (context: { awsRequestId: string; getRemainingTimeInMillis(): number }) => Promise<T>,
  remainingMs = 60_000,
): Promise<Invocation<T>> {
  const deadlineAt = Date.now() + remainingMs;
  const context = {
    awsRequestId: `req-${Math.random().toString(16).slice(2, 10)}`,
    getRemainingTimeInMillis: () => deadlineAt - Date.now(),
  };
  try {
    const value = await act(context);
    scanForCanaries('handler result', value);
    return { ok: true, value, returnedAt: Date.now(), deadlineAt };
  } catch (error) {
    // Thrown errors are output too (Lambda logs them): message, stack and causes.
    scanForCanaries('thrown error', error);
    return { ok: false, error: error as Error, returnedAt: Date.now(), deadlineAt };
  }
}

/** The invocation came back before the Lambda deadline its context announced. */
export function expectBeforeDeadline(run: Invocation<unknown>): void {
  expect(run.returnedAt).toBeLessThan(run.deadlineAt);
}
