import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { ValidationError } from '#core/errors';
import { compilePolicy, type Policy } from '#core/policy/compile-policy';
import { parsePolicyJson } from '#core/policy/policy';
import { type QueueIdentity, queueIdentityFromUrl } from '#core/teardown/context';
import { type Env, readFields, type Settings, type Values } from './fields.ts';

/** The sweep Lambda's configuration: the token comes from a secret, the policy is required. */
export interface SweepConfig extends Settings<'sweep'> {
  policy: Policy;
}

/**
 * The teardown Lambda's configuration: its queue (the only source of its records, and
 * where deferrals go back to), as its records' `eventSourceARN` names it, and the
 * janitor's own role ids, whose `confirm` and `deferredSince` are honoured.
 */
export interface TeardownConfig extends Settings<'teardown'> {
  policy: Policy;
  teardownQueue: QueueIdentity;
}

/** Either Lambda's configuration, as the handler set-up wires it. */
export type LambdaConfig = SweepConfig | TeardownConfig;

/** The CLI's configuration: a token may be given directly, and the policy may come from a file. */
export interface CliConfig extends Settings<'cli'> {
  policy?: Policy;
}

/** The sweep Lambda's configuration; every error names the variable. */
export function loadSweepConfig(env: Env): SweepConfig {
  const { settings, values } = readFields('sweep', env);
  return { ...settings, policy: requirePolicy(values, env) };
}

/** The teardown Lambda's configuration; every error names the variable. */
export function loadTeardownConfig(env: Env): TeardownConfig {
  const { settings, values } = readFields('teardown', env);
  return {
    ...settings,
    policy: requirePolicy(values, env),
    teardownQueue: queueIdentityOf(settings.teardownQueueUrl, values.AWS_REGION),
  };
}

/**
 * The CLI's configuration from its environment (the CLI merges its flags in first);
 * `tokenOptional` for commands that call the API only when they must look a gateway up.
 */
export function loadCliEnvConfig(env: Env, options: { tokenOptional?: boolean } = {}): CliConfig {
  const { settings, values } = readFields('cli', env);
  if (!options.tokenOptional && !settings.tokenSecretId && !settings.apiToken) {
    throw new ValidationError(
      'CONFIG_INVALID',
      'COREWEAVE_TOKEN_SECRET_ID',
      'required unless COREWEAVE_API_TOKEN is set',
    );
  }
  const policy = policyOf(values, env);
  return policy ? { ...settings, policy } : settings;
}

function requirePolicy(v: Values, env: Env): Policy {
  const policy = policyOf(v, env);
  if (policy) return policy;
  throw new ValidationError(
    'CONFIG_INVALID',
    'JANITOR_POLICY',
    'required: the policy as JSON, or JANITOR_POLICY_FILE',
  );
}

/**
 * The policy from JANITOR_POLICY (JSON) or JANITOR_POLICY_FILE (a JSON file; a relative
 * path is read from the function's code, LAMBDA_TASK_ROOT, where the deployment packs it:
 * docs/deploy.md, "The policy"). Both at once is ambiguous, hence an error.
 */
function policyOf(v: Values, env: Env): Policy | undefined {
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
