import * as z from 'zod/mini';
import { ValidationError } from '#core/errors';
import { DEFAULT_TEARDOWN_MAX_HORIZON } from '#core/teardown/request';
import { formatDuration, parseDuration } from '#core/time';

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

const snsTopicArn = z.optional(
  z
    .string()
    .check(
      z.regex(
        /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]{1,256}$/,
        'expected an SNS topic ARN',
      ),
    ),
);

// An IAM role's unique id; SQS reports an assumed role's sender as `<role id>:<session>`.
const ROLE_ID = /^AROA[A-Z0-9]{12,124}$/;

/** JANITOR_ROLE_IDS as a list, refusing anything that is not a role id. */
function roleIds(text: string, context: z.core.ParsePayload): string[] {
  const ids = text.split(',').map((id) => id.trim());
  const bad = ids.find((id) => !ROLE_ID.test(id));
  if (bad !== undefined) {
    context.issues.push({
      code: 'custom',
      input: text,
      message: `expected role ids such as AROA3XFRBF535PLBIFPI4, got ${JSON.stringify(bad.slice(0, 40))}`,
    });
  }
  return ids;
}

/** The entry points that read configuration. */
export type Reader = 'sweep' | 'teardown' | 'cli';

const ALL = ['sweep', 'teardown', 'cli'] as const;
const LAMBDAS = ['sweep', 'teardown'] as const;

/** One configuration variable: its schema, who reads it, and what it fills in. */
interface Field {
  schema: z.ZodMiniType;
  /** the entry points that read it; the others never look at it */
  in: readonly Reader[];
  /** the config key it fills; none for the variables a derived field comes from */
  key?: string;
  /** the entry points that refuse to start without it, with the message they give */
  required?: Partial<Record<Reader, string>>;
  /** the CLI flag that stands for it (docs/cli.md) */
  flag?: string;
}

/**
 * Every variable, once (docs/configuration.md): each entry point picks the rows it reads,
 * and its configuration type follows from them, so a new variable is one row here.
 */
const FIELDS = {
  COREWEAVE_API_URL: {
    key: 'apiUrl',
    in: ALL,
    flag: '--api-url',
    schema: z._default(
      z.url({ protocol: /^https?$/, message: 'expected an http(s) URL' }).check(
        // The bearer token rides on every request: plain http only where it cannot leave the host.
        z.refine((url) => isTlsOrLoopback(url), {
          message: 'expected an https:// URL (plain http only for localhost, 127.0.0.0/8 or [::1])',
        }),
      ),
      'https://api.coreweave.com',
    ),
  },
  COREWEAVE_TOKEN_SECRET_ID: {
    key: 'tokenSecretId',
    in: ALL,
    flag: '--secret-id',
    required: { sweep: 'required', teardown: 'required' },
    schema: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
  },
  COREWEAVE_TOKEN_SECRET_KEY: {
    key: 'tokenSecretKey',
    in: ALL,
    flag: '--secret-key',
    schema: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
  },
  COREWEAVE_API_TOKEN: {
    key: 'apiToken',
    in: ['cli'],
    schema: z.optional(z.string().check(z.minLength(1))),
  },
  JANITOR_POLICY: { in: ALL, schema: z.optional(z.string()) },
  JANITOR_POLICY_FILE: { in: LAMBDAS, schema: z.optional(z.string()) },
  // Unset means a dry run: deleting needs an explicit `false`.
  DRY_RUN: {
    key: 'dryRun',
    in: ALL,
    schema: z.pipe(
      z._default(boolText, 'true'),
      z.transform((text: 'true' | 'false') => text !== 'false'),
    ),
  },
  DELETE_CONCURRENCY: {
    key: 'deleteConcurrency',
    in: ALL,
    flag: '--concurrency',
    schema: z._default(intText(1, 512), 8),
  },
  COREWEAVE_HTTP_TIMEOUT_MS: {
    key: 'httpTimeoutMs',
    in: ALL,
    flag: '--http-timeout',
    schema: z._default(intText(100, 60_000), 10_000),
  },
  TEARDOWN_QUEUE_URL: {
    key: 'teardownQueueUrl',
    in: LAMBDAS,
    required: { teardown: 'required: the teardown queue, the only source of teardown records' },
    schema: z.optional(z.url({ message: 'expected the queue URL' })),
  },
  TEARDOWN_DLQ_URL: {
    key: 'teardownDlqUrl',
    in: ['teardown'],
    schema: z.optional(z.url({ message: 'expected the dead-letter queue URL' })),
  },
  // Set by Lambda: the region of a queue URL whose host names none (a local SQS).
  AWS_REGION: {
    in: ['teardown'],
    schema: z.optional(z.string().check(z.regex(/^[a-z0-9-]{1,32}$/, 'expected a region'))),
  },
  JANITOR_ROLE_IDS: {
    key: 'janitorRoleIds',
    in: ['teardown'],
    required: { teardown: "required: the janitor's own role ids (AROA...), comma-separated" },
    schema: z.optional(z.pipe(z.string(), z.transform(roleIds))),
  },
  TEARDOWN_MAX_HORIZON: {
    key: 'teardownMaxHorizonMs',
    in: ['teardown'],
    schema: z.pipe(
      z.pipe(
        z._default(z.string(), DEFAULT_TEARDOWN_MAX_HORIZON),
        z.transform((text: string) => parseDuration(text)),
      ),
      z.number({ message: 'expected a duration such as 12h, 7d or 30d' }),
    ),
  },
  NOTIFY: {
    key: 'notify',
    in: LAMBDAS,
    schema: z._default(
      z.enum(['off', 'deletions', 'always'], {
        message: 'expected "off", "deletions" or "always"',
      }),
      'off',
    ),
  },
  NOTIFY_TOPIC_ARN: {
    key: 'notifyTopicArn',
    in: LAMBDAS,
    schema: snsTopicArn,
  },
  // Owners' notices before deletion (docs/contract.md "Notice before deletion"), from the
  // sweep and the CLI's sweep; unset, every notice fails (`notice_failed`), nothing is deleted.
  NOTICE_TOPIC_ARN: {
    key: 'noticeTopicArn',
    in: ['sweep', 'cli'],
    schema: snsTopicArn,
  },
  // Where the sweep's embedded metrics are filed (the name Powertools reads too).
  POWERTOOLS_METRICS_NAMESPACE: {
    key: 'metricsNamespace',
    in: ['sweep'],
    schema: z._default(z.string().check(z.minLength(1), z.maxLength(255)), 'GatewayJanitor'),
  },
  // Leases, exemptions, the pause, the rolling budget (docs/contract.md "The registry").
  JANITOR_REGISTRY_TABLE: {
    key: 'registryTable',
    in: ALL,
    flag: '--registry-table',
    schema: z.optional(
      z.string().check(z.regex(/^[A-Za-z0-9_.-]{3,255}$/, 'expected a DynamoDB table name')),
    ),
  },
  // A confirmation is one delayed SQS message, and SQS delays a message 15 minutes at most.
  DELETE_CONFIRM_AFTER: {
    key: 'confirmAfterMs',
    in: ALL,
    schema: durationText('5m', 1_000, 15 * 60_000, '15m'),
  },
  DELETE_CONFIRM_WITHIN: {
    key: 'confirmWithinMs',
    in: ALL,
    flag: '--confirm-within',
    schema: durationText('1h', 60_000, 7 * 86_400_000, '7d'),
  },
} as const satisfies Record<string, Field>;

type Fields = typeof FIELDS;
type Name = keyof Fields;
type Value<N extends Name> = z.output<Fields[N]['schema']>;
type KeyOf<N extends Name> = Fields[N] extends { key: infer K extends string } ? K : never;
type Reads<R extends Reader, N extends Name> = R extends Fields[N]['in'][number] ? true : false;
type Always<R extends Reader, N extends Name> = Fields[N] extends {
  required: Record<R, string>;
}
  ? true
  : undefined extends Value<N>
    ? false
    : true;

/** The settings an entry point reads, by config key; optional where the variable may be unset. */
export type Settings<R extends Reader> = {
  -readonly [N in Name as Reads<R, N> extends true
    ? Always<R, N> extends true
      ? KeyOf<N>
      : never
    : never]: NonNullable<Value<N>>;
} & {
  -readonly [N in Name as Reads<R, N> extends true
    ? Always<R, N> extends true
      ? never
      : KeyOf<N>
    : never]?: NonNullable<Value<N>>;
};

/** Each CLI flag that stands for a variable, by the variable's name. */
export const CLI_FLAGS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(FIELDS as Record<string, Field>).flatMap(([name, field]) =>
    field.flag ? [[name, field.flag]] : [],
  ),
);

/** Environment variables by name, as process.env holds them. */
export type Env = Record<string, string | undefined>;

/** True for an https URL, or an http URL whose host is loopback (localhost, 127/8, [::1]). */
export function isTlsOrLoopback(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  if (url.protocol === 'https:') return true;
  if (url.protocol !== 'http:') return false;
  const host = url.hostname.toLowerCase();
  return host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** The parsed variables an entry point read, by name. */
export type Values = { [N in Name]?: Value<N> };

/**
 * Parses the variables `reader` reads, once, each against its row; every error names the
 * variable. An empty variable counts as unset.
 */
export function readFields<R extends Reader>(
  reader: R,
  env: Env,
): { settings: Settings<R>; values: Values } {
  const settings: Record<string, unknown> = {};
  const values: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(FIELDS as Record<string, Field>)) {
    if (!field.in.includes(reader)) continue;
    const raw = env[name] === '' ? undefined : env[name];
    const required = field.required?.[reader];
    if (raw === undefined && required) throw new ValidationError('CONFIG_INVALID', name, required);
    const result = field.schema.safeParse(raw);
    if (!result.success) {
      throw new ValidationError(
        'CONFIG_INVALID',
        name,
        result.error.issues[0]?.message ?? 'invalid value',
      );
    }
    values[name] = result.data;
    if (field.key && result.data !== undefined) settings[field.key] = result.data;
  }
  checkTogether(values as Values);
  return { settings: settings as Settings<R>, values: values as Values };
}

/** The rules that tie two variables together, for the entry points that read both. */
function checkTogether(v: Values): void {
  // The first look comes DELETE_CONFIRM_AFTER after the DELETE: a shorter window would call
  // every deletion still in progress at that look stuck.
  const after = v.DELETE_CONFIRM_AFTER ?? 0;
  if ((v.DELETE_CONFIRM_WITHIN ?? after) < after) {
    throw new ValidationError(
      'CONFIG_INVALID',
      'DELETE_CONFIRM_WITHIN',
      `expected at least DELETE_CONFIRM_AFTER (${formatDuration(after)})`,
    );
  }
  if (v.NOTIFY !== undefined && v.NOTIFY !== 'off' && !v.NOTIFY_TOPIC_ARN) {
    throw new ValidationError(
      'CONFIG_INVALID',
      'NOTIFY_TOPIC_ARN',
      `required when NOTIFY is ${v.NOTIFY}: the topic run summaries go to`,
    );
  }
}
