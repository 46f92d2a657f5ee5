import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const OUT = resolve('bench-results/build');

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
}

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
  const result = await build({
    entryPoints: { index: entry },
    outdir,
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
      js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
    },
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
    nodePaths: [resolve('node_modules')],
  });
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

export const bundlesExist = (bundles: Bundle[]) => bundles.every((b) => existsSync(b.path));
