import { describe, expect, it } from 'vitest';
import type { RetryProfileName } from '#adapters/coreweave/retry';
import { loadCliEnvConfig } from '#config/load-config';
import { useMockAgent } from '#test/support/mock-agent';
import { createGatewayApi } from '#wiring/gateway-api';

const ORIGIN = 'https://api.coreweave.test';
const ID = '6f1c2a9e-3b7d-4c1e-9a52-0d8e4f7b21aa';
const PATH = `/v1alpha1/inference/gateways/${ID}`;
const config = loadCliEnvConfig({
  COREWEAVE_API_URL: ORIGIN,
  COREWEAVE_API_TOKEN: 'CW-SECRET-canary-token-0003',
});
const fast = { baseDelayMs: 1, maxDelayMs: 1 };
const forever = { budgetMs: () => 60_000 };

describe('createGatewayApi', () => {
  const agent = useMockAgent();

  /** An API that is always down; counts the DELETEs it is sent. */
  const alwaysDown = () => {
    let sent = 0;
    agent()
      .get(ORIGIN)
      .intercept({ path: PATH, method: 'DELETE' })
      .reply(() => {
        sent += 1;
        return { statusCode: 503, data: 'down' };
      })
      .persist();
    return { sent: () => sent };
  };

  it.each<[RetryProfileName, number]>([
    ['teardown', 3],
    ['cli', 4],
  ])(
    'gives up on an API that stays down after the attempts of the %s profile',
    async (profile, attempts) => {
      // Prepare
      const api = alwaysDown();
      const { api: client } = createGatewayApi(config, {
        dispatcher: agent(),
        profile,
        retry: fast,
      });

      // Act
      const error = await client.delete(ID, forever).catch((e: unknown) => e);

      // Assess
      expect(error).toMatchObject({ code: 'API_TRANSIENT', http: { attempts } });
      expect(api.sent()).toBe(attempts);
    },
  );
});
