import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendAwsJson, sendAwsJsonError, startAwsWireServer } from './aws-wire-server.ts';

/** One FilterLogEvents request as the double received it. */
export type FilterCall = {
  logGroupName: string;
  filterPattern?: string;
  startTime?: number;
  endTime?: number;
  nextToken?: string;
};

/** A stored event: a line of the function's own stream, or one of the stream named. */
export type StoredLine = string | { message: string; logStreamName: string };

/** The stream a plain stored line is in: a Lambda stream name as Lambda makes them. */
export const LAMBDA_STREAM = '2026/11/30/[$LATEST]0123456789abcdef0123456789abcdef';

export type CloudWatchLogsDouble = {
  url: string;
  calls: FilterCall[];
  /** Stores a group's log lines; each is one event, served `pageSize` per page. */
  setGroup(name: string, lines: StoredLine[]): void;
  close(): Promise<void>;
};

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
  const groups = new Map<string, StoredLine[]>();
  const calls: FilterCall[] = [];

  const answer = (req: IncomingMessage, res: ServerResponse, raw: string) => {
    if (req.method !== 'POST' || req.headers['x-amz-target'] !== 'Logs_20140328.FilterLogEvents') {
      return sendAwsJsonError(res, 400, 'UnknownOperationException', 'unsupported');
    }
    let call: FilterCall;
    try {
      call = JSON.parse(raw) as FilterCall;
    } catch {
      return sendAwsJsonError(res, 400, 'SerializationException', 'bad JSON');
    }
    calls.push(call);
    const lines = groups.get(call.logGroupName);
    if (!lines) {
      return sendAwsJsonError(
        res,
        400,
        'ResourceNotFoundException',
        'The specified log group does not exist.',
      );
    }
    const from = call.nextToken ? Number(call.nextToken.replace('page-', '')) : 0;
    const events = lines.slice(from, from + pageSize).map((line, index) => ({
      logStreamName: typeof line === 'string' ? LAMBDA_STREAM : line.logStreamName,
      timestamp: Date.now(),
      message: typeof line === 'string' ? line : line.message,
      ingestionTime: Date.now(),
      eventId: String(from + index),
    }));
    const next = from + pageSize < lines.length ? `page-${from + pageSize}` : undefined;
    sendAwsJson(res, 200, { events, searchedLogStreams: [], ...(next ? { nextToken: next } : {}) });
  };

  const server = await startAwsWireServer(answer);

  return {
    url: server.url,
    calls,
    setGroup: (name, lines) => groups.set(name, lines),
    close: server.close,
  };
}
