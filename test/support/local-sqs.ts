import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { buildApp } from 'fauxqs';
import { JANITOR_SENDER } from '#test/fixtures/sqs-event';

/** The access key the janitor's own functions use on this SQS (their role, in AWS). */
export const JANITOR_ACCESS_KEY = 'AKIDJANITORLOCAL';
/** What SQS reports as the SenderId of anyone else: an IAM user's unique id. */
export const OUTSIDER_SENDER_ID = 'AIDAOUTSIDERLOCAL0001';
/** The ARN of the local teardown queue, as Lambda's event source mapping names it. */
export const LOCAL_QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:teardown';

/** A real SQS API (fauxqs) on 127.0.0.1 with the teardown queue and its dead-letter queue. */
export interface LocalSqs {
  endpoint: string;
  /** an outsider's client: what it sends carries OUTSIDER_SENDER_ID */
  client: SQSClient;
  /** the janitor's client: what it sends carries JANITOR_SENDER */
  janitorClient: SQSClient;
  queueUrl: string;
  dlqUrl: string;
  send(body: string, delaySeconds?: number): Promise<string>;
  /** Sends as the janitor does (SenderId JANITOR_SENDER), for its confirmations and holds. */
  sendAsJanitor(body: string, delaySeconds?: number): Promise<string>;
  /**
   * Puts a hand-made event's messages on this queue and receives them, so that each record
   * carries a receipt handle in flight here and the queue's ARN, as Lambda's event source
   * mapping would deliver it. A record whose SenderId is the janitor's is sent with the
   * janitor's credentials; message ids and other attributes stay as given. Records that
   * already name this queue (received from it) pass unchanged.
   */
  deliver(event: SQSEvent): Promise<SQSEvent>;
  /** Makes received messages visible again at once, as if their visibility timeout passed. */
  release(queueUrl: string, messages: Message[]): Promise<void>;
  receive(queueUrl: string, max?: number, waitSeconds?: number): Promise<Message[]>;
  acknowledge(queueUrl: string, message: Message): Promise<void>;
  count(queueUrl: string): Promise<{ visible: number; delayed: number; inFlight: number }>;
  /** From now on, SendMessage(Batch) to this queue answers AccessDenied; undefined lifts it. */
  refuseSends(queueUrl: string | undefined): void;
  /** How many sends were refused so far. */
  refused(): number;
  /** Every SQS action asked of this server so far, such as `ChangeMessageVisibilityBatch`. */
  actions(): string[];
  close(): Promise<void>;
}

type PreHandlerRequest = { headers: Record<string, unknown>; body: unknown };
type OnSendHook = (
  request: PreHandlerRequest,
  reply: unknown,
  payload: unknown,
) => Promise<unknown>;
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
  const actions: string[] = [];
  // fauxqs reports one SenderId for everyone; SQS reports who sent each message, which is
  // what the teardown checks before honouring janitor-only fields.
  const senders = new Map<string, string>();
  const senderOf = (request: PreHandlerRequest) =>
    String(request.headers.authorization ?? '').includes(`Credential=${JANITOR_ACCESS_KEY}/`)
      ? JANITOR_SENDER
      : OUTSIDER_SENDER_ID;
  const withSenders: OnSendHook = async (request, _reply, payload) => {
    const action = String(request.headers['x-amz-target'] ?? '').replace('AmazonSQS.', '');
    if (typeof payload !== 'string' || !payload.startsWith('{')) return payload;
    const answer = JSON.parse(payload) as {
      MessageId?: string;
      Successful?: Array<{ MessageId?: string }>;
      Messages?: Array<{ MessageId?: string; Attributes?: Record<string, string> }>;
    };
    if (action === 'SendMessage' || action === 'SendMessageBatch') {
      const ids = [answer.MessageId, ...(answer.Successful ?? []).map((e) => e.MessageId)];
      for (const id of ids) if (id) senders.set(id, senderOf(request));
      return payload;
    }
    if (action !== 'ReceiveMessage' || !answer.Messages) return payload;
    for (const message of answer.Messages) {
      const sender = senders.get(message.MessageId ?? '');
      if (sender && message.Attributes?.SenderId) message.Attributes.SenderId = sender;
    }
    return JSON.stringify(answer);
  };
  app.addHook('onSend', withSenders as never);
  // A queue that refuses sends, as a missing sqs:SendMessage grant or a deleted DLQ would.
  app.addHook('preHandler', async (request: PreHandlerRequest, reply: PreHandlerReply) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    actions.push(target.replace('AmazonSQS.', ''));
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
  const janitorClient = new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: JANITOR_ACCESS_KEY, secretAccessKey: 'local-test-secret' },
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
  /** One record through the queue: sent, then received by its message id. */
  const deliverOne = async (record: SQSRecord): Promise<SQSRecord> => {
    const from = record.attributes.SenderId === JANITOR_SENDER ? janitorClient : client;
    const sent = await from.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: record.body }),
    );
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const { Messages: messages = [] } = await client.send(
        // Invisible long enough for the handler under test to prove it.
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 60,
        }),
      );
      const mine = messages.find((m) => m.MessageId === sent.MessageId);
      // Anything else received here goes straight back, as if never looked at.
      await release(
        queueUrl,
        messages.filter((m) => m !== mine),
      );
      if (mine?.ReceiptHandle)
        return { ...record, receiptHandle: mine.ReceiptHandle, eventSourceARN: LOCAL_QUEUE_ARN };
    }
    throw new Error(`message ${sent.MessageId} was not received from the local queue`);
  };
  const release = async (url: string, messages: Message[]) => {
    for (const message of messages) {
      await client
        .send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: url,
            ReceiptHandle: message.ReceiptHandle,
            VisibilityTimeout: 0,
          }),
        )
        // A message deleted or moved meanwhile has nothing to release.
        .catch(() => undefined);
    }
  };
  const sendFrom = async (from: SQSClient, body: string, delaySeconds?: number) =>
    (
      await from.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: body,
          DelaySeconds: delaySeconds,
        }),
      )
    ).MessageId as string;
  const dlqUrl = onLoopback(dlq.QueueUrl);
  return {
    endpoint,
    client,
    janitorClient,
    queueUrl,
    dlqUrl,
    send: (body, delaySeconds) => sendFrom(client, body, delaySeconds),
    sendAsJanitor: (body, delaySeconds) => sendFrom(janitorClient, body, delaySeconds),
    deliver: async (event) => {
      const records: SQSRecord[] = [];
      for (const record of event.Records) {
        if (record.eventSourceARN === LOCAL_QUEUE_ARN) records.push(record);
        else records.push(await deliverOne(record));
      }
      return { Records: records };
    },
    release,
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
    actions: () => [...actions],
    close: async () => {
      client.destroy();
      janitorClient.destroy();
      await app.close();
    },
  };
}

/** Turns received SQS messages into the event Lambda's event source mapping would deliver. */
export function toLambdaEvent(messages: Message[], queueArn = LOCAL_QUEUE_ARN): SQSEvent {
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
