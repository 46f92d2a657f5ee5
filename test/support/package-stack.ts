import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ZipFile } from 'yazl';

const ROOT = new URL('../..', import.meta.url).pathname;

/** A secret ARN for packaging offline: real-looking, since placeholders are refused. */
export const TEST_SECRET_ARN =
  'arn:aws:secretsmanager:us-east-1:304957182634:secret:ci-offline-packaging-token-Qx7Lm2';

/** The params every packaging must state (docs/deploy.md, "Parameters"). */
export const REQUIRED_PARAMS = [
  '--param',
  'dryRun=true',
  '--param',
  `secretArn=${TEST_SECRET_ARN}`,
];

/** The principals the live packaging lets send to the teardown queue. */
export const SENDERS = [
  'arn:aws:iam::111122223333:role/ci-preview',
  'arn:aws:iam::444455556666:user/release-bot',
];

/** The operators the live packaging lets receive, delete and purge on both queues. */
export const OPERATORS = ['arn:aws:iam::111122223333:role/platform-oncall'];

/** Environment for `osls package` offline: credentials it never uses, no telemetry. */
export const OFFLINE_ENV = {
  AWS_ACCESS_KEY_ID: 'AKIAOFFLINEPACKAGING',
  AWS_SECRET_ACCESS_KEY: 'offline-packaging-only',
  AWS_REGION: 'us-east-1',
  SLS_TELEMETRY_DISABLED: '1',
  SLS_NOTIFICATIONS_MODE: 'off',
};

/**
 * A copy of the stack's files in a directory of its own, so packaging neither builds nor
 * races the one packaging of the test run for .serverless/ and dist/. Its `dist/` holds the zips given, or
 * empty ones (packaging writes the policy into them).
 */
export async function copyStack(zips?: Record<'sweep' | 'teardown', string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'janitor-stack-'));
  for (const entry of ['serverless.yml', 'infra', 'examples', 'functions', 'package.json']) {
    await cp(join(ROOT, entry), join(dir, entry), { recursive: true });
  }
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  await mkdir(join(dir, 'dist'));
  for (const name of ['sweep', 'teardown'] as const) {
    const target = join(dir, 'dist', `${name}.zip`);
    if (zips) await cp(zips[name], target);
    else await writeFile(target, await emptyZip());
  }
  return dir;
}

/** The outcome of `osls package` in `dir`: the template, or what it printed on failure. */
export async function packageIn(
  dir: string,
  params: string[],
): Promise<{ ok: true; template: unknown } | { ok: false; output: string }> {
  try {
    await promisify(execFile)(
      join(ROOT, 'node_modules/.bin/osls'),
      ['package', '--stage', 'dev', ...params],
      { cwd: dir, timeout: 120_000, env: { ...process.env, ...OFFLINE_ENV } },
    );
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${stdout}${stderr}` };
  }
  const json = await readFile(
    join(dir, '.serverless/cloudformation-template-update-stack.json'),
    'utf8',
  );
  return { ok: true, template: JSON.parse(json) };
}

async function emptyZip(): Promise<Buffer> {
  const zip = new ZipFile();
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
