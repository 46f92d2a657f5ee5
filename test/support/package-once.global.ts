import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import {
  copyStack,
  OFFLINE_ENV,
  OPERATORS,
  REQUIRED_PARAMS,
  SENDERS,
  TEST_SECRET_ARN,
} from './package-stack.ts';
import type { Template } from './packaged-template.ts';

// Vitest globalSetup of the `packaged` project (vitest.config.ts): `npm run package` once per
// run, in a copy of the stack so it races nothing for .serverless/ and dist/, then the same
// service packaged live, with teardown senders, operators and an hourly schedule.

const run = promisify(execFile);
const MAX_BUFFER = 16 * 1024 * 1024;
const read = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as Template;

/** Packages the stack dry and live once and provides both templates to the test files. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await copyStack();
  const liveDir = await mkdtemp(join(tmpdir(), 'janitor-live-package-'));
  const cleanUp = async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(liveDir, { recursive: true, force: true });
  };
  try {
    await run('npm', ['run', 'package', '--', ...REQUIRED_PARAMS], {
      cwd: dir,
      timeout: 120_000,
      maxBuffer: MAX_BUFFER,
    });
    // Read before the live packaging, which clears .serverless/.
    const template = await read(join(dir, '.serverless/cloudformation-template-update-stack.json'));
    await run(
      'npx',
      [
        'osls',
        'package',
        '--stage',
        'dev',
        '--package',
        liveDir,
        '--param',
        'dryRun=false',
        '--param',
        `secretArn=${TEST_SECRET_ARN}`,
        '--param',
        `teardownSenders=${SENDERS.join(', ')}`,
        '--param',
        `operators=${OPERATORS.join(',')}`,
        '--param',
        'schedule=rate(1 hour)',
      ],
      { cwd: dir, env: { ...process.env, ...OFFLINE_ENV }, timeout: 60_000, maxBuffer: MAX_BUFFER },
    );
    project.provide('packagedTemplates', {
      template,
      live: await read(join(liveDir, 'cloudformation-template-update-stack.json')),
    });
  } catch (error) {
    await cleanUp();
    throw error;
  }
  return cleanUp;
}
