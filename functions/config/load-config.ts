import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import * as z from 'zod/mini';
import type { NotifyMode } from '#core/audit/notice';
import { ValidationError } from '#core/errors';
import { compilePolicy, type Policy } from '#core/policy/compile-policy';
import { parsePolicyJson } from '#core/policy/policy';
import { type QueueIdentity, queueIdentityFromUrl } from '#core/teardown/context';
import { DEFAULT_TEARDOWN_MAX_HORIZON } from '#core/teardown/request';
import { formatDuration, parseDuration } from '#core/time';

/** Settings every function shares (docs/contract.md "Configuration"). */
export interface BaseConfig {
  apiUrl: string;
  /** the Secrets Manager secret holding the token */
  tokenSecretId?: string;
  tokenSecretKey?: string;
  dryRun: boolean;
  deleteConcurrency: number;
  httpTimeoutMs: number;
  /** furthest `expiresAt` a teardown request may name, in ms */
  teardownMaxHorizonMs: number;
  /** when a run's summary is published for people (deploy parameter `notify`) */
  notify: NotifyMode;
  notifyTopicArn?: string;
  /** DELETE_CONFIRM_AFTER: delay before a deletion is confirmed */
  confirmAfterMs: number;
  /** DELETE_CONFIRM_WITHIN: how long a deletion may take before it is stuck */
  confirmWithinMs: number;
}

/** The sweep Lambda's configuration: the token comes from a secret, the policy is required. */
export interface SweepConfig extends BaseConfig {
  tokenSecretId: string;
  policy: Policy;
  /** where deletions are confirmed; set by the deployment */
  teardownQueueUrl?: string;
}

/**
 * The teardown Lambda's configuration: a sweep's, plus its queue (the only source of its
 * records, and where deferrals go back to) and the janitor's own role ids.
 */
export interface TeardownConfig extends SweepConfig {
  teardownQueueUrl: string;
  /** the queue of TEARDOWN_QUEUE_URL as its records' `eventSourceARN` names it */
  teardownQueue: QueueIdentity;
  teardownDlqUrl?: string;
  /** JANITOR_ROLE_IDS: the senders whose `confirm` and `deferredSince` are honoured */
  janitorRoleIds: string[];
}

/** The CLI's configuration: a token may be given directly, and the policy may come from a file. */
export interface CliConfig extends BaseConfig {
  apiToken?: string;
  policy?: Policy;
}

// English messages, as zod classic gave them (core/policy/policy.ts says why).
z.config(z.locales.en());

const boolText = z.enum(['true', 'false'], { message: 'expected "true" or "false"' });
const intText = (min: number, max: number) =>
  z.pipe(
    z.pipe(z.string().check(z.regex(/^\d+$/, 'expected a whole number')), z.transform(Number)),
    z
      .number()
      .check(
        z.int(),
        z.minimum(min, `expected at least ${min}`),
        z.maximum(max, `expected at most ${max}`),
      ),
  );

/** A duration such as `30s`, `5m` or `1h` in ms, between the bounds given. */
const durationText = (fallback: string, minMs: number, maxMs: number, max: string) =>
  z.pipe(
    z.pipe(
      z._default(z.string(), fallback),
      z.transform((text: string) => parseDuration(text)),
    ),
    z
      .number({ message: 'expected a duration such as 30s, 5m or 1h' })
      .check(
        z.minimum(minMs, `expected at least ${formatDuration(minMs)}`),
        z.maximum(maxMs, `expected at most ${max}`),
      ),
  );

const FIELDS = {
  COREWEAVE_API_URL: z._default(
    z.url({ protocol: /^https?$/, message: 'expected an http(s) URL' }).check(
      // The bearer token rides on every request: plain http only where it cannot leave the host.
      z.refine((url) => isTlsOrLoopback(url), {
        message: 'expected an https:// URL (plain http only for localhost, 127.0.0.0/8 or [::1])',
      }),
    ),
    'https://api.coreweave.com',
  ),
  COREWEAVE_TOKEN_SECRET_ID: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
  COREWEAVE_TOKEN_SECRET_KEY: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
  COREWEAVE_API_TOKEN: z.optional(z.string().check(z.minLength(1))),
  JANITOR_POLICY: z.optional(z.string()),
  JANITOR_POLICY_FILE: z.optional(z.string()),
  DRY_RUN: z._default(boolText, 'true'),
  DELETE_CONCURRENCY: z._default(intText(1, 512), 8),
  TEARDOWN_QUEUE_URL: z.optional(z.url({ message: 'expected the queue URL' })),
  TEARDOWN_DLQ_URL: z.optional(z.url({ message: 'expected the dead-letter queue URL' })),
  // Set by Lambda: the region of a queue URL whose host names none (a local SQS).
  AWS_REGION: z.optional(z.string().check(z.regex(/^[a-z0-9-]{1,32}$/, 'expected a region'))),
  JANITOR_ROLE_IDS: z.optional(
    z.pipe(
      z.string(),
      z.transform((text: string) => text.split(',').map((id) => id.trim())),
    ),
  ),
  COREWEAVE_HTTP_TIMEOUT_MS: z._default(intText(100, 60_000), 10_000),
  TEARDOWN_MAX_HORIZON: z.pipe(
    z.pipe(
      z._default(z.string(), DEFAULT_TEARDOWN_MAX_HORIZON),
      z.transform((text: string) => parseDuration(text)),
    ),
    z.number({ message: 'expected a duration such as 12h, 7d or 30d' }),
  ),
  NOTIFY: z._default(
    z.enum(['off', 'deletions', 'always'], { message: 'expected "off", "deletions" or "always"' }),
    'off',
  ),
  NOTIFY_TOPIC_ARN: z.optional(
    z
      .string()
      .check(
        z.regex(
          /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]{1,256}$/,
          'expected an SNS topic ARN',
        ),
      ),
  ),
  // A confirmation is one delayed SQS message, and SQS delays a message 15 minutes at most.
  DELETE_CONFIRM_AFTER: durationText('5m', 1_000, 15 * 60_000, '15m'),
  DELETE_CONFIRM_WITHIN: durationText('1h', 60_000, 7 * 86_400_000, '7d'),
} as const;

type Env = Record<string, string | undefined>;

/** True for an https URL, or an http URL whose host is loopback (localhost, 127/8, [::1]). */
export function isTlsOrLoopback(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  if (url.protocol === 'https:') return true;
  if (url.protocol !== 'http:') return false;
  const host = url.hostname.toLowerCase();
  return host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** The sweep Lambda's configuration; every error names the variable. */
export function loadSweepConfig(env: Env): SweepConfig {
  return sweepConfig(parseVariables(env), env);
}

/** The teardown Lambda's configuration; every error names the variable. */
export function loadTeardownConfig(env: Env): TeardownConfig {
  const v = parseVariables(env);
  const teardownQueueUrl = requireQueue(v);
  const config: TeardownConfig = {
    ...sweepConfig(v, env),
    teardownQueueUrl,
    teardownQueue: queueIdentityOf(teardownQueueUrl, v.AWS_REGION),
    janitorRoleIds: requireRoleIds(v.JANITOR_ROLE_IDS),
  };
  if (v.TEARDOWN_DLQ_URL) config.teardownDlqUrl = v.TEARDOWN_DLQ_URL;
  return config;
}

/** The CLI's configuration from its environment (the CLI merges its flags in first). */
export function loadCliEnvConfig(env: Env): CliConfig {
  const v = parseVariables(env);
  if (!v.COREWEAVE_TOKEN_SECRET_ID && !v.COREWEAVE_API_TOKEN) {
    throw new ValidationError(
      'CONFIG_INVALID',
      'COREWEAVE_TOKEN_SECRET_ID',
      'required unless COREWEAVE_API_TOKEN is set',
    );
  }
  const config: CliConfig = baseConfig(v);
  if (v.COREWEAVE_API_TOKEN) config.apiToken = v.COREWEAVE_API_TOKEN;
  const policy = policyOf(v, env);
  if (policy) config.policy = policy;
  return config;
}

type Variables = { [K in keyof typeof FIELDS]: z.output<(typeof FIELDS)[K]> };

/**
 * Parses the environment once against a closed schema; every error names the variable.
 * `DRY_RUN` unset means a dry run: deleting needs an explicit `false`.
 */
function parseVariables(env: Env): Variables {
  const values: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(FIELDS)) {
    const raw = env[name] === '' ? undefined : env[name];
    const result = (schema as z.ZodMiniType).safeParse(raw);
    if (!result.success) {
      throw new ValidationError(
        'CONFIG_INVALID',
        name,
        result.error.issues[0]?.message ?? 'invalid value',
      );
    }
    values[name] = result.data;
  }
  return values as Variables;
}

function sweepConfig(v: Variables, env: Env): SweepConfig {
  if (!v.COREWEAVE_TOKEN_SECRET_ID)
    throw new ValidationError('CONFIG_INVALID', 'COREWEAVE_TOKEN_SECRET_ID', 'required');
  const policy = policyOf(v, env);
  if (!policy) {
    throw new ValidationError(
      'CONFIG_INVALID',
      'JANITOR_POLICY',
      'required: the policy as JSON, or JANITOR_POLICY_FILE',
    );
  }
  const base = baseConfig(v);
  const config: SweepConfig = { ...base, tokenSecretId: v.COREWEAVE_TOKEN_SECRET_ID, policy };
  if (v.TEARDOWN_QUEUE_URL) config.teardownQueueUrl = v.TEARDOWN_QUEUE_URL;
  return config;
}

function requireQueue(v: Variables): string {
  if (v.TEARDOWN_QUEUE_URL) return v.TEARDOWN_QUEUE_URL;
  throw new ValidationError(
    'CONFIG_INVALID',
    'TEARDOWN_QUEUE_URL',
    'required: the teardown queue, the only source of teardown records',
  );
}

/**
 * The policy from JANITOR_POLICY (JSON) or JANITOR_POLICY_FILE (a JSON file; a relative
 * path is read from the function's code, LAMBDA_TASK_ROOT, where the deployment packs it:
 * docs/deploy.md, "The policy"). Both at once is ambiguous, hence an error.
 */
function policyOf(v: Variables, env: Env): Policy | undefined {
  if (v.JANITOR_POLICY !== undefined && v.JANITOR_POLICY_FILE !== undefined) {
    throw new ValidationError(
      'CONFIG_INVALID',
      'JANITOR_POLICY_FILE',
      'set either JANITOR_POLICY or JANITOR_POLICY_FILE, not both',
    );
  }
  if (v.JANITOR_POLICY !== undefined)
    return compilePolicy(parsePolicyJson(v.JANITOR_POLICY, 'JANITOR_POLICY'));
  if (v.JANITOR_POLICY_FILE === undefined) return undefined;
  const file = v.JANITOR_POLICY_FILE;
  const path = isAbsolute(file) ? file : join(env.LAMBDA_TASK_ROOT || process.cwd(), file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ValidationError(
      'CONFIG_INVALID',
      'JANITOR_POLICY_FILE',
      `cannot read ${file} (${code})`,
    );
  }
  return compilePolicy(parsePolicyJson(text, file));
}

function queueIdentityOf(url: string, region: string | undefined): QueueIdentity {
  const identity = queueIdentityFromUrl(url, region);
  if (identity) return identity;
  throw new ValidationError(
    'CONFIG_INVALID',
    'TEARDOWN_QUEUE_URL',
    'expected https://sqs.<region>.amazonaws.com/<account>/<queue name>',
  );
}

// An IAM role's unique id; SQS reports an assumed role's sender as `<role id>:<session>`.
const ROLE_ID = /^AROA[A-Z0-9]{12,124}$/;

function requireRoleIds(ids: string[] | undefined): string[] {
  if (ids === undefined)
    throw new ValidationError(
      'CONFIG_INVALID',
      'JANITOR_ROLE_IDS',
      "required: the janitor's own role ids (AROA...), comma-separated",
    );
  const bad = ids.find((id) => !ROLE_ID.test(id));
  if (bad !== undefined)
    throw new ValidationError(
      'CONFIG_INVALID',
      'JANITOR_ROLE_IDS',
      `expected role ids such as AROA3XFRBF535PLBIFPI4, got ${JSON.stringify(bad.slice(0, 40))}`,
    );
  return ids;
}

function baseConfig(v: Variables): BaseConfig {
  const config: BaseConfig = {
    apiUrl: v.COREWEAVE_API_URL,
    dryRun: v.DRY_RUN !== 'false',
    deleteConcurrency: v.DELETE_CONCURRENCY,
    httpTimeoutMs: v.COREWEAVE_HTTP_TIMEOUT_MS,
    teardownMaxHorizonMs: v.TEARDOWN_MAX_HORIZON,
    notify: v.NOTIFY,
    confirmAfterMs: v.DELETE_CONFIRM_AFTER,
    confirmWithinMs: v.DELETE_CONFIRM_WITHIN,
  };
  // The first look comes DELETE_CONFIRM_AFTER after the DELETE: a shorter window would call
  // every deletion still in progress at that look stuck.
  if (config.confirmWithinMs < config.confirmAfterMs) {
    throw new ValidationError(
      'CONFIG_INVALID',
      'DELETE_CONFIRM_WITHIN',
      `expected at least DELETE_CONFIRM_AFTER (${formatDuration(config.confirmAfterMs)})`,
    );
  }
  if (v.NOTIFY_TOPIC_ARN) config.notifyTopicArn = v.NOTIFY_TOPIC_ARN;
  if (config.notify !== 'off' && !config.notifyTopicArn) {
    throw new ValidationError(
      'CONFIG_INVALID',
      'NOTIFY_TOPIC_ARN',
      `required when NOTIFY is ${config.notify}: the topic run summaries go to`,
    );
  }
  if (v.COREWEAVE_TOKEN_SECRET_ID) config.tokenSecretId = v.COREWEAVE_TOKEN_SECRET_ID;
  if (v.COREWEAVE_TOKEN_SECRET_KEY) config.tokenSecretKey = v.COREWEAVE_TOKEN_SECRET_KEY;
  return config;
}
