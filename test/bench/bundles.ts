import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

/** Where the bench builds bundles and writes files its runs read. */
export const OUT = resolve('bench-results/build');

export interface Bundle {
  name: string;
  path: string;
  raw: number;
  zipped: number;
}

/** Builds sweep and teardown with the project's build (infra/build.ts) and reference bundles. */
export async function buildBundles(): Promise<Bundle[]> {
  await mkdir(OUT, { recursive: true });
  const { buildAll } = (await import('../../infra/build.ts')) as {
    buildAll(options: {
      outDir: string;
    }): Promise<Array<{ name: string; bundle: number; zip: number }>>;
  };
  const built = await buildAll({ outDir: OUT });
  const bundles: Bundle[] = built.map((b) => ({
    name: b.name,
    path: join(OUT, b.name, 'index.mjs'),
    raw: b.bundle,
    zipped: b.zip,
  }));
  for (const reference of REFERENCES) bundles.push(await buildReference(reference));
  return bundles;
}

/** A reference bundle: one library's import cost, built as the functions are (split ESM). */
export interface Reference {
  name: string;
  dir: string;
  source: string[];
  /** built with the Lambda bundles' own plugins and banner (infra/build.ts) */
  asTheFunctions?: boolean;
}

/** Where the functions' sources are, for reference bundles that import them. */
export const FUNCTIONS = resolve('functions');

const REFERENCES: Reference[] = [
  {
    // The floor of issue 15: nothing but the Secrets Manager client.
    name: 'sdk-only (reference)',
    dir: 'sdk-only',
    source: [
      "import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';",
      'const client = new SecretsManagerClient({});',
      'export const handler = async () => client.send(new GetSecretValueCommand({ SecretId: "x" }));',
    ],
  },
  {
    // zod classic against zod/mini, the same small schema, for the schema conversion.
    name: 'zod classic (reference)',
    dir: 'zod-classic',
    source: [
      "import { z } from 'zod';",
      'const s = z.object({ id: z.string().min(1), n: z.array(z.number().int()).optional() });',
      'export const handler = async (e) => s.parse(e);',
    ],
  },
  {
    name: 'zod/mini (reference)',
    dir: 'zod-mini',
    source: [
      "import * as z from 'zod/mini';",
      'const s = z.object({ id: z.string().check(z.minLength(1)), n: z.optional(z.array(z.number().check(z.int()))) });',
      'export const handler = async (e) => z.parse(s, e);',
    ],
  },
  {
    // The floor plus the HTTP client the design card names, taken as the functions take
    // it (infra/undici-lean.cjs, the HTTP/1.1 Agent): what undici alone adds to the floor.
    name: 'sdk + undici as the functions take it (reference)',
    dir: 'sdk-undici',
    asTheFunctions: true,
    source: [
      "import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';",
      `import { sendOnce, sharedDispatcher } from '${FUNCTIONS}/adapters/coreweave/send-once.ts';`,
      'const client = new SecretsManagerClient({});',
      'export const handler = async () => { const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: "x" }));',
      '  return sendOnce(sharedDispatcher(), { origin: "https://127.0.0.1", method: "GET", path: "/", token: SecretString, timeoutMs: 1000 }); };',
    ],
  },
  {
    // ... plus the functions' zod/mini schemas and their Powertools Logger: every library
    // the handlers load at init, without the janitor's own logic.
    name: 'sdk + undici + schemas + Logger (reference)',
    dir: 'sdk-libraries',
    asTheFunctions: true,
    source: [
      "import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';",
      `import { sendOnce, sharedDispatcher } from '${FUNCTIONS}/adapters/coreweave/send-once.ts';`,
      `import { parsePolicy } from '${FUNCTIONS}/core/policy/policy.ts';`,
      `import { loadSweepConfig } from '${FUNCTIONS}/config/load-config.ts';`,
      `import { parseListBody } from '${FUNCTIONS}/adapters/coreweave/wire-gateway.ts';`,
      `import { parseDeploymentListBody } from '${FUNCTIONS}/adapters/coreweave/wire-deployment.ts';`,
      `import { createLogger } from '${FUNCTIONS}/adapters/logging/create-logger.ts';`,
      'const client = new SecretsManagerClient({});',
      'const logger = createLogger();',
      'export const handler = async () => { const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: "x" }));',
      '  logger.info("x", { p: parsePolicy, c: loadSweepConfig, l: parseListBody, d: parseDeploymentListBody });',
      '  return sendOnce(sharedDispatcher(), { origin: "https://127.0.0.1", method: "GET", path: "/", token: SecretString, timeoutMs: 1000 }); };',
    ],
  },
  {
    name: 'Powertools Logger (reference)',
    dir: 'logger-only',
    source: [
      "import { Logger } from '@aws-lambda-powertools/logger';",
      "const logger = new Logger({ serviceName: 'x' });",
      "export const handler = async () => logger.info('x');",
    ],
  },
];

export async function buildReference(reference: Reference): Promise<Bundle> {
  const entry = join(OUT, `${reference.dir}-entry.mjs`);
  await writeFile(entry, reference.source.join('\n'));
  const outdir = join(OUT, reference.dir);
  await rm(outdir, { recursive: true, force: true });
  const { banner, lambdaPlugins, writeLlhttpWasm } = await import('../../infra/build.ts');
  const result = await build({
    entryPoints: { index: entry },
    outdir,
    ...(reference.asTheFunctions
      ? {
          plugins: lambdaPlugins(),
          define: { esbuildDetection: 'true' },
          absWorkingDir: resolve('.'),
        }
      : {}),
    outExtension: { '.js': '.mjs' },
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    minify: true,
    treeShaking: true,
    mainFields: ['module', 'main'],
    banner: {
      js: reference.asTheFunctions
        ? banner
        : "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
    },
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
    nodePaths: [resolve('node_modules')],
  });
  // undici's parser, read on the first connection, as in the functions' zips.
  if (reference.asTheFunctions) await writeLlhttpWasm(result.metafile, outdir);
  let raw = 0;
  let zipped = 0;
  for (const output of Object.keys(result.metafile.outputs)) {
    raw += (await stat(output)).size;
    zipped += await zipSize(output);
  }
  return { name: reference.name, path: join(outdir, 'index.mjs'), raw, zipped };
}

/** Deflated size of one file in a zip, as yazl writes it (the project's zipper); summed over files. */
async function zipSize(path: string): Promise<number> {
  const { ZipFile } = await import('yazl');
  const zip = new ZipFile();
  zip.addBuffer(await readFile(path), 'index.mjs', { mtime: new Date('2000-01-01T00:00:00Z') });
  zip.end();
  let size = 0;
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) size += chunk.length;
  return size;
}

/**
 * The sweep and teardown of a previous build (`--baseline=DIR`, a copy of `dist/`), named
 * "sweep (baseline)" and "teardown (baseline)"; sizes as for this build.
 */
export async function baselineBundles(dir: string): Promise<Bundle[]> {
  const bundles: Bundle[] = [];
  for (const name of ['sweep', 'teardown']) {
    const root = resolve(dir, name);
    if (!existsSync(join(root, 'index.mjs'))) throw new Error(`--baseline: no ${root}/index.mjs`);
    let raw = 0;
    for (const file of await readdir(root, { recursive: true })) {
      if (file.endsWith('.mjs')) raw += (await stat(join(root, file))).size;
    }
    const zipped = (await stat(resolve(dir, `${name}.zip`))).size;
    bundles.push({ name: `${name} (baseline)`, path: join(root, 'index.mjs'), raw, zipped });
  }
  return bundles;
}

export const bundlesExist = (bundles: Bundle[]) => bundles.every((b) => existsSync(b.path));
