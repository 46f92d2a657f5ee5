import { expect } from 'vitest';
import { type Simulator, type SimulatorOptions, startSimulator } from '#simulator/server';
import { startSecretsManagerDouble } from '#test/fakes/secrets-manager-double';
import { CANARY_TOKEN, leakedCanaries } from './canaries.ts';
import type { captureOutput } from './capture-output.ts';

export const SECRET_ID = 'coreweave/api-token';

/** A loopback CoreWeave simulator and Secrets Manager double, wired like production. */
export interface Harness {
  simulator: Simulator;
  secrets: Awaited<ReturnType<typeof startSecretsManagerDouble>>;
  /** the environment a deployed function would have */
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * Starts both servers on 127.0.0.1; the secret holds the simulator's (canary) token, and
 * the SDK reaches the double through AWS_ENDPOINT_URL_SECRETS_MANAGER until `close()`.
 */
export async function startHarness(
  options: SimulatorOptions & {
    env?: Record<string, string>;
    sdkEnv?: Record<string, string>;
  } = {},
): Promise<Harness> {
  const simulator = await startSimulator({
    token: CANARY_TOKEN,
    deleteDelayMs: 60_000,
    ...options,
  });
  const secrets = await startSecretsManagerDouble({ secrets: { [SECRET_ID]: simulator.token } });
  const env = {
    COREWEAVE_API_URL: simulator.url,
    COREWEAVE_TOKEN_SECRET_ID: SECRET_ID,
    DELETE_CONCURRENCY: '8',
    ...options.env,
  };
  const sdkEnv = {
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST',
    AWS_SECRET_ACCESS_KEY: 'local-test-secret',
    ...options.sdkEnv,
  };
  // The real SDK finds the double the way a deployment would point it elsewhere.
  const saved = { ...process.env };
  Object.assign(process.env, sdkEnv);
  return {
    simulator,
    secrets,
    env,
    close: async () => {
      for (const key of Object.keys(sdkEnv)) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
      await Promise.all([simulator.close(), secrets.close()]);
    },
  };
}

/** A Lambda context with plenty of time left, or the time given. */
export function lambdaContext(remainingMs = 300_000, requestId = 'req-0001') {
  const deadline = Date.now() + remainingMs;
  return { awsRequestId: requestId, getRemainingTimeInMillis: () => deadline - Date.now() };
}

/**
 * Ends a test on the harness: restores the captured output, fails when anything it saw
 * (logs, audit lines, errors) holds a canary, then closes the harness.
 */
export async function closeChecked(
  harness: Harness,
  output: ReturnType<typeof captureOutput>,
): Promise<void> {
  output.restore();
  expect(leakedCanaries(output.text())).toEqual([]);
  await harness.close();
}
