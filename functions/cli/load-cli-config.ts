import { CLI_FLAGS } from '#config/fields';
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
  registryTable?: string;
  apply?: boolean;
}

/**
 * Validates the CLI's settings with the Lambda's own loader (docs/contract.md: the CLI takes the
 * same configuration as flags). A flag overrides its variable, and an error about a value
 * that came from a flag names the flag.
 */
export function loadCliConfig(
  flags: ConnectionFlags,
  env: CliEnv,
  options: { tokenOptional?: boolean } = {},
): CliConfig {
  // The loader reads only the CLI's own variables (config/fields.ts): the rest of the
  // shell, a stray JANITOR_POLICY_FILE or NOTIFY among it, is never looked at.
  const merged: CliEnv = { ...env };
  const fromFlag = new Map<string, string>();
  for (const [variable, flag] of Object.entries(CLI_FLAGS)) {
    const value = (flags as Record<string, unknown>)[optionName(flag)];
    if (typeof value !== 'string') continue;
    merged[variable] = value;
    fromFlag.set(variable, flag);
  }
  // Deleting takes --apply on the command line; a DRY_RUN in the shell never turns it on.
  merged.DRY_RUN = flags.apply ? 'false' : 'true';
  // The CLI has no queue: --wait polls from the first second (docs/cli.md), so the Lambdas'
  // DELETE_CONFIRM_AFTER never applies and must not hold --confirm-within above it.
  merged.DELETE_CONFIRM_AFTER = '1s';
  if (!options.tokenOptional && !merged.COREWEAVE_TOKEN_SECRET_ID && !merged.COREWEAVE_API_TOKEN) {
    throw new ValidationError(
      'CONFIG_INVALID',
      'COREWEAVE_API_TOKEN',
      'not set: export the API token in it, or pass --secret-id to read the token from Secrets Manager (or try --simulate)',
    );
  }
  try {
    return loadCliEnvConfig(merged, options);
  } catch (error) {
    const flag = error instanceof ValidationError ? fromFlag.get(error.field) : undefined;
    if (!flag || !(error instanceof ValidationError)) throw error;
    throw new ValidationError('CONFIG_INVALID', flag, error.message.slice(error.field.length + 2));
  }
}

/** Environment variables by name, as process.env holds them. */
export type CliEnv = Record<string, string | undefined>;

/** The option name commander gives a flag: `--http-timeout` is `httpTimeout`. */
function optionName(flag: string): string {
  return flag.slice(2).replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}
