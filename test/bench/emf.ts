// POWERTOOLS_METRICS_DIR=<dir holding node_modules/@aws-lambda-powertools/metrics> \
//   node test/bench/emf.ts [--runs=21]
// Issue 22's embedded metric, two ways: the line written by hand
// (functions/adapters/logging/emf-metric.ts) and Powertools Metrics, each bundled with
// esbuild as the functions are (ESM, minified) and run in fresh Node processes: bundle
// bytes (and gzipped), import time, the first metric's time, RSS. Prints Markdown.
// Powertools Metrics is not a dependency; install it in a scratch directory to compare.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const arg = (name: string, fallback: string) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const runs = Number(arg('runs', '21'));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const powertools = process.env.POWERTOOLS_METRICS_DIR;
if (!powertools) throw new Error('set POWERTOOLS_METRICS_DIR (see the comment at the top)');

const SOURCES = {
  'by hand (emf-metric.ts)': [
    `import { emitMetric } from '${resolve('functions/adapters/logging/emf-metric.ts')}';`,
    "export const handler = async () => emitMetric('ExpiringWithin24h', 3, { namespace: 'GatewayJanitor/dev', service: 'gateway-janitor' });",
  ],
  'Powertools Metrics': [
    "import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';",
    "const metrics = new Metrics({ namespace: 'GatewayJanitor/dev', serviceName: 'gateway-janitor' });",
    "export const handler = async () => { metrics.addMetric('ExpiringWithin24h', MetricUnit.Count, 3); metrics.publishStoredMetrics(); };",
  ],
};

const dir = await mkdtemp(join(tmpdir(), 'emf-bench-'));
try {
  const rows: string[] = [];
  for (const [name, lines] of Object.entries(SOURCES)) {
    const entry = join(dir, `${rows.length}.ts`);
    const outfile = join(dir, `${rows.length}.mjs`);
    await writeFile(entry, lines.join('\n'));
    await build({
      entryPoints: [entry],
      bundle: true,
      minify: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      outfile,
      nodePaths: [join(powertools, 'node_modules')],
      logLevel: 'error',
    });
    const probe = `const t0 = performance.now(); const m = await import(${JSON.stringify(outfile)}); const t1 = performance.now(); await m.handler(); const t2 = performance.now(); process.stderr.write(JSON.stringify([t1 - t0, t2 - t1, process.memoryUsage().rss]));`;
    const samples = Array.from({ length: runs }, () => {
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', probe]);
      return JSON.parse(child.stderr.toString()) as [number, number, number];
    });
    const bytes = (await stat(outfile)).size;
    const gz = gzipSync(readFileSync(outfile)).length;
    rows.push(
      `| ${name} | ${bytes.toLocaleString('en')} | ${gz.toLocaleString('en')} | ${median(samples.map((s) => s[0])).toFixed(2)} | ${median(samples.map((s) => s[1])).toFixed(2)} | ${(median(samples.map((s) => s[2])) / 2 ** 20).toFixed(1)} |`,
    );
  }
  console.log('| way | bundle bytes | gzipped | import ms | first metric ms | RSS MB |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const row of rows) console.log(row);
} finally {
  await rm(dir, { recursive: true, force: true });
}
