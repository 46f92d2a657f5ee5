import { CoreWeaveClient } from '#adapters/coreweave/client';
import { StaticTokenSource } from '#adapters/static-token-source';
import { compilePolicy } from '#core/policy/compile-policy';
import { parsePolicyJson } from '#core/policy/policy';
import { runSweep } from '#core/sweep/run-sweep';
import { BENCH_POLICY, CountingSink } from './bench-env.ts';
import type { RemoteSimulator } from './remote-simulator.ts';
import type { BenchMode } from './run.ts';
import { round } from './throughput.ts';

export interface RateLimitRow {
  client: 'adaptive' | 'fixed';
  concurrency: number;
  rps: number;
  burst: number;
  latencyMs: number;
  n: number;
  deleted: number;
  failed: number;
  status: string;
  wallMs: number;
  /** deletions/s over the whole run, and over the steady state (after the warm-up) */
  achievedOverR: number;
  steadyOverR: number;
  share429: number;
  steadyShare429: number;
  requests: number;
}

/** Item 2: the simulator's token bucket at R requests/s; the adaptive client against a fixed one. */
export async function rateLimit(sim: RemoteSimulator, mode: BenchMode): Promise<RateLimitRow[]> {
  const rps = mode.quick ? 100 : 200;
  const burst = rps;
  const latencyMs = 50;
  const n = mode.quick ? 400 : 20 * rps;
  const warmupMs = mode.quick ? 1_500 : 3_000;
  const rows: RateLimitRow[] = [];
  for (const [client, concurrency] of [
    ['adaptive', 64],
    ['fixed', 64],
    ['adaptive', 8],
  ] as const) {
    await sim.seed(n, 1);
    await sim.setLatency(latencyMs);
    await sim.setRateLimit({ rps, burst });
    const sink = new CountingSink();
    const api = new CoreWeaveClient({
      baseUrl: sim.url,
      tokens: new StaticTokenSource(sim.token),
      ...(client === 'fixed' ? { adaptiveRate: false } : {}),
    });
    const startedAt = Date.now();
    const t0 = performance.now();
    const summary = await runSweep({
      api,
      sink,
      clock: { now: Date.now },
      deadline: { budgetMs: () => mode.capMs * 2 - (performance.now() - t0) },
      policy: compilePolicy(parsePolicyJson(JSON.stringify(BENCH_POLICY), 'policy')),
      run: { runId: `rate-${client}-${concurrency}`, trigger: 'direct', dryRun: false },
      concurrency,
    });
    const wallMs = performance.now() - t0;
    const all = await sim.stats(startedAt);
    const steady = await sim.stats(startedAt + warmupMs);
    const deleted = summary.counts['gateway.deleted'] ?? 0;
    const steadySpan = ((steady.lastAt ?? 0) - (steady.firstAt ?? 0)) / 1000;
    rows.push({
      client,
      concurrency,
      rps,
      burst,
      latencyMs,
      n,
      deleted,
      failed: summary.counts['gateway.delete_failed'] ?? 0,
      status: summary.status,
      wallMs: Math.round(wallMs),
      achievedOverR: round(all.deletes200 / (wallMs / 1000) / rps, 3),
      steadyOverR: steadySpan > 0 ? round(steady.deletes200 / steadySpan / rps, 3) : 0,
      share429: round((all.byStatus['429'] ?? 0) / Math.max(1, all.total), 4),
      steadyShare429: round((steady.byStatus['429'] ?? 0) / Math.max(1, steady.total), 4),
      requests: all.total,
    });
    mode.log(`rate-limit ${JSON.stringify(rows.at(-1))}`);
  }
  await sim.setRateLimit(undefined);
  await sim.setLatency(0);
  return rows;
}
