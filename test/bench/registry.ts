// node --expose-gc test/bench/registry.ts [--sizes=1000,10000] [--runs=5] [--import-runs=15]
// Issue 21's registry costs: one snapshot of N leases against dynalite on loopback (wall
// time, heap and RSS growth, read units as DynamoDB reports them, pages), and what
// importing the DynamoDB client adds to a fresh Node process. Prints Markdown.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { build } from 'esbuild';
import { DynamoDbRegistryStore } from '#adapters/aws/dynamodb-registry';
import { createRegistry } from '#core/registry/create-registry';
import { encodeLease } from '#core/registry/registry-codec';
import type { StoredItem } from '#core/registry-port';
import { localClient, startLocalDynamoDb } from '#test/support/local-dynamodb';

const arg = (name: string, fallback: string) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const sizes = arg('sizes', '1000,10000').split(',').map(Number);
const runs = Number(arg('runs', '5'));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

// A lease as the CLI writes it: owner, purpose, creator, name, createdAt.
function leaseItem(i: number, now: number): StoredItem {
  return encodeLease({
    gatewayId: randomUUID(),
    expiresAt: now + (i % 30) * 86_400_000 + 3_600_000,
    owner: `team-${i % 40}@example.com`,
    purpose: `preview for PR ${10_000 + i}: load test of the ranking model`,
    createdBy: `user-${i % 200}`,
    identity: { name: `pr-${10_000 + i}-preview`, createdAt: now - 86_400_000 },
    version: 1,
  });
}

/**
 * One snapshot: its time, and the heap it holds (after a full collection, with the
 * snapshot still in use). In a function of its own: a top-level await kept its result
 * reachable after the last reference went.
 */
async function measured(registry: ReturnType<typeof createRegistry>) {
  globalThis.gc?.();
  const before = process.memoryUsage().heapUsed;
  const start = performance.now();
  const snapshot = await registry.snapshot();
  const ms = performance.now() - start;
  globalThis.gc?.();
  const heldBytes = process.memoryUsage().heapUsed - before;
  return { ms, heldBytes, stats: snapshot.stats };
}

const db = await startLocalDynamoDb();
const doc = DynamoDBDocumentClient.from(db.client);
const rows: string[] = [];
try {
  for (const size of sizes) {
    const tableName = `bench-${size}`;
    await db.createTable(tableName);
    const now = Date.now();
    const items = Array.from({ length: size }, (_, i) => leaseItem(i, now));
    for (let i = 0; i < items.length; i += 25 * 8) {
      await Promise.all(
        Array.from({ length: 8 }, (_, k) => items.slice(i + k * 25, i + (k + 1) * 25))
          .filter((batch) => batch.length > 0)
          .map((batch) =>
            doc.send(
              new BatchWriteCommand({
                RequestItems: { [tableName]: batch.map((Item) => ({ PutRequest: { Item } })) },
              }),
            ),
          ),
      );
    }
    const bytes = items.reduce((sum, item) => sum + JSON.stringify(item).length, 0);
    const registry = createRegistry(
      new DynamoDbRegistryStore({ tableName, client: localClient(db.endpoint) }),
    );
    await registry.snapshot();
    const times: number[] = [];
    const heaps: number[] = [];
    let stats = { items: 0, pages: 0, readUnits: 0 };
    for (let run = 0; run < runs; run += 1) {
      const run = await measured(registry);
      times.push(run.ms);
      heaps.push(run.heldBytes);
      stats = run.stats;
    }
    rows.push(
      `| ${size.toLocaleString('en')} | ${mb(bytes)} | ${median(times).toFixed(0)} | ${mb(median(heaps))} | ${stats.pages} | ${stats.readUnits} |`,
    );
  }
} finally {
  await db.close();
}

console.log(
  `Registry snapshot against dynalite 4 on 127.0.0.1 (median of ${runs}; Node ${process.version})\n`,
);
console.log(
  '| leases | items (MB, as JSON) | snapshot ms | heap held, MB | pages | read units (strongly consistent) |',
);
console.log('|---:|---:|---:|---:|---:|---:|');
for (const row of rows) console.log(row);

// Import cost: a fresh process importing the client (and the document client) against an
// empty one, interleaved so load on the machine hits both alike.
const importRuns = Number(arg('import-runs', '15'));
const probe = (code: string) => {
  const out = spawnSync(process.execPath, ['--input-type=module', '-e', code], {
    encoding: 'utf8',
  });
  return Number(out.stdout.trim());
};
const measureImport = (modules: string[]) =>
  `const t = performance.now(); ${modules.map((m) => `await import('${m}');`).join(' ')} console.log(performance.now() - t);`;
// The same two packages bundled and minified as the build bundles the functions.
const dir = await mkdtemp(join(tmpdir(), 'registry-bench-'));
const bundle = join(dir, 'dynamodb.mjs');
await build({
  stdin: {
    contents:
      "export { DynamoDBClient } from '@aws-sdk/client-dynamodb'; export { DynamoDBDocumentClient, ScanCommand, GetCommand, PutCommand, DeleteCommand, UpdateCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';",
    resolveDir: process.cwd(),
  },
  outfile: bundle,
  bundle: true,
  platform: 'node',
  target: 'node24',
  format: 'esm',
  minify: true,
  logLevel: 'error',
  banner: {
    js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  },
});
const bundleBytes = (await stat(bundle)).size;
const cases = {
  'nothing (empty import)': measureImport([]),
  '@aws-sdk/client-dynamodb': measureImport(['@aws-sdk/client-dynamodb']),
  '+ @aws-sdk/lib-dynamodb': measureImport(['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb']),
  [`both, bundled and minified (${(bundleBytes / 1024).toFixed(0)} KB)`]: measureImport([
    pathToFileURL(bundle).href,
  ]),
};
const samples = new Map<string, number[]>(Object.keys(cases).map((k) => [k, []]));
for (let run = 0; run < importRuns; run += 1) {
  for (const [name, code] of Object.entries(cases)) samples.get(name)?.push(probe(code));
}
await rm(dir, { recursive: true, force: true });
console.log(`\nImport in a fresh process (median of ${importRuns}, interleaved)\n`);
console.log('| import | ms |');
console.log('|---|---:|');
for (const [name, xs] of samples) console.log(`| ${name} | ${median(xs).toFixed(1)} |`);
