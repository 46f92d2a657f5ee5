// npm run bench [-- --quick] [-- --only=throughput,rate-limit,...] [-- --baseline-ref=REF]
// Benchmarks against the loopback simulator: prints a Markdown report and writes JSON to
// bench-results/. Reports numbers and ratios; never fails on times. Parts: throughput,
// rate-limit, cpu, secrets, memory, audit, imports, cost, peers, proof.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { auditBytes, compactAuditBytes } from './audit-bytes.ts';
import { startSecrets } from './bench-env.ts';
import { baselineBundles, buildBundles } from './bundles.ts';
import { coldStart } from './cold-start.ts';
import { cpuPerDelete } from './cpu-per-delete.ts';
import { LAMBDA_ENV, memory } from './memory.ts';
import { orgCost } from './org-cost.ts';
import { peers } from './peers.ts';
import { proofCost } from './proof-cost.ts';
import { rateLimit } from './rate-limit.ts';
import { startRemoteSimulator } from './remote-simulator.ts';
import { report } from './report.ts';
import { secretFetches } from './secret-fetches.ts';
import { throughput } from './throughput.ts';

export interface BenchMode {
  quick: boolean;
  /** the longest any one load loop may start new work */
  capMs: number;
  log(line: string): void;
}

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');
const mode: BenchMode = {
  quick,
  capMs: quick ? 3_000 : 20_000,
  log: (line) => process.stderr.write(`${line}\n`),
};
const wanted = (name: string) => !only || only.includes(name);
// Another commit's sweep and teardown, built by that commit's infra/build.ts and imported in
// the same interleaved runs as this checkout's, for before/after ratios on a loaded machine.
const baselineRef = args.find((a) => a.startsWith('--baseline-ref='))?.slice(15);
// Made before any part runs: some parts (peers' curl id list) write into it themselves.
await mkdir('bench-results', { recursive: true });

const sim = await startRemoteSimulator();
const secrets = await startSecrets(sim.token);
const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  quick,
  machine: {
    nproc: cpus().length,
    model: cpus()[0]?.model,
    memoryMB: Math.round(totalmem() / 2 ** 20),
    node: process.version,
    loadavg: loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
  },
};
try {
  if (wanted('throughput')) results.throughput = await throughput(sim, mode);
  if (wanted('rate-limit')) results.rateLimit = await rateLimit(sim, mode);
  if (wanted('cpu')) results.cpu = await cpuPerDelete(sim, mode);
  if (wanted('secrets')) results.secrets = await secretFetches(sim, secrets, mode);
  const needsBuild = wanted('memory') || wanted('imports') || wanted('audit') || wanted('cost');
  const bundles = needsBuild ? await buildBundles() : [];
  if (needsBuild && baselineRef) bundles.push(...(await baselineBundles(baselineRef)));
  if (wanted('memory') || wanted('audit')) {
    const sweepBundle = bundles.find((b) => b.name === 'sweep');
    if (!sweepBundle) throw new Error('no sweep bundle was built');
    const baseEnv = {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER ?? '',
    };
    const mem = await memory(sim, sweepBundle.path, baseEnv, mode);
    results.memory = mem.rows;
    results.audit = auditBytes(mem.stdouts.join('\n'));
    results.auditCompact = await compactAuditBytes(sim, 100, LAMBDA_ENV);
    mode.log(
      `audit ${JSON.stringify(results.audit)} compact ${JSON.stringify(results.auditCompact)}`,
    );
  }
  if (wanted('imports')) {
    results.coldStart = await coldStart(
      bundles,
      sim,
      () => secrets.calls.length,
      {
        COREWEAVE_API_URL: sim.url,
        COREWEAVE_TOKEN_SECRET_ID: 'bench/coreweave-token',
        JANITOR_POLICY: '{"rules":[]}',
        DRY_RUN: 'false',
      },
      mode,
    );
  }
  if (wanted('cost')) results.cost = await orgCost(bundles, sim, mode);
  if (wanted('peers')) results.peers = await peers(sim, mode);
  if (wanted('proof')) results.proof = await proofCost(sim, mode);
} finally {
  await secrets.close();
  await sim.close();
}
const file = `bench-results/bench-${results.date as string}.json`.replaceAll(':', '-');
await writeFile(file, JSON.stringify(results, null, 2));
await writeFile('bench-results/latest.json', JSON.stringify(results, null, 2));
const markdown = report(results);
await writeFile('bench-results/latest.md', markdown);
console.log(markdown);
mode.log(`wrote ${file}, bench-results/latest.json and bench-results/latest.md`);
process.exit(0);
