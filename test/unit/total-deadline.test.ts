import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CoreWeaveClient } from '#adapters/coreweave/client';
import { createAgent } from '#adapters/coreweave/transport';
import { StaticTokenSource } from '#adapters/static-token-source';
import type { ApiError } from '#core/errors';
import { seedFleet } from '#simulator/fleet';
import { type Simulator, startSimulator } from '#simulator/server';

const fleet = seedFleet({ seed: 5, now: new Date('2026-09-01T12:00:00Z') });
const ID = fleet[0]?.spec.id ?? '';

// The incident of issue 19: a 500 ms timeout and a 2 s budget, and one GET took 23 s,
// because undici's bodyTimeout only bounds the pause between two chunks of a body.
const TIMEOUT_MS = 500;
const BUDGET_MS = 2_000;
// One byte every 100 ms: each pause is far below the timeout, the whole body far above it.
const TRICKLE = { route: 'get', kind: 'trickle', intervalMs: 100 } as const;

describe('CoreWeaveClient total deadline', () => {
  let sim: Simulator | undefined;
  const agent = createAgent();
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });
  afterAll(async () => {
    await agent.close();
  });

  function clientFor(s: Simulator) {
    return new CoreWeaveClient({
      baseUrl: s.url,
      tokens: new StaticTokenSource(s.token),
      dispatcher: agent,
      timeoutMs: TIMEOUT_MS,
      adaptiveRate: false,
    });
  }

  function budgetFrom(started: number, budgetMs: number) {
    return { budgetMs: () => budgetMs - (Date.now() - started) };
  }

  it('cuts off a body that trickles and retries it within the budget', async () => {
    // Prepare
    sim = await startSimulator({ gateways: fleet });
    sim.addFault(TRICKLE);
    const client = clientFor(sim);
    const started = Date.now();
    // Act
    const error = (await client
      .get(ID, budgetFrom(started, BUDGET_MS))
      .catch((e: unknown) => e)) as ApiError;
    const tookMs = Date.now() - started;
    // Assess: the budget plus one attempt in flight, not the body's 30-odd seconds.
    expect(error).toMatchObject({ code: 'API_TRANSIENT' });
    expect(error.message).toContain('TOTAL_TIMEOUT');
    expect(error.http?.attempts).toBeGreaterThan(1);
    expect(tookMs).toBeLessThan(BUDGET_MS + TIMEOUT_MS + 400);
  });

  it('answers once the trickle stops, on a retry', async () => {
    sim = await startSimulator({ gateways: fleet });
    sim.addFault({ ...TRICKLE, times: 1 });
    const client = clientFor(sim);
    const reply = await client.get(ID, budgetFrom(Date.now(), BUDGET_MS));
    expect(reply.gateway?.id).toBe(ID);
    expect(reply.http.attempts).toBe(2);
  });

  it('never lets an attempt run past the time the invocation has left', async () => {
    // 150 ms of the margin's spare timeout left: the attempt gets 150 ms, not 500.
    sim = await startSimulator({ gateways: fleet });
    sim.addFault(TRICKLE);
    const client = clientFor(sim);
    const started = Date.now();
    const error = (await client
      .get(ID, budgetFrom(started, 150 - TIMEOUT_MS))
      .catch((e: unknown) => e)) as ApiError;
    expect(error).toMatchObject({ code: 'API_TRANSIENT', http: { attempts: 1 } });
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS - 100);
  });

  it('sends nothing when the invocation has no time left for a request', async () => {
    sim = await startSimulator({ gateways: fleet });
    const client = clientFor(sim);
    const error = (await client
      .get(ID, { budgetMs: () => -TIMEOUT_MS })
      .catch((e: unknown) => e)) as ApiError;
    expect(error).toMatchObject({ code: 'API_TRANSIENT', http: { attempts: 1 } });
    expect(sim.requests).toEqual([]);
  });
});
