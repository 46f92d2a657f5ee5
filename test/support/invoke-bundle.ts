// Runs one built Lambda bundle the way the Lambda Node.js runtime does: imports the
// ESM file, calls its `handler(event, context)` once, and writes the outcome as JSON
// to the file named by INVOKE_RESULT_FILE (stdout stays the function's own log output).
// Usage: node test/support/invoke-bundle.ts <dist/<name>/index.mjs> <event.json>
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [bundlePath, eventPath] = process.argv.slice(2);
const resultFile = process.env.INVOKE_RESULT_FILE;
if (!bundlePath || !eventPath || !resultFile) {
  console.error('usage: INVOKE_RESULT_FILE=<out.json> node invoke-bundle.ts <bundle> <event.json>');
  process.exit(2);
}

const timeoutMs = Number(process.env.INVOKE_TIMEOUT_MS ?? 60_000);
const startedAt = Date.now();
const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'gateway-janitor-test';
const context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
  memoryLimitInMB: '256',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName: '2026/11/26/[$LATEST]0123456789abcdef',
  getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - startedAt)),
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

let outcome:
  | { ok: true; result: unknown }
  | { ok: false; error: { name: string; message: string } };
try {
  const module = (await import(pathToFileURL(resolve(bundlePath)).href)) as {
    handler?: (event: unknown, context: unknown) => Promise<unknown>;
  };
  if (typeof module.handler !== 'function') throw new Error(`${bundlePath} exports no handler`);
  const event: unknown = JSON.parse(await readFile(eventPath, 'utf8'));
  outcome = { ok: true, result: await module.handler(event, context) };
} catch (error) {
  const { name, message } = error instanceof Error ? error : new Error(String(error));
  outcome = { ok: false, error: { name, message } };
}
await writeFile(resultFile, JSON.stringify({ outcome }));

// The Lambda runtime freezes the process after the response; here, open keep-alive
// sockets would keep it alive, so leave explicitly.
process.exit(0);
