import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const OUT = resolve('bench-results/build');

export interface Bundle {
  name: string;
  path: string;
  raw: number;
  zipped: number;
}

/** Builds sweep and teardown with the project's build (infra/build.ts) and an SDK-only reference. */
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
  // The reference: nothing but the Secrets Manager client, built with the same settings.
  const entry = join(OUT, 'sdk-only-entry.mjs');
  await writeFile(
    entry,
    [
      "import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';",
      'const client = new SecretsManagerClient({});',
      'export const handler = async () => client.send(new GetSecretValueCommand({ SecretId: "x" }));',
    ].join('\n'),
  );
  const sdkPath = join(OUT, 'sdk-only', 'index.mjs');
  await build({
    entryPoints: [entry],
    outfile: sdkPath,
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
    nodePaths: [resolve('node_modules')],
  });
  bundles.push({
    name: 'sdk-only (reference)',
    path: sdkPath,
    raw: (await stat(sdkPath)).size,
    zipped: await zipSize(sdkPath),
  });
  return bundles;
}

/** Deflated size of one file in a zip, as yazl writes it (the project's zipper). */
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
