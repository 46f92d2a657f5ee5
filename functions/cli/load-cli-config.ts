import { type CliConfig, loadCliEnvConfig } from '#config/load-config';
import { ValidationError } from '#core/errors';

/** The connection flags every command takes; each stands for a configuration variable. */
export interface ConnectionFlags {
  apiUrl?: string;
  secretId?: string;
  secretKey?: string;
  httpTimeout?: string;
  concurrency?: string;
  confirmWithin?: string;
  apply?: boolean;
}

const FLAG_VARIABLES = {
  apiUrl: ['--api-url', 'COREWEAVE_API_URL'],
  secretId: ['--secret-id', 'COREWEAVE_TOKEN_SECRET_ID'],
  secretKey: ['--secret-key', 'COREWEAVE_TOKEN_SECRET_KEY'],
  httpTimeout: ['--http-timeout', 'COREWEAVE_HTTP_TIMEOUT_MS'],
  concurrency: ['--concurrency', 'DELETE_CONCURRENCY'],
  confirmWithin: ['--confirm-within', 'DELETE_CONFIRM_WITHIN'],
} as const;

const INHERITED = [
  'COREWEAVE_API_URL',
  'COREWEAVE_TOKEN_SECRET_ID',
  'COREWEAVE_TOKEN_SECRET_KEY',
  'COREWEAVE_API_TOKEN',
  'COREWEAVE_HTTP_TIMEOUT_MS',
  'DELETE_CONCURRENCY',
  'DELETE_CONFIRM_WITHIN',
  'JANITOR_POLICY',
] as const;

/**
 * Validates the CLI's settings with the Lambda's own loader (docs/contract.md: the CLI takes the
 * same configuration as flags). A flag overrides its variable, and an error about a value
 * that came from a flag names the flag.
 */
export function loadCliConfig(flags: ConnectionFlags, env: CliEnv): CliConfig {
  const merged: CliEnv = {};
  for (const name of INHERITED) merged[name] = env[name];
  const fromFlag = new Map<string, string>();
  for (const [key, [flag, variable]] of Object.entries(FLAG_VARIABLES)) {
    const value = flags[key as keyof typeof FLAG_VARIABLES];
    if (value === undefined) continue;
    merged[variable] = value;
    fromFlag.set(variable, flag);
  }
  // Deleting takes --apply on the command line; a DRY_RUN in the shell never turns it on.
  merged.DRY_RUN = flags.apply ? 'false' : 'true';
  // The CLI has no queue: --wait polls from the first second (docs/cli.md), so the Lambdas'
  // DELETE_CONFIRM_AFTER never applies and must not hold --confirm-within above it.
  merged.DELETE_CONFIRM_AFTER = '1s';
  if (!merged.COREWEAVE_TOKEN_SECRET_ID && !merged.COREWEAVE_API_TOKEN) {
    throw new ValidationError(
      'CONFIG_INVALID',
      'COREWEAVE_API_TOKEN',
      'not set: export the API token in it, or pass --secret-id to read the token from Secrets Manager (or try --simulate)',
    );
  }
  try {
    return loadCliEnvConfig(merged);
  } catch (error) {
    const flag = error instanceof ValidationError ? fromFlag.get(error.field) : undefined;
    if (!flag || !(error instanceof ValidationError)) throw error;
    throw new ValidationError('CONFIG_INVALID', flag, error.message.slice(error.field.length + 2));
  }
}

/** Environment variables by name, as process.env holds them. */
export type CliEnv = Record<string, string | undefined>;
