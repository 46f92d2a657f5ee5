// node test/bench/plain-runtime-client.ts (environment as Lambda sets it: AWS_LAMBDA_RUNTIME_API,
// LAMBDA_TASK_ROOT, _HANDLER=index.handler). The stand-in for aws-lambda-ric when its native
// addon is not installed: the same Runtime API protocol over node:http, nothing else.
// Run as plain JavaScript (ricColdStart strips the types first) and with node:http
// required, not imported as ESM: Node's type stripping and the ESM namespace of node:http
// (which loads Node's own fetch, worker threads and perf_hooks) would add ~100 ms to every
// handler's cold start that aws-lambda-ric does not, and flatter the ratios.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const { request } = createRequire(import.meta.url)('node:http') as typeof import('node:http');

const api = process.env.AWS_LAMBDA_RUNTIME_API as string;
const [file, exported] = (process.env._HANDLER as string).split('.') as [string, string];
const root = process.env.LAMBDA_TASK_ROOT as string;

function call(
  method: string,
  path: string,
  body?: string,
): Promise<{ headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`http://${api}/2018-06-01/runtime${path}`, { method }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const module = (await import(pathToFileURL(join(root, `${file}.mjs`)).href)) as Record<
  string,
  (event: unknown, context: unknown) => Promise<unknown>
>;
const handler = module[exported] as (event: unknown, context: unknown) => Promise<unknown>;
for (;;) {
  const next = await call('GET', '/invocation/next');
  const requestId = String(next.headers['lambda-runtime-aws-request-id']);
  const deadline = Number(next.headers['lambda-runtime-deadline-ms']);
  const context = {
    awsRequestId: requestId,
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
  try {
    const result = await handler(JSON.parse(next.body), context);
    await call('POST', `/invocation/${requestId}/response`, JSON.stringify(result ?? null));
  } catch (error) {
    const { name, message } = error as Error;
    await call(
      'POST',
      `/invocation/${requestId}/error`,
      JSON.stringify({ errorType: name, errorMessage: message }),
    );
  }
}
