import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';
import { ZipFile } from 'yazl';
import { trimSourceMap } from './trim-source-map.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

/**
 * The Lambda entries serverless.yml packages: `dist/<name>.zip` holds `index.mjs` and
 * the chunks it imports (`chunks/*.mjs`), with source maps of our own code only.
 */
const ENTRIES = ['sweep', 'teardown'] as const;

// ESM bundles of CommonJS dependencies (the AWS SDK among them) call `require` for
// Node built-ins; ESM has none, so the bundle makes one.
const banner =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

/**
 * Leaves out code the functions never run, without changing what they do run:
 * zod's translated error messages (of the namespace `z.locales` only English is read:
 * the schemas set it, and zod classic imports it directly), and bowser, the browser
 * user-agent parser the AWS SDK imports only where `window` exists (its caller falls
 * back to no parser when the module has none).
 */
const trimUnusedModules: Plugin = {
  name: 'trim-unused-modules',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]v4[\\/](classic|core|mini)$/.test(args.resolveDir)
        ? { path: join(args.resolveDir, '../locales/en.js'), namespace: 'zod-locales' }
        : undefined,
    );
    pluginBuild.onResolve({ filter: /^bowser$/ }, () => ({ path: 'bowser', namespace: 'empty' }));
    pluginBuild.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({
      contents: 'export default {};',
    }));
    pluginBuild.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: dirname(args.path),
    }));
  },
};

/** Points the functions' `undici` imports at infra/undici-lean.cjs (Agent and request only). */
const leanUndici: Plugin = {
  name: 'lean-undici',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^undici$/ }, (args) =>
      args.importer.startsWith(join(root, 'functions'))
        ? { path: join(root, 'infra', 'undici-lean.cjs') }
        : undefined,
    );
  },
};

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
}

/** Bundles each entry with esbuild (AWS SDK included, pinned by the lockfile) and zips it. */
export async function buildAll({ outDir = dist }: BuildOptions = {}): Promise<BundleSize[]> {
  const sizes: BundleSize[] = [];
  for (const name of ENTRIES) {
    const entry = join(root, 'functions', `${name}.ts`);
    if (!existsSync(entry)) {
      console.warn(`build: skipping ${name}: ${relative(root, entry)} does not exist yet`);
      continue;
    }
    sizes.push(await buildOne(name, entry, outDir));
  }
  return sizes;
}

async function buildOne(name: string, entry: string, outDir: string): Promise<BundleSize> {
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
    // (docs/benchmarks.md, "Cold start").
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    minify: true,
    // Not linked from the code: the map is for decoding a stack trace offline; linking
    // it under --enable-source-maps cost ~10% of the import's CPU (docs/benchmarks.md).
    sourcemap: 'external',
    sourcesContent: false,
    treeShaking: true,
    mainFields: ['module', 'main'],
    banner: { js: banner },
    // undici skips its experimental Milo HTTP parser (and its two WebAssembly blobs)
    // when this is defined, as in Node's own build of undici; llhttp stays the parser.
    define: { esbuildDetection: 'true' },
    plugins: [trimUnusedModules, leanUndici],
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
      // Namespaced stand-ins (`empty:bowser`) are not our code either.
      (source) => !source.includes('node_modules/') && !source.includes(':'),
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
