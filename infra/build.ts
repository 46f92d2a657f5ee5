import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { ZipFile } from 'yazl';
import { trimSourceMap } from './trim-source-map.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

/**
 * The Lambda entries serverless.yml packages: `dist/<name>.zip` holds `index.mjs` and
 * the chunks it imports (`chunks/*.mjs`), with source maps of our own code only.
 * Dependencies are bundled as published, through their documented entry points: no
 * plugin rewrites or stands in for their code (docs/benchmarks.md, "Dependencies as published").
 */
const ENTRIES = ['sweep', 'teardown'] as const;

// ESM bundles of CommonJS dependencies (the AWS SDK and undici among them) call `require`
// for Node built-ins; ESM has none, so the bundle makes one (esbuild's documented banner).
export const banner =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/** Size of one function's artifacts, in bytes. */
export interface BundleSize {
  name: string;
  /** index.mjs and every chunk, before zipping */
  bundle: number;
  zip: number;
}

/** Where to build; tests build into a directory of their own. */
export interface BuildOptions {
  outDir?: string;
  /** false keeps names and a `// node_modules/...` comment per module, for profiling */
  minify?: boolean;
}

/** Bundles each entry with esbuild (AWS SDK included, pinned by the lockfile) and zips it. */
export async function buildAll({
  outDir = dist,
  minify = true,
}: BuildOptions = {}): Promise<BundleSize[]> {
  const sizes: BundleSize[] = [];
  for (const name of ENTRIES) {
    const entry = join(root, 'functions', `${name}.ts`);
    if (!existsSync(entry)) {
      console.warn(`build: skipping ${name}: ${relative(root, entry)} does not exist yet`);
      continue;
    }
    sizes.push(await buildOne(name, entry, outDir, minify));
  }
  return sizes;
}

async function buildOne(
  name: string,
  entry: string,
  outDir: string,
  minify: boolean,
): Promise<BundleSize> {
  const outdir = join(outDir, name);
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  const result = await build({
    entryPoints: { index: entry },
    outdir,
    absWorkingDir: root,
    outExtension: { '.js': '.mjs' },
    // Split: what the code (the AWS SDK's credential providers among it) imports only
    // lazily goes into chunks of its own, loaded when first used instead of at init
    // (docs/benchmarks.md, "Import cost and zip size, before and after").
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    minify,
    // Not linked from the code: the map is for decoding a stack trace offline; linking
    // it under --enable-source-maps cost ~10% of the import's CPU (an earlier round of
    // docs/benchmarks.md, in its git history).
    sourcemap: 'external',
    sourcesContent: false,
    treeShaking: true,
    mainFields: ['module', 'main'],
    banner: { js: banner },
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  await writeFile(join(outDir, `${name}.meta.json`), JSON.stringify(result.metafile));
  const outputs = Object.keys(result.metafile.outputs)
    .map((output) => resolve(root, output))
    .filter((output) => output.endsWith('.mjs'))
    .sort();
  const files: { path: string; name: string }[] = [];
  for (const output of outputs) {
    const mapPath = `${output}.map`;
    const map = trimSourceMap(
      JSON.parse(await readFile(mapPath, 'utf8')),
      (source) => !source.includes('node_modules/'),
    );
    const inZip = relative(outdir, output).split(sep).join('/');
    files.push({ path: output, name: inZip });
    if (map.sources.length > 0) {
      await writeFile(mapPath, JSON.stringify(map));
      files.push({ path: mapPath, name: `${inZip}.map` });
    } else {
      // A chunk of library code only: its map would be empty, so it ships without one.
      await rm(mapPath);
    }
  }
  const zipPath = join(outDir, `${name}.zip`);
  await zipFiles(zipPath, files);
  let bundle = 0;
  for (const output of outputs) bundle += (await stat(output)).size;
  return { name, bundle, zip: (await stat(zipPath)).size };
}

async function zipFiles(zipPath: string, files: { path: string; name: string }[]): Promise<void> {
  const zip = new ZipFile();
  // A fixed mtime and mode keep the zip byte-identical across builds of the same code,
  // so an unchanged function is not redeployed.
  const mtime = new Date('2000-01-01T00:00:00Z');
  for (const file of files) {
    zip.addBuffer(await readFile(file.path), file.name, { mtime, mode: 0o100644 });
  }
  zip.end();
  await new Promise<void>((done, fail) => {
    const out = createWriteStream(zipPath);
    out.on('close', done).on('error', fail);
    zip.outputStream.on('error', fail).pipe(out);
  });
}

/** The largest inputs of a bundle, for a quick look at what makes it big. */
export function largestInputs(metafile: Metafile, count: number): [string, number][] {
  const byPackage = new Map<string, number>();
  for (const [path, input] of Object.entries(metafile.inputs)) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
    const key = match?.[1] ?? 'functions';
    byPackage.set(key, (byPackage.get(key) ?? 0) + input.bytes);
  }
  return [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, count);
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const sizes = await buildAll();
  for (const size of sizes) {
    console.log(
      `dist/${size.name}/index.mjs ${kb(size.bundle)}  dist/${size.name}.zip ${kb(size.zip)}`,
    );
  }
  if (process.argv.includes('--analyze')) {
    for (const size of sizes) {
      const meta = JSON.parse(
        await readFile(join(dist, `${size.name}.meta.json`), 'utf8'),
      ) as Metafile;
      console.log(`${size.name}: largest inputs (before minify)`);
      for (const [name, bytes] of largestInputs(meta, 10)) console.log(`  ${name} ${kb(bytes)}`);
    }
  }
  console.log(
    `build: ${sizes.length} function(s) in ${Math.round(performance.now() - started)} ms`,
  );
}
