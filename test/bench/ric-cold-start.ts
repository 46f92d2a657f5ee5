import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';
import { LOOPBACK_TLS } from '#test/fixtures/loopback-tls';
import { sqsEvent } from '#test/fixtures/sqs-event';
import { median, SECRET_ID, sweepEnv } from './bench-env.ts';
import { type Bundle, buildReference, FUNCTIONS, OUT } from './bundles.ts';
import type { RemoteSimulator } from './remote-simulator.ts';
import type { BenchMode } from './run.ts';
import { startRuntimeApi } from './runtime-api.ts';
import { startTlsForwarder } from './tls-forwarder.ts';

/** Which runtime interface client ran the handlers, and why if not the real one. */
export interface RuntimeClient {
  name: string;
  command: string[];
  substituteReason?: string;
}

export interface RicColdStartRow {
  name: string;
  /** median ms from spawning the runtime to its first GET .../next (init) */
  initMs: number;
  /** median ms from spawning the runtime to the handler's answer */
  endToEndMs: number;
  /** endToEndMs over the minimal handler's, measured in the same interleaved run */
  ratio: number;
  runs: number;
  failures: number;
  /** the handler's answer in the last run, as the Runtime API received it */
  lastAnswer: string;
}

/**
 * Finds aws-lambda-ric and its native addon (it builds curl and aws-lambda-cpp at install
 * time, which needs cmake, autotools and a C++ compiler): in the project's node_modules or
 * at AWS_LAMBDA_RIC_PATH. Without them, the plain-Node client of
 * test/bench/plain-runtime-client.ts speaks the same protocol in its place.
 */
export async function findRuntimeClient(): Promise<RuntimeClient> {
  const substitute = async (reason: string): Promise<RuntimeClient> => ({
    name: 'plain-Node Runtime API loop (substitute for aws-lambda-ric)',
    command: [process.execPath, await plainRuntimeClient()],
    substituteReason: reason,
  });
  let entry: string;
  try {
    // AWS_LAMBDA_RIC_PATH: a copy installed outside the project (it is not a dependency:
    // its install scripts need build tools that `npm ci` must not require).
    const from = process.env.AWS_LAMBDA_RIC_PATH;
    entry = from
      ? createRequire(join(from, 'package.json')).resolve('./index.mjs')
      : createRequire(import.meta.url).resolve('aws-lambda-ric');
  } catch {
    return substitute('aws-lambda-ric is not installed (set AWS_LAMBDA_RIC_PATH to a copy)');
  }
  if (!existsSync(join(dirname(entry), 'rapid-client.node'))) {
    return substitute('aws-lambda-ric is installed without its native addon (rapid-client.node)');
  }
  return { name: 'aws-lambda-ric', command: [process.execPath, entry] };
}

interface Sample {
  init: number[];
  end: number[];
  failures: number;
  lastAnswer: string;
}

/** test/bench/plain-runtime-client.ts as plain JavaScript, so Node need not strip types at start. */
async function plainRuntimeClient(): Promise<string> {
  const source = fileURLToPath(new URL('./plain-runtime-client.ts', import.meta.url));
  const out = join(OUT, 'plain-runtime-client.mjs');
  const { code } = await transform(await readFile(source, 'utf8'), { loader: 'ts', format: 'esm' });
  await mkdir(OUT, { recursive: true });
  await writeFile(out, code);
  return out;
}

/** The minimal handler: fetches the secret and sends one HTTPS request, nothing else. */
const MINIMAL = {
  name: 'minimal (secret + one request)',
  dir: 'minimal-handler',
  source: [
    "import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';",
    // CommonJS require, as undici in the sweep loads its modules: an ESM import of a
    // node:http* module reads every export into the namespace, and node:http's lazy getters
    // load Node's own fetch, worker threads and perf_hooks (~45 ms of CPU).
    "const { request } = require('node:https');",
    'const client = new SecretsManagerClient({});',
    'export const handler = async () => {',
    '  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: process.env.COREWEAVE_TOKEN_SECRET_ID }));',
    "  const url = new URL('/v1alpha1/inference/gateways', process.env.COREWEAVE_API_URL);",
    '  const status = await new Promise((resolve, reject) => {',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the generated handler's own source text
    '    const req = request(url, { headers: { authorization: `Bearer ${SecretString}` } }, (res) => {',
    "      res.resume(); res.on('end', () => resolve(res.statusCode));",
    '    });',
    "    req.on('error', reject); req.end();",
    '  });',
    '  return { status };',
    '};',
  ],
};

/**
 * The minimal handler with its one request sent as the functions send theirs: undici as
 * the Lambda bundles take it (the HTTP/1.1 Agent, `sendOnce`). What the HTTP client the
 * design card names adds end to end, before any of the janitor's own work.
 */
const MINIMAL_UNDICI = {
  name: 'minimal, its request through undici as the functions send it (reference)',
  dir: 'minimal-handler-undici',
  asTheFunctions: true,
  source: [
    "import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';",
    `import { sendOnce, sharedDispatcher } from '${FUNCTIONS}/adapters/coreweave/send-once.ts';`,
    'const client = new SecretsManagerClient({});',
    'export const handler = async () => {',
    '  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: process.env.COREWEAVE_TOKEN_SECRET_ID }));',
    '  const { origin } = new URL(process.env.COREWEAVE_API_URL);',
    "  const { status } = await sendOnce(sharedDispatcher(), { origin, method: 'GET', path: '/v1alpha1/inference/gateways', token: SecretString, timeoutMs: 10_000 });",
    '  return { status };',
    '};',
  ],
};

/** One handler to start cold, and the event it is invoked with. */
interface Variant {
  name: string;
  dir: string;
  event: () => unknown;
  env?: Record<string, string>;
}

/** The teardown needs its queue's URL; a confirmation that finds the gateway gone sends nothing. */
const TEARDOWN_ENV = {
  TEARDOWN_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/gateway-janitor-teardown',
  AWS_ENDPOINT_URL_SQS: 'https://127.0.0.1:9',
};

/**
 * An SQS event with one deletion confirmation for a gateway the API no longer knows: the
 * teardown GETs it (404), records `gateway.delete_confirmed`, and sends nothing to SQS.
 * Half of the teardown's messages are confirmations (one per deletion).
 */
function confirmationEvent(): unknown {
  return sqsEvent({
    gatewayId: '0f8fad5b-d9cb-469f-a165-70867728950e',
    confirm: {
      deletedAt: new Date(Date.now() - 120_000).toISOString(),
      runId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
    },
  });
}

/** Where the runtimes reach Secrets Manager and the API, and the CA file they trust. */
interface Endpoints {
  secretsManager: string;
  api: string;
  caFile: string;
}

/**
 * Issue 15: a cold invocation end to end (process start, init, token fetch, list, first
 * DELETE) under a runtime interface client behind a loopback Runtime API, against the
 * minimal handler built the same way. Interleaved; ratios of medians. Both handlers reach
 * Secrets Manager and the API over HTTPS, as in Lambda (startTlsForwarder).
 */
export async function ricColdStart(
  bundles: Bundle[],
  sim: RemoteSimulator,
  mode: BenchMode,
): Promise<{ client: RuntimeClient; rows: RicColdStartRow[] }> {
  const client = await findRuntimeClient();
  if (client.substituteReason) mode.log(`ric-cold-start: ${client.substituteReason}`);
  const minimal = await buildReference(MINIMAL);
  const minimalUndici = await buildReference(MINIMAL_UNDICI);
  const sweep = bundles.find((bundle) => bundle.name === 'sweep');
  const teardown = bundles.find((bundle) => bundle.name === 'teardown');
  if (!sweep || !teardown) throw new Error('no sweep or teardown bundle was built');
  const variants: Variant[] = [
    { name: minimal.name, dir: dirname(minimal.path), event: () => ({}) },
    { name: minimalUndici.name, dir: dirname(minimalUndici.path), event: () => ({}) },
    {
      name: 'sweep (1 of 100 expired: list, one DELETE)',
      dir: dirname(sweep.path),
      event: () => ({}),
    },
    {
      name: 'teardown (one confirmation: one GET, the gateway is gone)',
      dir: dirname(teardown.path),
      event: confirmationEvent,
      env: TEARDOWN_ENV,
    },
    // A previous build (`--baseline=DIR`), in the same interleaved runs and events.
    ...bundles
      .filter((bundle) => bundle.name === 'sweep (baseline)')
      .map((bundle) => ({
        name: `${bundle.name}, same event`,
        dir: dirname(bundle.path),
        event: () => ({}),
      })),
    ...bundles
      .filter((bundle) => bundle.name === 'teardown (baseline)')
      .map((bundle) => ({
        name: `${bundle.name}, same event`,
        dir: dirname(bundle.path),
        event: confirmationEvent,
        env: TEARDOWN_ENV,
      })),
  ];
  const runs = mode.quick ? 3 : 15;
  const samples = new Map<string, Sample>(
    variants.map((v) => [v.name, { init: [], end: [], failures: 0, lastAnswer: '' }]),
  );
  const api = await startRuntimeApi();
  const caFile = join(OUT, 'loopback-ca.pem');
  await mkdir(OUT, { recursive: true });
  await writeFile(caFile, LOOPBACK_TLS.cert);
  const secretsTls = await startTlsForwarder(
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER ?? 'http://127.0.0.1:9',
  );
  const apiTls = await startTlsForwarder(sim.url);
  const endpoints = { secretsManager: secretsTls.url, api: apiTls.url, caFile };
  try {
    for (let run = 0; run < runs; run += 1) {
      for (const variant of variants) {
        // A fresh fleet each time: 100 gateways, one of them expired.
        await sim.seed(100, 0.01, run + 1);
        const requestId = `bench-ric-${run}-${variant.dir.length}-${variants.indexOf(variant)}`;
        const record = api.enqueue(variant.event(), requestId);
        const t0 = performance.now();
        const child = startRuntime(client, variant, api.address, sim, endpoints);
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        // A runtime that dies (an init failure) ends the wait as a failed run.
        const done = await Promise.race([api.done(requestId, 60_000), exited.then(() => record)]);
        await stop(child);
        const sample = samples.get(variant.name) as Sample;
        if (done.outcome !== 'response' || record.firstNextAt === undefined) {
          sample.failures += 1;
          mode.log(`ric-cold-start: ${variant.name} run ${run}: ${done.outcome ?? 'timeout'}`);
          continue;
        }
        sample.init.push(record.firstNextAt - t0);
        sample.end.push((record.doneAt as number) - t0);
        sample.lastAnswer = (done.body ?? '').slice(0, 300);
      }
    }
  } finally {
    await api.close();
    await secretsTls.close();
    await apiTls.close();
  }
  const minimalEnd = median(samples.get(minimal.name)?.end ?? [Number.NaN]);
  const rows = variants.map(({ name }) => {
    const sample = samples.get(name) as Sample;
    const endToEndMs = median(sample.end);
    return {
      name,
      initMs: Math.round(median(sample.init) * 10) / 10,
      endToEndMs: Math.round(endToEndMs * 10) / 10,
      ratio: Math.round((endToEndMs / minimalEnd) * 100) / 100,
      runs,
      failures: sample.failures,
      lastAnswer: sample.lastAnswer,
    };
  });
  mode.log(`ric-cold-start (${client.name}) ${JSON.stringify(rows)}`);
  return { client, rows };
}

function startRuntime(
  client: RuntimeClient,
  variant: Variant,
  runtimeApi: string,
  sim: RemoteSimulator,
  endpoints: Endpoints,
): ChildProcess {
  const [command, ...args] = client.command as [string, ...string[]];
  const taskRoot = variant.dir;
  return spawn(command, args, {
    cwd: taskRoot,
    env: {
      PATH: process.env.PATH ?? '',
      ...sweepEnv(sim, 64),
      COREWEAVE_API_URL: endpoints.api,
      ...variant.env,
      COREWEAVE_TOKEN_SECRET_ID: SECRET_ID,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? '',
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? '',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoints.secretsManager,
      NODE_EXTRA_CA_CERTS: endpoints.caFile,
      AWS_LAMBDA_RUNTIME_API: runtimeApi,
      LAMBDA_TASK_ROOT: taskRoot,
      _HANDLER: 'index.handler',
      AWS_LAMBDA_FUNCTION_NAME: 'gateway-janitor-bench',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/gateway-janitor-bench',
      AWS_LAMBDA_LOG_STREAM_NAME: '2026/11/30/[$LATEST]bench',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      POWERTOOLS_SERVICE_NAME: 'gateway-janitor',
      NODE_OPTIONS: '--max-semi-space-size=4',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill();
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3_000))]);
}
