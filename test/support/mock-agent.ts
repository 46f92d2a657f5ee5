import { MockAgent } from 'undici';
import { afterEach, beforeEach } from 'vitest';

/**
 * A fresh undici MockAgent for each test of the describe it is called in, with the
 * network shut off (a request nothing intercepts fails), closed after each test.
 */
export function useMockAgent(): () => MockAgent {
  let agent: MockAgent;
  beforeEach(() => {
    agent = new MockAgent();
    agent.disableNetConnect();
  });
  afterEach(async () => {
    await agent.close();
  });
  return () => agent;
}
