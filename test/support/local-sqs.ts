import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { buildApp } from 'fauxqs';

/** A real SQS API (fauxqs) on 127.0.0.1 with the teardown queue and its dead-letter queue. */
export interface LocalSqs {
  endpoint: string;
  client: SQSClient;
  queueUrl: string;
  dlqUrl: string;
  send(body: string, delaySeconds?: number): Promise<string>;
  receive(queueUrl: string, max?: number, waitSeconds?: number): Promise<Message[]>;
  acknowledge(queueUrl: string, message: Message): Promise<void>;
  count(queueUrl: string): Promise<{ visible: number; delayed: number; inFlight: number }>;
  /** From now on, SendMessage(Batch) to this queue answers AccessDenied; undefined lifts it. */
  refuseSends(queueUrl: string | undefined): void;
  /** How many sends were refused so far. */
  refused(): number;
  close(): Promise<void>;
}

type PreHandlerRequest = { headers: Record<string, unknown>; body: unknown };
type PreHandlerReply = {
  code(status: number): PreHandlerReply;
  header(name: string, value: string): PreHandlerReply;
  send(body: string): PreHandlerReply;
};

/** Starts fauxqs with buildApp() on loopback only (its startFauxqs binds every interface). */
export async function startLocalSqs(maxReceiveCount = 3): Promise<LocalSqs> {
  const app = buildApp({ logger: false });
  let refusedPath: string | undefined;
  let refusedCount = 0;
  // A queue that refuses sends, as a missing sqs:SendMessage grant or a deleted DLQ would.
  app.addHook('preHandler', async (request: PreHandlerRequest, reply: PreHandlerReply) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    if (refusedPath === undefined || !/^AmazonSQS\.SendMessage(Batch)?$/.test(target)) return;
    const queueUrl = (request.body as { QueueUrl?: unknown } | undefined)?.QueueUrl;
    if (typeof queueUrl !== 'string' || new URL(queueUrl).pathname !== refusedPath) return;
    refusedCount += 1;
    return reply
      .code(400)
      .header('content-type', 'application/x-amz-json-1.0')
      .header('x-amzn-query-error', 'AccessDenied;Sender')
      .send(JSON.stringify({ __type: 'com.amazonaws.sqs#AccessDenied', message: 'Access denied' }));
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-test-secret' },
  });
  const dlq = await client.send(new CreateQueueCommand({ QueueName: 'teardown-dlq' }));
  const dlqAttributes = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: `${endpoint}${new URL(dlq.QueueUrl as string).pathname}`,
      AttributeNames: ['QueueArn'],
    }),
  );
  const queue = await client.send(
    new CreateQueueCommand({
      QueueName: 'teardown',
      Attributes: {
        VisibilityTimeout: '1',
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: dlqAttributes.Attributes?.QueueArn,
          maxReceiveCount: String(maxReceiveCount),
        }),
      },
    }),
  );
  // fauxqs names queues sqs.<region>.localhost, which does not resolve here, and the SDK
  // sends to the QueueUrl's host: keep the path, point the host at the loopback endpoint.
  const onLoopback = (url: string | undefined) => `${endpoint}${new URL(url as string).pathname}`;
  const queueUrl = onLoopback(queue.QueueUrl);
  const dlqUrl = onLoopback(dlq.QueueUrl);
  return {
    endpoint,
    client,
    queueUrl,
    dlqUrl,
    send: async (body, delaySeconds) =>
      (
        await client.send(
          new SendMessageCommand({
            QueueUrl: queueUrl,
            MessageBody: body,
            DelaySeconds: delaySeconds,
          }),
        )
      ).MessageId as string,
    receive: async (url, max = 10, waitSeconds = 0) =>
      (
        await client.send(
          new ReceiveMessageCommand({
            QueueUrl: url,
            MaxNumberOfMessages: max,
            WaitTimeSeconds: waitSeconds,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
        )
      ).Messages ?? [],
    acknowledge: async (url, message) => {
      await client.send(
        new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }),
      );
    },
    count: async (url) => {
      const { Attributes: a = {} } = await client.send(
        new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
      );
      return {
        visible: Number(a.ApproximateNumberOfMessages ?? 0),
        delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0),
        inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
      };
    },
    refuseSends: (url) => {
      refusedPath = url === undefined ? undefined : new URL(url).pathname;
    },
    refused: () => refusedCount,
    close: async () => {
      client.destroy();
      await app.close();
    },
  };
}

/** Turns received SQS messages into the event Lambda's event source mapping would deliver. */
export function toLambdaEvent(
  messages: Message[],
  queueArn = 'arn:aws:sqs:us-east-1:000000000000:teardown',
): SQSEvent {
  return {
    Records: messages.map((m) => ({
      messageId: m.MessageId as string,
      receiptHandle: m.ReceiptHandle as string,
      body: m.Body as string,
      attributes: (m.Attributes ?? {}) as never,
      messageAttributes: {},
      md5OfBody: m.MD5OfBody as string,
      eventSource: 'aws:sqs',
      eventSourceARN: queueArn,
      awsRegion: 'us-east-1',
    })),
  };
}
