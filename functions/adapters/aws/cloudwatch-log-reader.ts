import {
  CloudWatchLogsClient,
  FilterLogEventsCommand,
  type FilterLogEventsCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs';
import { JanitorError, ValidationError } from '#core/errors';

// Only audit lines cross the wire: the other log lines are filtered out by CloudWatch.
const AUDIT_LINES = '{ $.audit.schemaVersion = 1 }';
/**
 * The names of a Lambda function's own log streams: the day, the function version in
 * brackets and the execution environment's 32-hex id, e.g.
 * `2026/12/06/[$LATEST]0123456789abcdef0123456789abcdef` (docs/contract.md "Review").
 */
export const LAMBDA_LOG_STREAM = /^\d{4}\/\d{2}\/\d{2}\/\[(?:\$LATEST|\d+)\][0-9a-f]{32}$/;

// A runaway paging loop (a token that never ends) stops here: ~10 million events.
const MAX_PAGES = 10_000;

/** Which log groups to read, over which window, and who hears about each page. */
export interface LogReadOptions {
  logGroups: readonly string[];
  startTime?: number;
  endTime?: number;
  client?: Pick<CloudWatchLogsClient, 'send'>;
  /** told after each page: the group, pages and events read so far */
  onPage?: (progress: { logGroup: string; pages: number; events: number }) => void;
}

/** The audit lines read, and how many came from streams that are not the function's own. */
export interface LogReading {
  lines: string[];
  /** events from other log streams, ignored: anyone who may write to the group can add them */
  foreign: number;
}

/**
 * Reads the audit lines of each log group with FilterLogEvents, following every
 * nextToken (no Logs Insights query, so no per-query cost), keeping only events of the
 * function's own log streams (FilterLogEvents takes one stream name prefix, and a
 * Lambda stream's name starts with its day, so the streams are picked here). A missing
 * group is a usage error naming it; any other failure (credentials, throttling past the
 * SDK's retries) is a JanitorError with the AWS error's name, never its stack.
 */
export async function readLogGroups(options: LogReadOptions): Promise<LogReading> {
  const client = options.client ?? new CloudWatchLogsClient({});
  const lines: string[] = [];
  let foreign = 0;
  for (const logGroup of options.logGroups) {
    let nextToken: string | undefined;
    let pages = 0;
    do {
      let page: FilterLogEventsCommandOutput;
      try {
        page = await client.send(
          new FilterLogEventsCommand({
            logGroupName: logGroup,
            filterPattern: AUDIT_LINES,
            startTime: options.startTime,
            endTime: options.endTime,
            nextToken,
          }),
        );
      } catch (error) {
        throw describeLogsError(error, logGroup);
      }
      pages += 1;
      for (const event of page.events ?? []) {
        if (!event.message) continue;
        if (LAMBDA_LOG_STREAM.test(event.logStreamName ?? '')) lines.push(event.message);
        else foreign += 1;
      }
      options.onPage?.({ logGroup, pages, events: lines.length });
      nextToken = page.nextToken;
    } while (nextToken && pages < MAX_PAGES);
  }
  return { lines, foreign };
}

function describeLogsError(error: unknown, logGroup: string): JanitorError {
  const name = error instanceof Error ? error.name : 'Error';
  if (name === 'ResourceNotFoundException') {
    return new ValidationError('CONFIG_INVALID', '--log-group', `${logGroup}: no such log group`);
  }
  // The SDK's own message is safe here (no request is signed yet) and says what is missing.
  if (error instanceof Error && /Region is missing/i.test(error.message)) {
    return new JanitorError('LOGS_UNAVAILABLE', 'CloudWatch Logs: no AWS region (set AWS_REGION)');
  }
  const hint = /Credential|Token|Signature|AccessDenied/i.test(name)
    ? ' (check the AWS credentials and region, and logs:FilterLogEvents on the group)'
    : '';
  return new JanitorError('LOGS_UNAVAILABLE', `CloudWatch Logs ${logGroup}: ${name}${hint}`);
}
