import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendAwsReply, startAwsWireServer } from './aws-wire-server.ts';

/** One Publish call as the double received it (String message attributes by name). */
export type Published = {
  topicArn: string;
  subject?: string;
  message: string;
  messageStructure?: string;
  attributes: Record<string, string>;
};

// SNS's limit for one message, attributes included.
const MAX_MESSAGE_BYTES = 262_144;

export type SnsFailure = { status: number; code: string; message: string };

export type SnsDouble = {
  url: string;
  published: Published[];
  /** The next `times` (default 1) Publish calls answer this AWS error. */
  fail(next: SnsFailure, times?: number): void;
  /** The next Publish calls get no answer at all until the double closes. */
  hang(): void;
  close(): Promise<void>;
};

const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';

/**
 * A loopback stand-in for Amazon SNS's Publish (the AWS query protocol: a form-encoded
 * body with Action=Publish, an XML reply), for use with the real SDK client via
 * AWS_ENDPOINT_URL_SNS. Only the topics it was started with exist.
 */
export async function startSnsDouble(options: { topics: string[] }): Promise<SnsDouble> {
  const published: Published[] = [];
  const failures: SnsFailure[] = [];
  let hanging = false;

  const answer = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const form = new URLSearchParams(raw);
    if (req.method !== 'POST' || form.get('Action') !== 'Publish') {
      return awsError(res, { status: 400, code: 'InvalidAction', message: 'unsupported' });
    }
    if (hanging) return;
    const failure = failures.shift();
    if (failure) return awsError(res, failure);
    const topicArn = form.get('TopicArn') ?? '';
    if (!options.topics.includes(topicArn)) {
      return awsError(res, { status: 404, code: 'NotFound', message: 'Topic does not exist' });
    }
    const message = form.get('Message') ?? '';
    const attributes = readAttributes(form);
    const size = Buffer.byteLength(message) + Object.entries(attributes).join('').length;
    if (size > MAX_MESSAGE_BYTES) {
      return awsError(res, { status: 400, code: 'InvalidParameter', message: 'Message too long' });
    }
    const messageStructure = form.get('MessageStructure') ?? undefined;
    if (messageStructure === 'json' && !hasDefault(message)) {
      return awsError(res, {
        status: 400,
        code: 'InvalidParameter',
        message: 'Message Structure - No default entry in JSON message body',
      });
    }
    published.push({
      topicArn,
      subject: form.get('Subject') ?? undefined,
      message,
      ...(messageStructure ? { messageStructure } : {}),
      attributes,
    });
    sendXml(
      res,
      200,
      `<PublishResponse xmlns="${XMLNS}"><PublishResult><MessageId>${randomUUID()}</MessageId></PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></PublishResponse>`,
    );
  };

  const server = await startAwsWireServer(answer);

  return {
    url: server.url,
    published,
    fail(next, times = 1) {
      for (let n = 0; n < times; n += 1) failures.push(next);
    },
    hang() {
      hanging = true;
    },
    close: server.close,
  };
}

/** The String message attributes of a query-protocol Publish. */
function readAttributes(form: URLSearchParams): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (let n = 1; form.has(`MessageAttributes.entry.${n}.Name`); n += 1) {
    const name = form.get(`MessageAttributes.entry.${n}.Name`) ?? '';
    attributes[name] = form.get(`MessageAttributes.entry.${n}.Value.StringValue`) ?? '';
  }
  return attributes;
}

function hasDefault(message: string): boolean {
  try {
    const parsed: unknown = JSON.parse(message);
    return typeof parsed === 'object' && parsed !== null && 'default' in parsed;
  } catch {
    return false;
  }
}

function awsError(res: ServerResponse, failure: SnsFailure): void {
  sendXml(
    res,
    failure.status,
    `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>${failure.code}</Code><Message>${failure.message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  );
}

function sendXml(res: ServerResponse, status: number, xml: string): void {
  sendAwsReply(res, status, xml, { 'content-type': 'text/xml' });
}
