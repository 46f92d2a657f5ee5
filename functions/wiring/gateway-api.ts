import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Dispatcher } from 'undici';
import type { InvocationTime } from '#adapters/aws/lambda-deadline';
import { SecretTokenSource } from '#adapters/aws/secret-token-source';
import { CoreWeaveClient } from '#adapters/coreweave/client';
import {
  deadlineMarginMs as marginForTimeout,
  RETRY_PROFILES,
  type RetryOptions,
  type RetryProfileName,
} from '#adapters/coreweave/retry';
import { StaticTokenSource } from '#adapters/static-token-source';
import type { CliConfig } from '#config/load-config';
import type { TokenSource } from '#core/ports';

/** Edges a caller may replace: tests inject loopback clients, the CLI a token. */
export interface ApiOverrides {
  secretsClient?: Pick<SecretsManagerClient, 'send'>;
  dispatcher?: Dispatcher;
  tokens?: TokenSource;
  onResponse?: (status: number | undefined) => void;
  /** the caller's retry caps (default: sweep) */
  profile?: RetryProfileName;
  /** overrides the profile's caps */
  retry?: Partial<RetryOptions>;
  /** the Lambda invocation's remaining time, which bounds the Secrets Manager call */
  time?: Pick<InvocationTime, 'signal'>;
}

/** What reaching the API takes, whichever entry point loaded the configuration. */
export type ApiSettings = Pick<
  CliConfig,
  'apiUrl' | 'tokenSecretId' | 'tokenSecretKey' | 'httpTimeoutMs' | 'apiToken'
>;

/** Wires the token source and the CoreWeave client from validated configuration. */
export function createGatewayApi(
  config: ApiSettings,
  overrides: ApiOverrides = {},
): { api: CoreWeaveClient; tokens: TokenSource } {
  const tokens =
    overrides.tokens ??
    (config.tokenSecretId
      ? new SecretTokenSource({
          secretId: config.tokenSecretId,
          secretKey: config.tokenSecretKey,
          client: overrides.secretsClient,
          time: overrides.time,
        })
      : new StaticTokenSource(config.apiToken ?? ''));
  const api = new CoreWeaveClient({
    baseUrl: config.apiUrl,
    tokens,
    timeoutMs: config.httpTimeoutMs,
    dispatcher: overrides.dispatcher,
    onResponse: overrides.onResponse,
    retry: { ...RETRY_PROFILES[overrides.profile ?? 'sweep'], ...overrides.retry },
  });
  return { api, tokens };
}

/** Leaves room for one request in flight past the point where no new work starts. */
export function deadlineMarginMs(config: Pick<ApiSettings, 'httpTimeoutMs'>): number {
  return marginForTimeout(config.httpTimeoutMs);
}
