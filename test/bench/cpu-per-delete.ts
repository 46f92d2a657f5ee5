import { CoreWeaveClient } from '#adapters/coreweave/client';
import { StaticTokenSource } from '#adapters/static-token-source';
import { mapBounded } from '#core/map-bounded';
import { sequentialUuid } from '#simulator/prng';
import type { RemoteSimulator } from './remote-simulator.ts';
import type { BenchMode } from './run.ts';

export interface CpuRow {
  variant: string;
  concurrency: number;
  deletes: number;
  ok: number;
  wallMs: number;
  cpuUsPerDelete: number;
  userUsPerDelete: number;
}

const GATEWAYS = '/v1alpha1/inference/gateways';
const forever = { budgetMs: () => Number.POSITIVE_INFINITY };

/** Item 3: CPU per DELETE of our client at C=64, against global fetch and a sequential loop. */
export async function cpuPerDelete(
  sim: RemoteSimulator,
  mode: BenchMode,
): Promise<{ rows: CpuRow[]; roundTripMs: { median: number; p90: number; max: number } }> {
  const latencyMs = 20;
  const n = mode.quick ? 500 : 4_000;
  const sequentialN = mode.quick ? 50 : 300;
  await sim.seed(n, 1);
  await sim.setLatency(latencyMs);
  const ids = Array.from({ length: n }, (_, i) => sequentialUuid(1, i));
  const client = new CoreWeaveClient({
    baseUrl: sim.url,
    tokens: new StaticTokenSource(sim.token),
  });
  const viaFetch = async (id: string) => {
    const response = await fetch(`${sim.url}${GATEWAYS}/${id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${sim.token}`, accept: 'application/json' },
    });
    await response.json();
    return response.status === 200;
  };
  const variants: Array<[string, number, number, (id: string) => Promise<boolean>]> = [
    [
      'our client (undici request, zod parse, retry policy)',
      64,
      n,
      async (id) => (await client.delete(id, forever)).kind === 'deleted',
    ],
    ['global fetch + res.json()', 64, n, viaFetch],
    ['naive sequential loop (fetch, one at a time)', 1, sequentialN, viaFetch],
  ];
  // A warm-up pass of each, so JIT and connection setup are not billed to the first variant.
  for (const [, concurrency, , work] of variants)
    await mapBounded(ids.slice(0, 200), concurrency, async (id) => void (await work(id)));
  const rows: CpuRow[] = [];
  for (const [variant, concurrency, count, work] of variants) {
    let ok = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await mapBounded(ids.slice(0, count), concurrency, async (id) => {
      if (await work(id)) ok += 1;
    });
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    rows.push({
      variant,
      concurrency,
      deletes: count,
      ok,
      wallMs: Math.round(wallMs),
      cpuUsPerDelete: Math.round((cpu.user + cpu.system) / count),
      userUsPerDelete: Math.round(cpu.user / count),
    });
    mode.log(`cpu ${JSON.stringify(rows.at(-1))}`);
  }
  // The floor under every latency: one sequential round trip with no simulated latency.
  await sim.setLatency(0);
  const roundTrips: number[] = [];
  for (const id of ids.slice(0, mode.quick ? 50 : 300)) {
    const t0 = performance.now();
    await client.delete(id, forever);
    roundTrips.push(performance.now() - t0);
  }
  roundTrips.sort((a, b) => a - b);
  const pick = (q: number) =>
    Math.round((roundTrips[Math.floor(q * (roundTrips.length - 1))] as number) * 100) / 100;
  mode.log(`cpu round trip at L=0: median ${pick(0.5)} ms, p90 ${pick(0.9)} ms`);
  return { rows, roundTripMs: { median: pick(0.5), p90: pick(0.9), max: pick(1) } };
}
