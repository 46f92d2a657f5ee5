import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { BENCH_POLICY, SECRET_ID } from './bench-env.ts';
import type { RemoteSimulator } from './remote-simulator.ts';
import type { BenchMode } from './run.ts';

export interface MemoryRow {
  listed: number;
  nodeFlags: string;
  expired: number;
  deleted: number;
  maxRssMB: number;
  rssBeforeImportMB: number;
  invokeMs: number;
  importMs: number;
}

export interface SweepProcessRun {
  row: MemoryRow;
  /** the function's stdout: its JSON log lines, audit records among them */
  stdout: string;
}

// One cold invocation in a fresh process, as a Lambda execution environment runs it:
// imports the built bundle, invokes it once with BENCH_EVENT, writes the result and the
// peak RSS to a file; stdout carries the function's log lines. Plain JavaScript passed
// with -e, so the measured process loads no TypeScript stripper.
const INVOKE_PROCESS = `
import { writeFile } from 'node:fs/promises';
const rssBeforeImport = process.memoryUsage().rss;
const t0 = performance.now();
const { handler } = await import(process.env.BENCH_BUNDLE_URL);
const importMs = performance.now() - t0;
const end = Date.now() + 900000;
const t1 = performance.now();
let outcome;
try {
  outcome = { ok: true, result: await handler(JSON.parse(process.env.BENCH_EVENT), { awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678', getRemainingTimeInMillis: () => end - Date.now() }) };
} catch (error) {
  outcome = { ok: false, error: String(error) };
}
const invokeMs = performance.now() - t1;
// ru_maxrss: the high-water mark of the whole process, in KB on Linux.
await writeFile(process.env.BENCH_RESULT_FILE, JSON.stringify({ outcome, importMs, invokeMs, rssBeforeImport, maxRss: process.resourceUsage().maxRSS * 1024 }));
process.exit(0);
`;

/** Lambda-like environment for the function's process: what Powertools Logger reads. */
export const LAMBDA_ENV = {
  AWS_LAMBDA_FUNCTION_NAME: 'gateway-janitor-dev-sweep',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  _X_AMZN_TRACE_ID:
    'Root=1-6745a1b2-3c4d5e6f7a8b9c0d1e2f3a4b;Parent=53995c3f42cd8ad8;Sampled=0;Lineage=1:e2b1c3d4:0',
  POWERTOOLS_SERVICE_NAME: 'gateway-janitor',
};

/** What one cold invocation in a fresh process took and wrote. */
export interface ProcessRun {
  outcome: { ok: boolean; result?: unknown; error?: string };
  importMs: number;
  invokeMs: number;
  rssBeforeImport: number;
  maxRss: number;
  /** the function's stdout: its JSON log lines, audit records among them */
  stdout: string;
}

/** One cold invocation of a built bundle in a fresh process, with `event` and `env`. */
export async function invokeInProcess(
  bundlePath: string,
  event: unknown,
  env: Record<string, string>,
  nodeFlags: string[] = [],
): Promise<ProcessRun> {
  const resultFile = `bench-results/invoke-process-${process.pid}.json`;
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...nodeFlags, '--input-type=module', '-e', INVOKE_PROCESS],
      {
        env: {
          ...process.env,
          ...LAMBDA_ENV,
          ...env,
          BENCH_EVENT: JSON.stringify(event),
          BENCH_RESULT_FILE: resultFile,
          BENCH_BUNDLE_URL: pathToFileURL(bundlePath).href,
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    const timer = setTimeout(() => child.kill(), 300_000);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
  const result = JSON.parse(await readFile(resultFile, 'utf8')) as Omit<ProcessRun, 'stdout'>;
  return { ...result, stdout };
}

/** Item 4 (and the audit lines of item 7): one cold sweep of the built bundle in a fresh process. */
export async function sweepInProcess(
  sim: RemoteSimulator,
  bundlePath: string,
  listed: number,
  expiredShare: number,
  baseEnv: Record<string, string>,
  nodeFlags: string[] = [],
  latencyMs = 10,
): Promise<SweepProcessRun> {
  await sim.seed(listed, expiredShare);
  await sim.setLatency(latencyMs);
  const env = {
    ...baseEnv,
    COREWEAVE_API_URL: sim.url,
    COREWEAVE_TOKEN_SECRET_ID: SECRET_ID,
    JANITOR_POLICY: JSON.stringify(BENCH_POLICY),
    DRY_RUN: 'false',
    DELETE_CONCURRENCY: '64',
  };
  const { stdout, ...result } = await invokeInProcess(bundlePath, {}, env, nodeFlags);
  await sim.setLatency(0);
  const counts = result.outcome.result as
    | { counts: Record<string, number>; expired: number }
    | undefined;
  if (!result.outcome.ok)
    throw new Error(`sweep process failed: ${JSON.stringify(result.outcome)}`);
  const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
  return {
    row: {
      listed,
      nodeFlags: nodeFlags.join(' ') || '(none)',
      expired: counts?.expired ?? 0,
      deleted: counts?.counts['gateway.deleted'] ?? 0,
      maxRssMB: mb(result.maxRss),
      rssBeforeImportMB: mb(result.rssBeforeImport),
      invokeMs: Math.round(result.invokeMs),
      importMs: Math.round(result.importMs),
    },
    stdout,
  };
}

/** Item 4: peak RSS over 10,000 and 100,000 listed gateways, 1% expired. */
export async function memory(
  sim: RemoteSimulator,
  bundlePath: string,
  baseEnv: Record<string, string>,
  mode: BenchMode,
): Promise<{ rows: MemoryRow[]; stdouts: string[] }> {
  const rows: MemoryRow[] = [];
  const stdouts: string[] = [];
  // A 128 MB function leaves V8 less room than an unconstrained process takes: the second
  // run of each size caps the heap the way a small function would have it.
  const small = ['--max-old-space-size=96', '--max-semi-space-size=4'];
  const runs: Array<[number, string[]]> = mode.quick
    ? [
        [2_000, []],
        [2_000, small],
      ]
    : [
        [10_000, []],
        [10_000, small],
        [100_000, []],
      ];
  for (const [listed, flags] of runs) {
    const run = await sweepInProcess(sim, bundlePath, listed, 0.01, baseEnv, flags);
    rows.push(run.row);
    stdouts.push(run.stdout);
    mode.log(`memory ${JSON.stringify(run.row)}`);
  }
  return { rows, stdouts };
}
