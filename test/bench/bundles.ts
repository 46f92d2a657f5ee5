import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { banner, buildAll } from '../../infra/build.ts';

const run = promisify(execFile);

/** Where the bench builds bundles and writes files its runs read. */
export const OUT = resolve('bench-results/build');

export interface Bundle {
  name: string;
  path: string;
  raw: number;
  zipped: number;
}

/** Builds sweep and teardown with the project's build (infra/build.ts) and the references. */
export async function buildBundles(): Promise<Bundle[]> {
  await mkdir(OUT, { recursive: true });
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

/** A reference bundle: one dependency's import cost, built as the functions are (split ESM). */
export interface Reference {
  name: string;
  dir: string;
  source: string[];
}

const SECRETS =
  "import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';";

/** Each dependency alone, through its documented entry point, used the way the functions use it. */
const REFERENCES: Reference[] = [
  {
    name: 'empty module',
    dir: 'empty',
    source: ['export const handler = async () => 0;'],
  },
  {
    name: 'Secrets Manager client',
    dir: 'secrets-manager',
    source: [
      SECRETS,
      'const client = new SecretsManagerClient({});',
      'export const handler = async () => client.send(new GetSecretValueCommand({ SecretId: "x" }));',
    ],
  },
  {
    name: 'undici (Agent, request)',
    dir: 'undici',
    source: [
      "import { Agent } from 'undici';",
      'const agent = new Agent({ allowH2: false });',
      'export const handler = async () => agent.request({ origin: "https://127.0.0.1", method: "GET", path: "/" });',
    ],
  },
  {
    name: 'zod/mini (one small schema)',
    dir: 'zod-mini',
    source: [
      "import * as z from 'zod/mini';",
      'const s = z.object({ id: z.string().check(z.minLength(1)), n: z.optional(z.array(z.number().check(z.int()))) });',
      'export const handler = async (e) => z.parse(s, e);',
    ],
  },
  {
    name: 'zod classic (the same schema)',
    dir: 'zod-classic',
    source: [
      "import { z } from 'zod';",
      'const s = z.object({ id: z.string().min(1), n: z.array(z.number().int()).optional() });',
      'export const handler = async (e) => s.parse(e);',
    ],
  },
  {
    name: 'Powertools Logger',
    dir: 'logger',
    source: [
      "import { Logger } from '@aws-lambda-powertools/logger';",
      "const logger = new Logger({ serviceName: 'x' });",
      "export const handler = async () => logger.info('x');",
    ],
  },
  {
    name: 'SQS client',
    dir: 'sqs',
    source: [
      "import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';",
      'const client = new SQSClient({});',
      'export const handler = async () => client.send(new SendMessageCommand({ QueueUrl: "x", MessageBody: "x" }));',
    ],
  },
  {
    name: 'SNS client',
    dir: 'sns',
    source: [
      "import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';",
      'const client = new SNSClient({});',
      'export const handler = async () => client.send(new PublishCommand({ TopicArn: "x", Message: "x" }));',
    ],
  },
  {
    name: 'DynamoDB client + lib-dynamodb',
    dir: 'dynamodb',
    source: [
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
      "import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';",
      'const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));',
      'export const handler = async () => client.send(new QueryCommand({ TableName: "x" }));',
    ],
  },
  {
    // What DynamoDB adds once another SDK client has loaded the shared core (Smithy, credentials).
    name: 'Secrets Manager + DynamoDB + lib-dynamodb',
    dir: 'secrets-manager-dynamodb',
    source: [
      SECRETS,
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
      "import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';",
      'const secrets = new SecretsManagerClient({});',
      'const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));',
      'export const handler = async () => { await secrets.send(new GetSecretValueCommand({ SecretId: "x" }));',
      '  return client.send(new QueryCommand({ TableName: "x" })); };',
    ],
  },
  {
    // The same, with the table client imported on first use: what a lazy registry costs at init.
    name: 'Secrets Manager + DynamoDB imported on first use',
    dir: 'secrets-manager-dynamodb-lazy',
    source: [
      SECRETS,
      'const secrets = new SecretsManagerClient({});',
      'let client;',
      'export const handler = async () => { await secrets.send(new GetSecretValueCommand({ SecretId: "x" }));',
      "  const [{ DynamoDBClient }, { DynamoDBDocumentClient, QueryCommand }] = await Promise.all([import('@aws-sdk/client-dynamodb'), import('@aws-sdk/lib-dynamodb')]);",
      '  client ??= DynamoDBDocumentClient.from(new DynamoDBClient({}));',
      '  return client.send(new QueryCommand({ TableName: "x" })); };',
    ],
  },
];

/** Builds one reference with the functions' esbuild options (infra/build.ts). */
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
    banner: { js: banner },
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

/** Size of one file zipped as yazl writes it (the project's zipper); summed over files. */
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
 * The sweep and teardown as another commit builds them (`--baseline-ref=REF`): its tree from
 * `git archive`, this checkout's node_modules, its own infra/build.ts. Named "<name> (REF)".
 */
export async function baselineBundles(ref: string): Promise<Bundle[]> {
  const src = join(OUT, 'baseline-src');
  const dist = join(OUT, 'baseline');
  await rm(src, { recursive: true, force: true });
  await mkdir(src, { recursive: true });
  await run('sh', ['-c', `git archive "$0" | tar -x -C "$1"`, ref, src]);
  await symlink(resolve('node_modules'), join(src, 'node_modules'));
  const script = `const { buildAll } = await import(${JSON.stringify(join(src, 'infra/build.ts'))}); process.stdout.write(JSON.stringify(await buildAll({ outDir: ${JSON.stringify(dist)} })));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    cwd: src,
  });
  const built = JSON.parse(stdout) as Array<{ name: string; bundle: number; zip: number }>;
  return built.map((b) => ({
    name: `${b.name} (${ref})`,
    path: join(dist, b.name, 'index.mjs'),
    raw: b.bundle,
    zipped: b.zip,
  }));
}

export const bundlesExist = (bundles: Bundle[]) => bundles.every((b) => existsSync(b.path));
