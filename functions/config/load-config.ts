import { z } from 'zod';
import type { NotifyMode } from '#core/audit/run-notice';
import { compilePolicy, type Policy } from '#core/policy/compile-policy';
import { parsePolicyJson } from '#core/policy/policy';
import { formatDuration, parseDuration } from '#core/shared/duration';
import { ValidationError } from '#core/shared/errors';
import { DEFAULT_TEARDOWN_MAX_HORIZON } from '#core/teardown/decide-teardown';

/** The validated configuration of one execution environment (docs/contract.md "Configuration"). */
export interface Config {
  apiUrl: string;
  tokenSecretId?: string;
  tokenSecretKey?: string;
  /** CLI only: a token given directly instead of a secret */
  apiToken?: string;
  policy?: Policy;
  dryRun: boolean;
  deleteConcurrency: number;
  teardownQueueUrl?: string;
  teardownDlqUrl?: string;
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

const boolText = z.enum(['true', 'false'], { message: 'expected "true" or "false"' });
const intText = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'expected a whole number')
    .transform(Number)
    .pipe(
      z.number().int().min(min, `expected at least ${min}`).max(max, `expected at most ${max}`),
    );

const FIELDS = {
  COREWEAVE_API_URL: z
    .url({ protocol: /^https?$/, message: 'expected an http(s) URL' })
    // The bearer token rides on every request: plain http only where it cannot leave the host.
    .refine((url) => isTlsOrLoopback(url), {
      message: 'expected an https:// URL (plain http only for localhost, 127.0.0.0/8 or [::1])',
    })
    .default('https://api.coreweave.com'),
  COREWEAVE_TOKEN_SECRET_ID: z.string().min(1).max(2048).optional(),
  COREWEAVE_TOKEN_SECRET_KEY: z.string().min(1).max(256).optional(),
  COREWEAVE_API_TOKEN: z.string().min(1).optional(),
  JANITOR_POLICY: z.string().optional(),
  DRY_RUN: boolText.default('true'),
  DELETE_CONCURRENCY: intText(1, 512).default(8),
  TEARDOWN_QUEUE_URL: z.url({ message: 'expected the queue URL' }).optional(),
  TEARDOWN_DLQ_URL: z.url({ message: 'expected the dead-letter queue URL' }).optional(),
  COREWEAVE_HTTP_TIMEOUT_MS: intText(100, 60_000).default(10_000),
  TEARDOWN_MAX_HORIZON: z
    .string()
    .default(DEFAULT_TEARDOWN_MAX_HORIZON)
    .transform((text) => parseDuration(text))
    .pipe(z.number({ message: 'expected a duration such as 12h, 7d or 30d' })),
  NOTIFY: z
    .enum(['off', 'deletions', 'always'], { message: 'expected "off", "deletions" or "always"' })
    .default('off'),
  NOTIFY_TOPIC_ARN: z
    .string()
    .regex(
      /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]{1,256}$/,
      'expected an SNS topic ARN',
    )
    .optional(),
  // A confirmation is one delayed SQS message, and SQS delays a message 15 minutes at most.
  DELETE_CONFIRM_AFTER: durationText(1_000, 15 * 60_000, '15m').default(5 * 60_000),
  DELETE_CONFIRM_WITHIN: durationText(60_000, 7 * 86_400_000, '7d').default(3_600_000),
} as const;

type Env = Record<string, string | undefined>;

function durationText(minMs: number, maxMs: number, max: string) {
  return z
    .string()
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: 'expected a duration such as 30s, 5m or 1h' });
        return z.NEVER;
      }
      return ms;
    })
    .pipe(
      z
        .number()
        .min(minMs, `expected at least ${formatDuration(minMs)}`)
        .max(maxMs, `expected at most ${max}`),
    );
}

/** True for an https URL, or an http URL whose host is loopback (localhost, 127/8, [::1]). */
export function isTlsOrLoopback(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  if (url.protocol === 'https:') return true;
  if (url.protocol !== 'http:') return false;
  const host = url.hostname.toLowerCase();
  return host === 'localhost' || host === '[::1]' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** What a caller needs: sweeps need a policy; the CLI may use a token instead of a secret. */
export interface ConfigNeeds {
  policy: boolean;
  allowDirectToken?: boolean;
  /** the teardown Lambda re-sends requests that are not due yet */
  queue?: boolean;
}

/**
 * Parses the environment once against a closed schema; every error names the variable.
 * `DRY_RUN` unset means a dry run: deleting needs an explicit `false`.
 */
export function loadConfig(env: Env, needs: ConfigNeeds): Config {
  const values: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(FIELDS)) {
    const raw = env[name] === '' ? undefined : env[name];
    const result = (schema as z.ZodType).safeParse(raw);
    if (!result.success) {
      throw new ValidationError(
        'CONFIG_INVALID',
        name,
        result.error.issues[0]?.message ?? 'invalid value',
      );
    }
    values[name] = result.data;
  }
  const v = values as { [K in keyof typeof FIELDS]: z.output<(typeof FIELDS)[K]> };
  const apiToken = needs.allowDirectToken ? v.COREWEAVE_API_TOKEN : undefined;
  if (!v.COREWEAVE_TOKEN_SECRET_ID && !apiToken) {
    throw new ValidationError(
      'CONFIG_INVALID',
      'COREWEAVE_TOKEN_SECRET_ID',
      needs.allowDirectToken ? 'required unless COREWEAVE_API_TOKEN is set' : 'required',
    );
  }
  if (needs.policy && v.JANITOR_POLICY === undefined) {
    throw new ValidationError('CONFIG_INVALID', 'JANITOR_POLICY', 'required: the policy as JSON');
  }
  const config: Config = {
    apiUrl: v.COREWEAVE_API_URL,
    dryRun: v.DRY_RUN !== 'false',
    deleteConcurrency: v.DELETE_CONCURRENCY,
    httpTimeoutMs: v.COREWEAVE_HTTP_TIMEOUT_MS,
    teardownMaxHorizonMs: v.TEARDOWN_MAX_HORIZON,
    notify: v.NOTIFY,
    confirmAfterMs: v.DELETE_CONFIRM_AFTER,
    confirmWithinMs: v.DELETE_CONFIRM_WITHIN,
  };
  if (v.NOTIFY_TOPIC_ARN) config.notifyTopicArn = v.NOTIFY_TOPIC_ARN;
  if (config.notify !== 'off' && !config.notifyTopicArn) {
    throw new ValidationError(
      'CONFIG_INVALID',
      'NOTIFY_TOPIC_ARN',
      `required when NOTIFY is ${config.notify}: the topic run summaries go to`,
    );
  }
  // The first look comes DELETE_CONFIRM_AFTER after the DELETE: a shorter window would call
  // every deletion still in progress at that look stuck.
  if (config.confirmWithinMs < config.confirmAfterMs) {
    throw new ValidationError(
      'CONFIG_INVALID',
      'DELETE_CONFIRM_WITHIN',
      `expected at least DELETE_CONFIRM_AFTER (${formatDuration(config.confirmAfterMs)})`,
    );
  }
  if (v.COREWEAVE_TOKEN_SECRET_ID) config.tokenSecretId = v.COREWEAVE_TOKEN_SECRET_ID;
  if (v.COREWEAVE_TOKEN_SECRET_KEY) config.tokenSecretKey = v.COREWEAVE_TOKEN_SECRET_KEY;
  if (apiToken) config.apiToken = apiToken;
  if (v.TEARDOWN_QUEUE_URL) config.teardownQueueUrl = v.TEARDOWN_QUEUE_URL;
  if (v.TEARDOWN_DLQ_URL) config.teardownDlqUrl = v.TEARDOWN_DLQ_URL;
  if (needs.queue && !config.teardownQueueUrl) {
    throw new ValidationError(
      'CONFIG_INVALID',
      'TEARDOWN_QUEUE_URL',
      'required: the teardown queue, for deferrals',
    );
  }
  if (v.JANITOR_POLICY !== undefined) {
    config.policy = compilePolicy(parsePolicyJson(v.JANITOR_POLICY, 'JANITOR_POLICY'));
  }
  return config;
}
