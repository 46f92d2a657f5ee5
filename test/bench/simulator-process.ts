// The loopback simulator in a process of its own, driven over IPC, so that its CPU is
// not counted against the client being measured (the machine has 2 cores).
// Usage: fork('test/bench/simulator-process.ts') then send { op, ... } messages.
import { largeFleet } from '#simulator/large-fleet';
import { type RateLimit, type Simulator, startSimulator } from '#simulator/server';

export type SimulatorCommand =
  | { op: 'seed'; count: number; expiredShare: number; seed?: number }
  | { op: 'latency'; ms: number }
  | { op: 'rateLimit'; limit: RateLimit | undefined }
  | { op: 'rotate'; token: string }
  | { op: 'stats'; sinceMs?: number }
  | { op: 'cpu' }
  | { op: 'close' };

/** Counts of the requests seen (optionally only those that arrived after `sinceMs`). */
export interface RemoteStats {
  total: number;
  deletes200: number;
  byStatus: Record<string, number>;
  firstAt?: number;
  lastAt?: number;
}

const token = process.env.BENCH_SIM_TOKEN ?? 'bench-token-0000000000000000';
const simulator: Simulator = await startSimulator({
  token,
  // Gateways stay DELETING for the whole run: a repeat DELETE answers 200, never 404.
  deleteDelayMs: 3_600_000,
  latencyMs: 0,
});

function stats(sinceMs = 0): RemoteStats {
  const out: RemoteStats = { total: 0, deletes200: 0, byStatus: {} };
  for (const request of simulator.requests) {
    if (request.at < sinceMs) continue;
    out.total += 1;
    out.byStatus[request.status] = (out.byStatus[request.status] ?? 0) + 1;
    if (request.route === 'delete' && request.status === 200) out.deletes200 += 1;
    out.firstAt ??= request.at;
    out.lastAt = request.at;
  }
  return out;
}

process.on('message', (message: SimulatorCommand & { id: number }) => {
  const reply = (value: unknown) => process.send?.({ id: message.id, value });
  switch (message.op) {
    case 'seed':
      simulator.reset();
      simulator.seed(
        largeFleet({
          count: message.count,
          expiredShare: message.expiredShare,
          now: new Date(),
          seed: message.seed ?? 1,
        }),
      );
      return reply(true);
    case 'latency':
      simulator.setLatency(message.ms);
      return reply(true);
    case 'rateLimit':
      simulator.setRateLimit(message.limit);
      return reply(true);
    case 'rotate':
      return reply(simulator.rotateToken(message.token) && true);
    case 'stats':
      return reply(stats(message.sinceMs));
    case 'cpu':
      return reply(process.cpuUsage());
    case 'close':
      return void simulator.close().then(() => {
        reply(true);
        process.exit(0);
      });
  }
});
process.send?.({ id: 0, value: { url: simulator.url, token: simulator.token } });
