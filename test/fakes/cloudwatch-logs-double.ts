import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One FilterLogEvents request as the double received it. */
export type FilterCall = {
  logGroupName: string;
  filterPattern?: string;
  startTime?: number;
  endTime?: number;
  nextToken?: string;
};

export type CloudWatchLogsDouble = {
  url: string;
  calls: FilterCall[];
  /** Stores a group's log lines; each is one event, served `pageSize` per page. */
  setGroup(name: string, lines: string[]): void;
  close(): Promise<void>;
};

const JSON_11 = 'application/x-amz-json-1.1';

/**
 * A loopback stand-in for CloudWatch Logs' FilterLogEvents (AWS JSON 1.1 protocol,
 * `X-Amz-Target: Logs_20140328.FilterLogEvents`), paged through nextToken, for the real
 * SDK client via AWS_ENDPOINT_URL_CLOUDWATCH_LOGS. It serves every stored line whatever
 * the filter pattern, and records the requests so tests can check what was asked.
 */
export async function startCloudWatchLogsDouble(
  options: { pageSize?: number } = {},
): Promise<CloudWatchLogsDouble> {
  const pageSize = options.pageSize ?? 3;
  const groups = new Map<string, string[]>();
  const calls: FilterCall[] = [];

  const answer = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    if (req.method !== 'POST' || req.headers['x-amz-target'] !== 'Logs_20140328.FilterLogEvents') {
      return awsError(res, 400, 'UnknownOperationException', 'unsupported');
    }
    let call: FilterCall;
    try {
      call = JSON.parse(raw) as FilterCall;
    } catch {
      return awsError(res, 400, 'SerializationException', 'bad JSON');
    }
    calls.push(call);
    const lines = groups.get(call.logGroupName);
    if (!lines) {
      return awsError(
        res,
        400,
        'ResourceNotFoundException',
        'The specified log group does not exist.',
      );
    }
    const from = call.nextToken ? Number(call.nextToken.replace('page-', '')) : 0;
    const events = lines.slice(from, from + pageSize).map((message, index) => ({
      logStreamName: '2026/11/30/[$LATEST]0123456789abcdef',
      timestamp: Date.now(),
      message,
      ingestionTime: Date.now(),
      eventId: String(from + index),
    }));
    const next = from + pageSize < lines.length ? `page-${from + pageSize}` : undefined;
    send(res, 200, { events, searchedLogStreams: [], ...(next ? { nextToken: next } : {}) });
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => answer(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    setGroup: (name, lines) => groups.set(name, lines),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function awsError(res: ServerResponse, status: number, type: string, message: string): void {
  send(res, status, { __type: type, message }, { 'x-amzn-errortype': type });
}

function send(res: ServerResponse, status: number, payload: unknown, headers = {}): void {
  const body = Buffer.from(JSON.stringify(payload));
  res.writeHead(status, {
    'content-type': JSON_11,
    'content-length': body.length,
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  res.end(body);
}
