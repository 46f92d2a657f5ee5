import { createSweepHandler } from '../../functions/sweep.ts';
import { benchContext, CountingSink, SECRET_ID, sweepEnv } from './bench-env.ts';
import type { RemoteSimulator } from './remote-simulator.ts';
import type { BenchMode } from './run.ts';

export interface SecretFetchResult {
  invocations: number;
  deleted: number;
  coldStarts: number;
  rotations: number;
  expected: number;
  getSecretValueCalls: number;
}

/**
 * Item 6: 1,000 deletions over 50 warm invocations (20 each), with one token rotation
 * at invocation 20 and a second execution environment (a cold start) from invocation 35.
 */
export async function secretFetches(
  sim: RemoteSimulator,
  secrets: { calls: unknown[]; setSecret(id: string, value: string): void },
  mode: BenchMode,
): Promise<SecretFetchResult> {
  const invocations = mode.quick ? 10 : 50;
  const perInvocation = 20;
  const callsBefore = secrets.calls.length;
  await sim.setLatency(5);
  const env = sweepEnv(sim, 8);
  let handler = createSweepHandler({ env, sink: new CountingSink() });
  let coldStarts = 1;
  let rotations = 0;
  let deleted = 0;
  for (let i = 0; i < invocations; i += 1) {
    if (i === Math.floor(invocations * 0.4)) {
      const rotated = `bench-rotated-${i}-0000000000000000`;
      await sim.rotateToken(rotated);
      secrets.setSecret(SECRET_ID, rotated);
      rotations += 1;
    }
    if (i === Math.floor(invocations * 0.7)) {
      handler = createSweepHandler({ env, sink: new CountingSink() });
      coldStarts += 1;
    }
    await sim.seed(perInvocation, 1, 1000 + i);
    const result = await handler({}, benchContext(60_000, 12_000, `req-${i}`));
    deleted += result.counts['gateway.deleted'] ?? 0;
  }
  // Back to the original token, so later sections can use sim.token.
  await sim.rotateToken(sim.token);
  secrets.setSecret(SECRET_ID, sim.token);
  await sim.setLatency(0);
  const out = {
    invocations,
    deleted,
    coldStarts,
    rotations,
    expected: coldStarts + rotations,
    getSecretValueCalls: secrets.calls.length - callsBefore,
  };
  mode.log(`secrets ${JSON.stringify(out)}`);
  return out;
}
