import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { median } from './bench-env.ts';
import type { Bundle } from './bundles.ts';
import type { RemoteSimulator } from './remote-simulator.ts';
import type { BenchMode } from './run.ts';

export interface ColdStartRow {
  name: string;
  rawBytes: number;
  zippedBytes: number;
  /** median wall time of a fresh `node` importing the bundle, minus the empty-process median */
  importOverBaselineMs: number;
  /** median CPU time (user + system) of the import itself, measured inside the process */
  importCpuMs: number;
  medianMs: number;
  runs: number;
}

/** Item 5: bundle sizes and import time in a fresh Node process, interleaved with a baseline. */
export async function coldStart(
  bundles: Bundle[],
  sim: RemoteSimulator,
  secretCalls: () => number,
  env: Record<string, string>,
  mode: BenchMode,
): Promise<{
  baselineMs: number;
  rows: ColdStartRow[];
  networkAtImport: { apiRequests: number; secretCalls: number };
}> {
  const runs = mode.quick ? 5 : 20;
  const times = new Map<string, number[]>([
    ['baseline', []],
    ...bundles.map((b) => [b.name, []] as [string, number[]]),
  ]);
  const cpuTimes = new Map<string, number[]>(bundles.map((b) => [b.name, []]));
  const apiBefore = (await sim.stats()).total;
  const secretsBefore = secretCalls();
  for (let run = 0; run < runs; run += 1) {
    // Interleaved, so that a burst of noise on the shared machine hits every variant alike.
    (times.get('baseline') as number[]).push((await timeNode('', env)).wallMs);
    for (const bundle of bundles) {
      const url = JSON.stringify(pathToFileURL(bundle.path).href);
      const code = `const c = process.cpuUsage(); await import(${url}); const d = process.cpuUsage(c); process.stdout.write(String((d.user + d.system) / 1000));`;
      const timed = await timeNode(code, env);
      (times.get(bundle.name) as number[]).push(timed.wallMs);
      (cpuTimes.get(bundle.name) as number[]).push(Number(timed.stdout));
    }
  }
  // Give any stray request started at import time the chance to arrive.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const networkAtImport = {
    apiRequests: (await sim.stats()).total - apiBefore,
    secretCalls: secretCalls() - secretsBefore,
  };
  const baselineMs = median(times.get('baseline') as number[]);
  const rows = bundles.map((bundle) => {
    const medianMs = median(times.get(bundle.name) as number[]);
    return {
      name: bundle.name,
      rawBytes: bundle.raw,
      zippedBytes: bundle.zipped,
      importOverBaselineMs: Math.round((medianMs - baselineMs) * 10) / 10,
      medianMs: Math.round(medianMs * 10) / 10,
      importCpuMs: Math.round(median(cpuTimes.get(bundle.name) as number[]) * 10) / 10,
      runs,
    };
  });
  mode.log(
    `cold-start baseline ${baselineMs} ${JSON.stringify(rows)} ${JSON.stringify(networkAtImport)}`,
  );
  return { baselineMs: Math.round(baselineMs * 10) / 10, rows, networkAtImport };
}

/** Wall time from spawn to exit of a fresh Node (the same binary as this one), and its stdout. */
function timeNode(
  code: string,
  env: Record<string, string>,
): Promise<{ wallMs: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (status) =>
      status === 0
        ? resolve({ wallMs: performance.now() - t0, stdout })
        : reject(new Error(`import failed (${status})`)),
    );
  });
}
