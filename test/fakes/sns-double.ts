import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendAwsReply, startAwsWireServer } from './aws-wire-server.ts';

/** One Publish call as the double received it. */
export type Published = { topicArn: string; subject?: string; message: string };

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
    published.push({
      topicArn,
      subject: form.get('Subject') ?? undefined,
      message: form.get('Message') ?? '',
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
