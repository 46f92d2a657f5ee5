import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const RUNNER = new URL('./invoke-bundle.ts', import.meta.url).pathname;

/** What a bundle's handler answered, and everything it logged. */
export interface BundleRun {
  outcome: { ok: true; result: unknown } | { ok: false; error: { name: string; message: string } };
  stdout: string;
  stderr: string;
}

/**
 * Invokes a built bundle's handler once in a fresh Node process (this Node: 24 under
 * `npm test`), with only the environment given plus PATH: no AWS settings leak in.
 * Asynchronous on purpose: the loopback servers it talks to live in this process.
 */
export async function runBundle(
  bundlePath: string,
  event: unknown,
  env: Record<string, string>,
): Promise<BundleRun> {
  const dir = await mkdtemp(join(tmpdir(), 'invoke-bundle-'));
  const eventFile = join(dir, 'event.json');
  const resultFile = join(dir, 'result.json');
  await writeFile(eventFile, JSON.stringify(event));
  const { stdout, stderr } = await run(process.execPath, [RUNNER, bundlePath, eventFile], {
    env: { PATH: process.env.PATH ?? '', ...env, INVOKE_RESULT_FILE: resultFile },
    timeout: 60_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  const { outcome } = JSON.parse(await readFile(resultFile, 'utf8')) as Pick<BundleRun, 'outcome'>;
  return { outcome, stdout, stderr };
}
