import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Metafile, type Plugin } from 'esbuild';
import { ZipFile } from 'yazl';
import { trimSourceMap } from './trim-source-map.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

/**
 * The Lambda entries serverless.yml packages: `dist/<name>.zip` holds `index.mjs` and
 * the chunks it imports (`chunks/*.mjs`), with source maps of our own code only, and
 * undici's HTTP parser as `llhttp_simd.wasm` and `llhttp.wasm` (llhttpFromFile).
 */
const ENTRIES = ['sweep', 'teardown'] as const;

// ESM bundles of CommonJS dependencies (the AWS SDK among them) call `require` for
// Node built-ins; ESM has none, so the bundle makes one. `__outputUrl` is the URL of the
// file that holds the code, for files shipped beside it (llhttpFromFile).
export const banner =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url), __outputUrl = import.meta.url;";

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

const inUndici = (path: string) => /[\\/]node_modules[\\/]undici[\\/]lib[\\/]/.test(path);

/**
 * What the Lambda bundles take of undici (docs/benchmarks.md, "Cold start"):
 * - the functions' `undici` imports point at infra/undici-lean.cjs (Agent and request only);
 * - the modules undici loads only for a FormData request body (fetch's body, FormData,
 *   webidl) are replaced by infra/undici-without-formdata.cjs: the functions send no body;
 * - `node:assert` inside undici is infra/undici-assert.cjs, the one form undici calls
 *   (`assert(value[, message])`); a module that calls anything else fails the build.
 */
const leanUndici: Plugin = {
  name: 'lean-undici',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^undici$/ }, (args) =>
      args.importer.startsWith(join(root, 'functions'))
        ? { path: join(root, 'infra', 'undici-lean.cjs') }
        : undefined,
    );
    pluginBuild.onResolve({ filter: /^\.\.\/web\// }, (args) =>
      /[\\/]undici[\\/]lib[\\/](core[\\/]request|dispatcher[\\/]client-h[12])\.js$/.test(
        args.importer,
      )
        ? { path: join(root, 'infra', 'undici-without-formdata.cjs') }
        : undefined,
    );
    pluginBuild.onResolve({ filter: /^node:assert$/ }, (args) =>
      inUndici(args.importer) ? { path: join(root, 'infra', 'undici-assert.cjs') } : undefined,
    );
    pluginBuild.onLoad({ filter: /[\\/]undici[\\/]lib[\\/].*\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (/\bassert\.[a-zA-Z]/.test(source) || /require\(['"](node:)?assert\/strict/.test(source)) {
        throw new Error(
          `lean-undici: ${args.path} calls node:assert beyond assert(value); review infra/undici-assert.cjs`,
        );
      }
      return undefined;
    });
  },
};

/**
 * Loads undici's HTTP/2 client (and with it `node:http2`, ~7 ms of init CPU) only when a
 * connection negotiates h2. The functions' Agent offers only http/1.1 (`createAgent`), so
 * in practice it is never loaded. undici requires it at the top of `client.js`, the one
 * place it is used; if that line changes in a new release, the build fails here rather
 * than silently keeping it at init (docs/benchmarks.md, "Cold start").
 */
const lazyHttp2Client: Plugin = {
  name: 'lazy-http2-client',
  setup(pluginBuild) {
    pluginBuild.onLoad(
      { filter: /[\\/]undici[\\/]lib[\\/]dispatcher[\\/]client\.js$/ },
      async (args) => {
        const source = await readFile(args.path, 'utf8');
        const eager = "const connectH2 = require('./client-h2.js')";
        if (source.split(eager).length !== 2 || source.split('connectH2').length !== 3) {
          throw new Error(
            `lazy-http2-client: ${args.path} no longer loads its HTTP/2 client as this build expects; review infra/build.ts`,
          );
        }
        return {
          contents: source.replace(
            eager,
            "let http2Client; const connectH2 = (client, socket) => (http2Client ??= require('./client-h2.js'))(client, socket)",
          ),
          loader: 'js',
        };
      },
    );
  },
};

/** undici's HTTP parser, as WebAssembly files beside the code that reads them. */
const LLHTTP_WASM = ['llhttp-wasm', 'llhttp_simd-wasm'] as const;

/**
 * Ships undici's llhttp WebAssembly as `.wasm` files read on the first connection, instead
 * of two 72 KB base64 strings that Node parsed at every init (docs/benchmarks.md, "Cold
 * start"). The modules keep their shape: a Buffer of the same bytes, read when required.
 */
const llhttpFromFile: Plugin = {
  name: 'llhttp-from-file',
  setup(pluginBuild) {
    pluginBuild.onLoad(
      { filter: /[\\/]undici[\\/]lib[\\/]llhttp[\\/]llhttp(_simd)?-wasm\.js$/ },
      (args) => ({
        // `__outputUrl` (the banner) is the URL of the output file this module lands in,
        // which is where writeLlhttpWasm puts the file.
        contents: `module.exports = require('node:fs').readFileSync(new URL('./${llhttpWasmName(args.path)}', __outputUrl));`,
        loader: 'js',
      }),
    );
  },
};

/** The plugins every Lambda bundle is built with (the bench's reference bundles too). */
export function lambdaPlugins(): Plugin[] {
  return [trimUnusedModules, leanUndici, lazyHttp2Client, llhttpFromFile];
}

function llhttpWasmName(modulePath: string): string {
  return `${basename(modulePath, '.js').replace(/-wasm$/, '')}.wasm`;
}

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
    // (docs/benchmarks.md, "Cold start").
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    minify,
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
    plugins: lambdaPlugins(),
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
  files.push(...(await writeLlhttpWasm(result.metafile, outdir)));
  const zipPath = join(outDir, `${name}.zip`);
  await zipFiles(zipPath, files);
  let bundle = 0;
  for (const output of outputs) bundle += (await stat(output)).size;
  return { name, bundle, zip: (await stat(zipPath)).size };
}

/** Writes each llhttp `.wasm` beside the output file that reads it (llhttpFromFile). */
export async function writeLlhttpWasm(
  metafile: Metafile,
  outdir: string,
): Promise<{ path: string; name: string }[]> {
  const requireFromRoot = createRequire(join(root, 'package.json'));
  const written: { path: string; name: string }[] = [];
  for (const [output, { inputs }] of Object.entries(metafile.outputs)) {
    for (const input of Object.keys(inputs)) {
      if (!LLHTTP_WASM.some((module) => input.endsWith(`undici/lib/llhttp/${module}.js`))) continue;
      const path = join(dirname(resolve(root, output)), llhttpWasmName(input));
      await writeFile(path, requireFromRoot(resolve(root, input)) as Buffer);
      written.push({ path, name: relative(outdir, path).split(sep).join('/') });
    }
  }
  return written;
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
