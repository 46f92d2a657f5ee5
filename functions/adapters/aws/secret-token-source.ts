import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { JanitorError } from '#core/errors';
import type { TokenSource } from '#core/ports';
import type { InvocationTime } from './lambda-deadline.ts';

// Two refreshes of the same secret closer together than this read it once.
const REFRESH_FLOOR_MS = 5_000;

/** Where the token lives and how long a fetched copy is trusted. */
export interface SecretTokenSourceOptions {
  secretId: string;
  /** when the secret string is JSON, the key that holds the token */
  secretKey?: string;
  client?: Pick<SecretsManagerClient, 'send'>;
  maxAgeMs?: number;
  now?: () => number;
  /** bounds each GetSecretValue by the invocation's remaining time */
  time?: Pick<InvocationTime, 'signal'>;
  /** the region the client asks, for error hints; default AWS_REGION */
  region?: string;
}

/**
 * The API token from Secrets Manager, cached per execution environment: one fetch
 * per cold start in steady state, one more after the API rejects a rotated token.
 */
export class SecretTokenSource implements TokenSource {
  readonly #options: SecretTokenSourceOptions;
  readonly #client: Pick<SecretsManagerClient, 'send'>;
  #cached: { token: string; fetchedAt: number } | undefined;
  #inflight: Promise<string> | undefined;
  #refreshedAt = Number.NEGATIVE_INFINITY;

  constructor(options: SecretTokenSourceOptions) {
    this.#options = options;
    this.#client = options.client ?? new SecretsManagerClient({});
  }

  get(): Promise<string> {
    const now = (this.#options.now ?? Date.now)();
    if (this.#cached && now - this.#cached.fetchedAt < (this.#options.maxAgeMs ?? 15 * 60_000)) {
      return Promise.resolve(this.#cached.token);
    }
    return this.#fetch();
  }

  refresh(stale: string): Promise<string> {
    const cached = this.#cached;
    // Another caller already replaced the rejected token: use theirs, fetch nothing.
    if (cached && cached.token !== stale) return Promise.resolve(cached.token);
    if (this.#inflight) return this.#inflight;
    // A refresh moments ago read this same token again (revoked, not rotated): every other
    // request it fails gets it without another read; the client then stops the run.
    const now = (this.#options.now ?? Date.now)();
    if (cached && now - this.#refreshedAt < REFRESH_FLOOR_MS) return Promise.resolve(cached.token);
    this.#refreshedAt = now;
    return this.#fetch();
  }

  #fetch(): Promise<string> {
    this.#inflight ??= this.#load().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #load(): Promise<string> {
    const { secretId, secretKey } = this.#options;
    let secretString: string | undefined;
    const abortSignal = this.#options.time?.signal();
    try {
      const output = await this.#client.send(
        new GetSecretValueCommand({ SecretId: secretId }),
        abortSignal ? { abortSignal } : {},
      );
      secretString = output.SecretString;
    } catch (error) {
      if (abortSignal?.aborted) {
        throw new JanitorError(
          'TOKEN_UNAVAILABLE',
          "COREWEAVE_TOKEN_SECRET_ID: GetSecretValue did not answer within the invocation's remaining time",
        );
      }
      const region = this.#options.region ?? process.env.AWS_REGION;
      throw new JanitorError(
        'TOKEN_UNAVAILABLE',
        `COREWEAVE_TOKEN_SECRET_ID: GetSecretValue failed (${describeCause(error)}); ${secretHint(error, secretId, region)}`,
        {
          cause: error instanceof Error ? { name: error.name, message: error.message } : undefined,
        },
      );
    }
    const token = extractToken(secretString, secretKey);
    this.#cached = { token, fetchedAt: (this.#options.now ?? Date.now)() };
    return token;
  }
}

/** The AWS error's name and its own first line, short and without control characters. */
function describeCause(error: unknown): string {
  if (!(error instanceof Error)) return 'Error';
  const first = (error.message.split('\n')[0] ?? '').replace(/\p{Cc}/gu, '').slice(0, 160);
  return first && first !== error.name ? `${error.name}: ${first}` : error.name;
}

/**
 * What to check, by the kind of failure (docs/operations.md): the secret is looked up in
 * the client's region, whatever region an ARN names, so a mismatch reads as "not found".
 */
export function secretHint(error: unknown, secretId: string, region: string | undefined): string {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : '';
  const where = region
    ? `region ${region} (AWS_REGION)`
    : "the AWS profile's region (AWS_REGION is not set)";
  const arnRegion = /^arn:[\w-]+:secretsmanager:([a-z0-9-]+):/.exec(secretId)?.[1];
  if (arnRegion && region && arnRegion !== region)
    return `the secret's ARN names region ${arnRegion}, but the client asks ${where}: set AWS_REGION=${arnRegion}`;
  if (name === 'ResourceNotFoundException')
    return `no such secret in ${where}: check the name or ARN, and that the secret is in that region`;
  if (name === 'AccessDeniedException')
    return 'the caller may not read it: it needs secretsmanager:GetSecretValue on the secret (and kms:Decrypt on its key, if customer-managed)';
  if (/Credential|ExpiredToken|UnrecognizedClient|InvalidSignature/.test(name))
    return 'no valid AWS credentials: sign in (aws sso login, or AWS_PROFILE) or export a token with COREWEAVE_API_TOKEN instead';
  if (/region is missing/i.test(message))
    return 'no region: set AWS_REGION to the region that holds the secret';
  return `looked up in ${where}; check network access to Secrets Manager there`;
}

/** Reads the token from a secret string: the whole string, or one key of a JSON object. */
export function extractToken(secretString: string | undefined, secretKey?: string): string {
  if (!secretString) {
    throw new JanitorError(
      'TOKEN_UNAVAILABLE',
      'COREWEAVE_TOKEN_SECRET_ID: the secret has no SecretString',
    );
  }
  if (secretKey === undefined) return secretString.trim();
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    throw new JanitorError(
      'TOKEN_UNAVAILABLE',
      'COREWEAVE_TOKEN_SECRET_KEY: the secret string is not JSON',
    );
  }
  const value = (parsed as Record<string, unknown> | null)?.[secretKey];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new JanitorError(
      'TOKEN_UNAVAILABLE',
      `COREWEAVE_TOKEN_SECRET_KEY: the secret has no string key "${secretKey}"`,
    );
  }
  return value.trim();
}
