import { measureSweep } from './bench-env.ts';
import type { RemoteSimulator } from './remote-simulator.ts';
import type { BenchMode } from './run.ts';

export interface ThroughputRow {
  n: number;
  latencyMs: number;
  concurrency: number;
  deleted: number;
  status: string;
  wallMs: number;
  deletePhaseMs: number;
  /** deletions per second over the delete phase */
  rate: number;
  ideal: number;
  ratio: number;
  endToEndRate: number;
  clientCpuUsPerDelete: number;
  simulatorCpuShare: number;
}

/** Item 1: live sweeps over N expired gateways at latency L and concurrency C. */
export async function throughput(sim: RemoteSimulator, mode: BenchMode): Promise<ThroughputRow[]> {
  const rows: ThroughputRow[] = [];
  for (const n of mode.quick ? [300] : [1_000, 10_000]) {
    for (const latencyMs of mode.quick ? [50] : [50, 200]) {
      for (const concurrency of mode.quick ? [8, 64] : [8, 64, 256]) {
        await sim.seed(n, 1);
        await sim.setLatency(latencyMs);
        const simCpu0 = await sim.cpu();
        const m = await measureSweep(sim, concurrency, mode.capMs);
        const simCpu1 = await sim.cpu();
        const deleted = m.result.counts['gateway.deleted'] ?? 0;
        const rate = deleted / (m.deletePhaseMs / 1000);
        const ideal = concurrency / (latencyMs / 1000);
        const simUs = simCpu1.user + simCpu1.system - simCpu0.user - simCpu0.system;
        rows.push({
          n,
          latencyMs,
          concurrency,
          deleted,
          status: m.result.status,
          wallMs: Math.round(m.wallMs),
          deletePhaseMs: Math.round(m.deletePhaseMs),
          rate: Math.round(rate),
          ideal,
          ratio: round(rate / ideal, 3),
          endToEndRate: Math.round(deleted / (m.wallMs / 1000)),
          clientCpuUsPerDelete: Math.round(m.cpuUs / Math.max(1, deleted)),
          simulatorCpuShare: round(simUs / 1000 / m.wallMs, 2),
        });
        mode.log(
          `throughput N=${n} L=${latencyMs} C=${concurrency}: ${JSON.stringify(rows.at(-1))}`,
        );
      }
    }
  }
  await sim.setLatency(0);
  return rows;
}

export const round = (value: number, digits: number) => Number(value.toFixed(digits));
