import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { InvocationTime } from '#adapters/aws/lambda-deadline';
import { SecretTokenSource } from '#adapters/aws/secret-token-source';
import { SqsTeardownQueue } from '#adapters/aws/sqs-teardown-queue';
import { JanitorError } from '#core/errors';
import { testId } from '#test/fixtures/gateway-builder';
import { JANITOR_ROLE_ID, sqsEvent } from '#test/fixtures/sqs-event';
import { TEST_POLICY } from '#test/fixtures/wire-fleet';
import { CANARY_TOKEN, leakedCanaries } from '#test/support/canaries';
import { auditLines, captureOutput } from '#test/support/capture-output';
import {
  type Harness,
  lambdaContext,
  SECRET_ID,
  startHarness,
} from '#test/support/janitor-harness';
import { createSweepHandler } from '../../functions/sweep.ts';
import { createTeardownHandler } from '../../functions/teardown.ts';

// Every AWS SDK call is bounded by the time the invocation has left:
// an AWS endpoint that accepts the request and never answers must not hold the invocation
// until Lambda kills it, silently.

const credentials = { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-test-secret' };
// Short invocations: the API timeout keeps the work margin (timeout + 2 s) small.
const HTTP_TIMEOUT_MS = '300';
const REMAINING_MS = 3_000;

/** An HTTP endpoint on 127.0.0.1 that reads every request and never answers. */
async function startSilentEndpoint(options: { answerVisibility?: boolean } = {}): Promise<{
  url: string;
  requests: () => number;
  close(): Promise<void>;
}> {
  let requests = 0;
  const server: Server = createServer((req, res) => {
    requests += 1;
    const target = String(req.headers['x-amz-target'] ?? '');
    if (!options.answerVisibility || target !== 'AmazonSQS.ChangeMessageVisibilityBatch') {
      req.resume();
      return;
    }
    // Accepts every handle, so the batch is proven and the next call is the one that hangs.
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const entries = (JSON.parse(body) as { Entries: Array<{ Id: string }> }).Entries;
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ Successful: entries.map(({ Id }) => ({ Id })), Failed: [] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const elapsedSince = (start: number) => performance.now() - start;

describe('SecretTokenSource within an invocation', () => {
  let harness: Harness | undefined;
  let client: SecretsManagerClient | undefined;
  afterEach(async () => {
    client?.destroy();
    await harness?.close();
    harness = undefined;
  });

  it("gives up on a Secrets Manager that never answers before the invocation's time is up", async () => {
    // Prepare
    harness = await startHarness({ gateways: [] });
    harness.secrets.setSecret(SECRET_ID, CANARY_TOKEN);
    harness.secrets.hang(10);
    client = new SecretsManagerClient({
      endpoint: harness.secrets.url,
      region: 'us-east-1',
      credentials,
    });
    const time = new InvocationTime();
    time.start(lambdaContext(REMAINING_MS));
    const tokens = new SecretTokenSource({ secretId: SECRET_ID, client, time });
    const start = performance.now();
    // Act
    const error = await tokens.get().catch((caught: unknown) => caught);
    // Assess
    expect(elapsedSince(start)).toBeLessThan(REMAINING_MS);
    expect(error).toBeInstanceOf(JanitorError);
    expect(error).toMatchObject({
      code: 'TOKEN_UNAVAILABLE',
      message: expect.stringMatching(/^COREWEAVE_TOKEN_SECRET_ID: GetSecretValue did not answer/),
    });
    expect(
      leakedCanaries(JSON.stringify({ ...(error as object), message: (error as Error).message })),
    ).toEqual([]);
    expect(harness.secrets.calls).toHaveLength(1);
  });

  it('reads the secret as before when the endpoint answers in time', async () => {
    // Prepare
    harness = await startHarness({ gateways: [] });
    client = new SecretsManagerClient({
      endpoint: harness.secrets.url,
      region: 'us-east-1',
      credentials,
    });
    const time = new InvocationTime();
    time.start(lambdaContext(REMAINING_MS));
    const tokens = new SecretTokenSource({ secretId: SECRET_ID, client, time });
    // Act
    const token = await tokens.get();
    // Assess
    expect(token).toBe(harness.simulator.token);
  });
});

describe('SqsTeardownQueue within an invocation', () => {
  let endpoint: Awaited<ReturnType<typeof startSilentEndpoint>> | undefined;
  let client: SQSClient | undefined;
  afterEach(async () => {
    client?.destroy();
    await endpoint?.close();
    endpoint = undefined;
  });

  it.each([
    ['defers', (queue: SqsTeardownQueue) => queue.defer('{"gatewayId":"x"}', 60)],
    [
      'parks in the dead-letter queue',
      (queue: SqsTeardownQueue) => queue.deadLetter('{"gatewayId":"x"}', 'bad'),
    ],
  ])(
    "gives up when it %s to an SQS that never answers, before the invocation's time is up",
    async (_what, send) => {
      // Prepare
      endpoint = await startSilentEndpoint();
      client = new SQSClient({ endpoint: endpoint.url, region: 'us-east-1', credentials });
      const time = new InvocationTime();
      time.start(lambdaContext(REMAINING_MS));
      const queue = new SqsTeardownQueue({
        queueUrl: `${endpoint.url}/123456789012/teardown`,
        deadLetterQueueUrl: `${endpoint.url}/123456789012/teardown-dlq`,
        client,
        time,
      });
      const start = performance.now();
      // Act
      const error = await Promise.resolve(send(queue)).catch((caught: unknown) => caught);
      // Assess
      expect(elapsedSince(start)).toBeLessThan(REMAINING_MS);
      expect(error).toMatchObject({ name: 'JanitorError', code: 'DEADLINE_EXCEEDED' });
      expect((error as Error).message).not.toContain('gatewayId');
      expect(endpoint.requests()).toBe(1);
    },
  );
});

describe('the handlers with an AWS endpoint that never answers', () => {
  let harness: Harness | undefined;
  let endpoint: Awaited<ReturnType<typeof startSilentEndpoint>> | undefined;
  let output: ReturnType<typeof captureOutput> | undefined;
  afterEach(async () => {
    output?.restore();
    expect(leakedCanaries(output?.text() ?? '')).toEqual([]);
    await Promise.all([harness?.close(), endpoint?.close()]);
    harness = undefined;
    endpoint = undefined;
  });

  it('fails the sweep with TOKEN_UNAVAILABLE before its deadline when Secrets Manager hangs', async () => {
    // Prepare
    harness = await startHarness({ gateways: [] });
    harness.secrets.hang(10);
    output = captureOutput();
    const handler = createSweepHandler({
      env: {
        ...harness.env,
        JANITOR_POLICY: JSON.stringify(TEST_POLICY),
        COREWEAVE_HTTP_TIMEOUT_MS: HTTP_TIMEOUT_MS,
      },
    });
    const start = performance.now();
    // Act
    const error = await handler({}, lambdaContext(REMAINING_MS)).catch((caught: unknown) => caught);
    // Assess
    expect(elapsedSince(start)).toBeLessThan(REMAINING_MS);
    expect(error).toMatchObject({ code: 'TOKEN_UNAVAILABLE' });
    expect(output.text()).toContain('sweep failed');
  });

  const teardownOn = (url: string) =>
    createTeardownHandler({
      env: {
        ...harness?.env,
        JANITOR_POLICY: JSON.stringify(TEST_POLICY),
        COREWEAVE_HTTP_TIMEOUT_MS: HTTP_TIMEOUT_MS,
        TEARDOWN_QUEUE_URL: `${url}/123456789012/gateway-janitor-teardown`,
        TEARDOWN_DLQ_URL: `${url}/123456789012/gateway-janitor-teardown-dlq`,
        JANITOR_ROLE_IDS: JANITOR_ROLE_ID,
        AWS_REGION: 'us-east-1',
        DRY_RUN: 'false',
      },
    });

  it('hands the whole batch back unserved before its deadline when ChangeMessageVisibilityBatch hangs', async () => {
    // Prepare
    endpoint = await startSilentEndpoint();
    harness = await startHarness({ gateways: [], sdkEnv: { AWS_ENDPOINT_URL_SQS: endpoint.url } });
    output = captureOutput();
    const handler = teardownOn(endpoint.url);
    const event = sqsEvent({ gatewayId: testId(3) }, { gatewayId: testId(4) });
    const start = performance.now();
    // Act
    const response = await handler(event, lambdaContext(REMAINING_MS));
    // Assess
    expect(elapsedSince(start)).toBeLessThan(REMAINING_MS);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(
      event.Records.map((r) => r.messageId),
    );
    expect(harness.simulator.requests).toEqual([]);
    expect(auditLines(output.lines()).map((r) => `${r.event}:${r.reason}`)).toEqual([
      'run.summary:stopped',
    ]);
    expect(output.text()).toContain('the queue could not prove its records');
  });

  it('hands a deferral back to the queue before its deadline when SQS hangs', async () => {
    // Prepare
    endpoint = await startSilentEndpoint({ answerVisibility: true });
    harness = await startHarness({ gateways: [], sdkEnv: { AWS_ENDPOINT_URL_SQS: endpoint.url } });
    output = captureOutput();
    const handler = teardownOn(endpoint.url);
    const event = sqsEvent({
      gatewayId: testId(5),
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      // Already pinned, so deferring it needs no GET: the SQS send is the only call.
      expectedCreatedAt: '2026-01-01T00:00:00Z',
    });
    const start = performance.now();
    // Act
    const response = await handler(event, lambdaContext(REMAINING_MS));
    // Assess
    expect(elapsedSince(start)).toBeLessThan(REMAINING_MS);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }]);
    const [record] = auditLines(output.lines());
    expect(record).toMatchObject({
      event: 'gateway.delete_failed',
      gatewayId: testId(5),
      error: { code: 'DEADLINE_EXCEEDED' },
    });
  });
});
