/** A queue as SQS names it in ARNs: the region, the account and the queue name. */
export interface QueueIdentity {
  region: string;
  account: string;
  name: string;
}

const QUEUE_ARN = /^arn:aws[a-z-]*:sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,80}(?:\.fifo)?)$/;

/** The queue an `eventSourceARN` names; undefined for anything that is not an SQS queue ARN. */
export function parseQueueArn(arn: unknown): QueueIdentity | undefined {
  if (typeof arn !== 'string') return undefined;
  const match = QUEUE_ARN.exec(arn);
  if (!match) return undefined;
  const [, region, account, name] = match as unknown as [string, string, string, string];
  return { region, account, name };
}

/** Same region, same account, same queue name. */
export function sameQueue(a: QueueIdentity, b: QueueIdentity): boolean {
  return a.region === b.region && a.account === b.account && a.name === b.name;
}

const AWS_QUEUE_HOST =
  /^(?:sqs\.([a-z0-9-]+)\.(?:amazonaws\.com(?:\.cn)?|api\.aws)|([a-z0-9-]+)\.queue\.amazonaws\.com)$/;

/**
 * The queue a queue URL names (`https://sqs.<region>.amazonaws.com/<account>/<name>`). A
 * host that names no region (a local SQS) takes `fallbackRegion`, the function's own.
 */
export function queueIdentityFromUrl(
  url: string,
  fallbackRegion: string | undefined,
): QueueIdentity | undefined {
  if (!URL.canParse(url)) return undefined;
  const { hostname, pathname } = new URL(url);
  const path = /^\/(\d{12})\/([A-Za-z0-9_-]{1,80}(?:\.fifo)?)\/?$/.exec(pathname);
  if (!path) return undefined;
  const host = AWS_QUEUE_HOST.exec(hostname.toLowerCase());
  const region = host ? (host[1] ?? host[2]) : fallbackRegion;
  if (!region) return undefined;
  return { region, account: path[1] as string, name: path[2] as string };
}
