import { userInfo } from 'node:os';
import { ValidationError } from '#core/errors';
import {
  DEFAULT_TEARDOWN_MAX_HORIZON,
  isBeyondHorizon,
  parseTeardownRequest,
  type TeardownRequest,
} from '#core/teardown/request';
import { formatDuration, parseDuration, parseRfc3339 } from '#core/time';
import type { CliIo } from './cli-io.ts';
import { openApi, type TargetFlags } from './open-session.ts';
import { needsListing, type Resolved, resolveGateway } from './resolve-gateway.ts';

/** Flags of `request`. */
export interface RequestFlags extends TargetFlags {
  at?: string;
  in?: string;
  deleteDeployments?: boolean;
  queueUrl?: string;
  requestedBy?: string;
  reason?: string;
  expectedName?: string;
  dryRun?: boolean;
}

/** What `request` needs from outside: the clock, who is asking, and how to send. */
export interface RequestDeps {
  now?: () => number;
  /** the caller's identity when --requested-by is not given, and how it was found */
  whoAmI?: (env: CliIo['env']) => Promise<{ identity: string; source: string }>;
  send?: (queueUrl: string, body: string, env: CliIo['env']) => Promise<string | undefined>;
}

const PLACEHOLDER_ID = '00000000-0000-4000-8000-000000000000';

// Which flag put each request field there, so a refusal names what to change.
const FIELD_FLAGS: Record<string, string> = {
  gatewayId: '<gateway>',
  expiresAt: '--at/--in',
  requestedBy: '--requested-by',
  reason: '--reason',
  expectedName: '--expected-name',
  expectedCreatedAt: '<gateway>',
  body: 'request',
};

/**
 * `request <gateway>`: builds a teardown request, checks it with the very schema and
 * horizon the teardown function applies (docs/contract.md "Triggers"), and sends it to the
 * queue, or prints it with --dry-run. A request the teardown would reject is refused here,
 * before anything is sent (exit 2).
 */
export async function requestCommand(
  gateway: string,
  flags: RequestFlags,
  io: CliIo,
  deps: RequestDeps = {},
): Promise<number> {
  if (flags.at !== undefined && flags.in !== undefined)
    throw new ValidationError('CONFIG_INVALID', '--at', 'give --at or --in, not both');
  if (!flags.dryRun && !flags.queueUrl)
    throw new ValidationError(
      'CONFIG_INVALID',
      '--queue-url',
      'required: the teardown queue (stack output TeardownQueueUrl), or --dry-run to print the message',
    );
  const nowMs = (deps.now ?? Date.now)();
  const expiresAt = dueTime(flags, nowMs);
  const maxHorizonMs = horizonMs(io.env);
  const given = {
    ...(expiresAt ? { expiresAt } : {}),
    ...(flags.reason !== undefined ? { reason: flags.reason } : {}),
    ...(flags.requestedBy !== undefined ? { requestedBy: flags.requestedBy } : {}),
    ...(flags.expectedName !== undefined ? { expectedName: flags.expectedName } : {}),
    ...(flags.deleteDeployments ? { deleteDeployments: true } : {}),
  };
  // What the flags say is checked before any network call: the gateway's place is held
  // by a valid id until the name or prefix is resolved.
  checkedRequest({ gatewayId: PLACEHOLDER_ID, ...given }, nowMs, maxHorizonMs);
  const target = await resolveTarget(gateway, flags, io);
  const fields = { gatewayId: target.id, ...given, ...pins(target, flags.expectedName) };
  // Bad input is refused before anyone is asked who is calling.
  let request = checkedRequest(fields, nowMs, maxHorizonMs);
  if (flags.requestedBy === undefined) {
    const who = await (deps.whoAmI ?? callerIdentity)(io.env);
    io.err(`gateway-janitor: requestedBy ${who.identity} (${who.source})\n`);
    request = checkedRequest({ ...fields, requestedBy: who.identity }, nowMs, maxHorizonMs);
  }
  const body = JSON.stringify(request);
  if (flags.dryRun) {
    io.out(`${body}\n`);
    io.err('gateway-janitor: dry run: the request above was checked and not sent\n');
    return 0;
  }
  const queueUrl = flags.queueUrl as string;
  const messageId = await (deps.send ?? sendToQueue)(queueUrl, body, io.env);
  io.out(
    `Sent a teardown request for ${target.name ?? request.gatewayId} (${request.gatewayId}), ${expiresAt ? `due ${expiresAt}` : 'due now'}; message ${messageId ?? '?'}\n`,
  );
  return 0;
}

/** The request as the teardown would read it, or a usage error naming the flag at fault. */
export function checkedRequest(
  fields: Record<string, unknown>,
  nowMs: number,
  maxHorizonMs: number,
): TeardownRequest {
  const parsed = parseTeardownRequest(JSON.stringify(fields));
  if (!parsed.ok)
    throw new ValidationError(
      'CONFIG_INVALID',
      FIELD_FLAGS[parsed.field] ?? parsed.field,
      parsed.message,
    );
  if (isBeyondHorizon(parsed.request, nowMs, maxHorizonMs))
    throw new ValidationError(
      'CONFIG_INVALID',
      '--at/--in',
      `more than ${formatDuration(maxHorizonMs)} ahead: the teardown would reject it (expires_too_far, TEARDOWN_MAX_HORIZON)`,
    );
  return parsed.request;
}

/**
 * What the request pins of the gateway (docs/contract.md "Triggers", stale_request): the
 * name given, or the name and createdAt of the gateway a name or prefix was resolved to.
 */
function pins(
  target: Resolved,
  expectedName: string | undefined,
): { expectedName?: string; expectedCreatedAt?: string } {
  const listed = target.by !== 'id';
  const name = expectedName ?? (listed ? target.name : undefined);
  const createdAt =
    listed && target.createdAt && parseRfc3339(target.createdAt) !== undefined
      ? target.createdAt
      : undefined;
  return {
    ...(name !== undefined ? { expectedName: name } : {}),
    ...(createdAt ? { expectedCreatedAt: createdAt } : {}),
  };
}

function dueTime(flags: RequestFlags, nowMs: number): string | undefined {
  if (flags.in !== undefined) {
    const ms = parseDuration(flags.in);
    if (ms === undefined)
      throw new ValidationError('CONFIG_INVALID', '--in', 'expected a duration such as 2h or 7d');
    return new Date(nowMs + ms).toISOString();
  }
  if (flags.at !== undefined && parseRfc3339(flags.at) === undefined)
    throw new ValidationError(
      'CONFIG_INVALID',
      '--at',
      `"${flags.at}": expected an RFC 3339 time with a zone, such as 2026-12-24T18:00:00Z`,
    );
  return flags.at;
}

function horizonMs(env: CliIo['env']): number {
  const text = env.TEARDOWN_MAX_HORIZON ?? DEFAULT_TEARDOWN_MAX_HORIZON;
  const ms = parseDuration(text);
  if (ms === undefined)
    throw new ValidationError('CONFIG_INVALID', 'TEARDOWN_MAX_HORIZON', 'expected a duration');
  return ms;
}

/** A full uuid needs nothing more; a name or an id prefix is looked up in one listing. */
async function resolveTarget(gateway: string, flags: RequestFlags, io: CliIo): Promise<Resolved> {
  if (!needsListing(gateway)) return resolveGateway(gateway, []);
  const connection = await openApi(flags, io);
  try {
    const listed = await connection.api.list({ budgetMs: () => Number.POSITIVE_INFINITY });
    return resolveGateway(gateway, listed);
  } finally {
    await connection.close();
  }
}

/**
 * Who is asking: the AWS caller's ARN (STS GetCallerIdentity) when STS answers, else
 * the OS user; `source` says which, for the note on stderr.
 */
export async function callerIdentity(
  env: CliIo['env'],
): Promise<{ identity: string; source: string }> {
  try {
    // Loaded on first use: only `request` without --requested-by needs it.
    const sts = await import('@aws-sdk/client-sts');
    const client = new sts.STSClient({ region: env.AWS_REGION ?? 'us-east-1' });
    const answer = await client.send(new sts.GetCallerIdentityCommand({}), {
      abortSignal: AbortSignal.timeout(3_000),
    });
    client.destroy();
    if (answer.Arn) return { identity: answer.Arn, source: 'the AWS caller, STS' };
  } catch {
    // No STS client, no credentials, or no answer: the OS user is the best we know.
  }
  return {
    identity: `cli:${osUser()}`,
    source: 'the OS user: no AWS identity could be read; pass --requested-by to name the sender',
  };
}

/** Sends one message with the AWS SDK's SQS client; the region comes from the queue URL. */
async function sendToQueue(
  queueUrl: string,
  body: string,
  env: CliIo['env'],
): Promise<string | undefined> {
  const { SQSClient, SendMessageCommand } = await import('@aws-sdk/client-sqs');
  const region = env.AWS_REGION ?? /^https:\/\/sqs\.([a-z0-9-]+)\./.exec(queueUrl)?.[1];
  const client = new SQSClient(region ? { region } : {});
  try {
    const sent = await client.send(
      new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }),
    );
    return sent.MessageId;
  } finally {
    client.destroy();
  }
}

/** The OS user, reduced to characters that cannot mislead a reader. */
export function osUser(): string {
  try {
    return userInfo().username.replace(/[^\w.-]/g, '') || 'unknown';
  } catch {
    return 'unknown';
  }
}
