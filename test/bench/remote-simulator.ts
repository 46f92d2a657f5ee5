import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { RateLimit } from '#simulator/server';
import type { RemoteStats, SimulatorCommand } from './simulator-process.ts';

/** The parent's handle on the simulator process. */
export interface RemoteSimulator {
  url: string;
  token: string;
  seed(count: number, expiredShare: number, seed?: number): Promise<void>;
  setLatency(ms: number): Promise<void>;
  setRateLimit(limit: RateLimit | undefined): Promise<void>;
  rotateToken(token: string): Promise<void>;
  /** Request counts; `sinceMs` is the simulator's Date.now() (same machine clock). */
  stats(sinceMs?: number): Promise<RemoteStats>;
  cpu(): Promise<NodeJS.CpuUsage>;
  close(): Promise<void>;
}

/** Forks the simulator process on 127.0.0.1 and waits until it listens. */
export async function startRemoteSimulator(): Promise<RemoteSimulator> {
  const child: ChildProcess = fork(
    fileURLToPath(new URL('./simulator-process.ts', import.meta.url)),
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const pending = new Map<number, (value: unknown) => void>();
  let nextId = 1;
  const ready = new Promise<{ url: string; token: string }>((resolve, reject) => {
    pending.set(0, resolve as (value: unknown) => void);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`simulator process exited (${code})`)));
  });
  child.on('message', (message: { id: number; value: unknown }) => {
    pending.get(message.id)?.(message.value);
    pending.delete(message.id);
  });
  const call = <T>(command: SimulatorCommand): Promise<T> =>
    new Promise<T>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve as (value: unknown) => void);
      child.send({ ...command, id });
    });
  const { url, token } = await ready;
  return {
    url,
    token,
    seed: (count, expiredShare, seed) => call({ op: 'seed', count, expiredShare, seed }),
    setLatency: (ms) => call({ op: 'latency', ms }),
    setRateLimit: (limit) => call({ op: 'rateLimit', limit }),
    rotateToken: (next) => call({ op: 'rotate', token: next }),
    stats: (sinceMs) => call({ op: 'stats', sinceMs }),
    cpu: () => call({ op: 'cpu' }),
    close: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ op: 'close', id: nextId++ });
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
      if (child.exitCode === null) child.kill();
    },
  };
}
