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
      const name = error instanceof Error ? error.name : 'Error';
      throw new JanitorError(
        'TOKEN_UNAVAILABLE',
        `COREWEAVE_TOKEN_SECRET_ID: GetSecretValue failed (${name})`,
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
