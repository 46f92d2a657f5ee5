import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { sequentialUuid } from '#simulator/prng';
import { measureSweep } from './bench-env.ts';
import type { RemoteSimulator } from './remote-simulator.ts';
import type { BenchMode } from './run.ts';

export interface PeerRow {
  peer: string;
  deletes: number;
  wallMs: number;
  cpuMs: number;
  requests: number;
  status429: number;
  failed: number;
  deletionsPerSecond: number;
  note?: string;
}

const GATEWAYS = '/v1alpha1/inference/gateways';

/**
 * Item 8: the same job (N expired gateways, L = 50 ms, R requests/s) done by our sweep,
 * an unbounded Promise.all of fetch, and a sequential curl loop (bounded; extrapolated).
 */
export async function peers(sim: RemoteSimulator, mode: BenchMode): Promise<PeerRow[]> {
  const n = mode.quick ? 300 : 1_000;
  const curlN = mode.quick ? 20 : 200;
  const limit = { rps: 200, burst: 200 };
  const setup = async (count: number) => {
    await sim.seed(count, 1);
    await sim.setLatency(50);
    await sim.setRateLimit(limit);
  };
  const rows: PeerRow[] = [];

  await setup(n);
  let since = Date.now();
  const sweep = await measureSweep(sim, 64, mode.capMs * 3);
  let stats = await sim.stats(since);
  const swept = sweep.result.counts['gateway.deleted'] ?? 0;
  rows.push({
    peer: 'gateway-janitor sweep (C=64, adaptive rate)',
    deletes: swept,
    wallMs: Math.round(sweep.wallMs),
    cpuMs: Math.round(sweep.cpuUs / 1000),
    requests: stats.total,
    status429: stats.byStatus['429'] ?? 0,
    failed: sweep.result.counts['gateway.delete_failed'] ?? 0,
    deletionsPerSecond: Math.round(swept / (sweep.wallMs / 1000)),
  });

  await setup(n);
  since = Date.now();
  const ids = Array.from({ length: n }, (_, i) => sequentialUuid(1, i));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const outcomes = await Promise.all(
    ids.map(async (id) => {
      try {
        const response = await fetch(`${sim.url}${GATEWAYS}/${id}`, {
          method: 'DELETE',
          headers: { authorization: `Bearer ${sim.token}` },
          signal: AbortSignal.timeout(30_000),
        });
        await response.arrayBuffer();
        return response.status;
      } catch {
        return 0;
      }
    }),
  );
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  stats = await sim.stats(since);
  const ok = outcomes.filter((s) => s === 200).length;
  rows.push({
    peer: 'unbounded Promise.all(fetch), no retry',
    deletes: ok,
    wallMs: Math.round(wallMs),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    requests: stats.total,
    status429: stats.byStatus['429'] ?? 0,
    failed: n - ok,
    deletionsPerSecond: Math.round(ok / (wallMs / 1000)),
  });

  await setup(curlN);
  since = Date.now();
  const idFile = 'bench-results/curl-ids.txt';
  await mkdir(dirname(idFile), { recursive: true });
  await writeFile(idFile, `${ids.slice(0, curlN).join('\n')}\n`);
  const curl = await curlLoop(sim, idFile);
  stats = await sim.stats(since);
  const curlOk = curl.codes.filter((c) => c === '200').length;
  rows.push({
    peer: 'sequential curl loop (bash, one curl process per DELETE)',
    deletes: curlOk,
    wallMs: Math.round(curl.wallMs),
    cpuMs: Math.round(curl.cpuMs),
    requests: stats.total,
    status429: stats.byStatus['429'] ?? 0,
    failed: curlN - curlOk,
    deletionsPerSecond: round1(curlOk / (curl.wallMs / 1000)),
    note: `${curlN} deletions run; ${n} would take about ${Math.round((curl.wallMs * n) / curlN / 1000)} s (extrapolated)`,
  });
  await sim.setRateLimit(undefined);
  await sim.setLatency(0);
  for (const row of rows) mode.log(`peers ${JSON.stringify(row)}`);
  return rows;
}

/** Runs the loop in bash; `times` reports the CPU of bash and all its curl children. */
async function curlLoop(sim: RemoteSimulator, idFile: string) {
  const script = `while read -r id; do curl -s -o /dev/null -w '%{http_code}\\n' --max-time 30 -X DELETE -H "Authorization: Bearer $TOKEN" "$URL${GATEWAYS}/$id"; done < "$IDS"; times`;
  const t0 = performance.now();
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn('bash', ['-c', script], {
      env: { PATH: process.env.PATH, TOKEN: sim.token, URL: sim.url, IDS: idFile },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    const timer = setTimeout(() => child.kill(), 300_000);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(text);
    });
  });
  const wallMs = performance.now() - t0;
  const lines = output.trim().split('\n');
  const codes = lines.filter((line) => /^\d{3}$/.test(line));
  // `times`: two lines "XmY.YYYs XmY.YYYs" (shell user/sys, then children user/sys).
  let cpuMs = 0;
  for (const match of output.matchAll(/(\d+)m([\d.]+)s/g))
    cpuMs += (Number(match[1]) * 60 + Number(match[2])) * 1000;
  return { codes, wallMs, cpuMs };
}

const round1 = (value: number) => Math.round(value * 10) / 10;
