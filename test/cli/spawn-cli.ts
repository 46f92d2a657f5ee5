import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

/** The repository root: the CLI runs from a checkout, as after `git clone && npm ci`. */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What a finished CLI process left behind. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real CLI entry in a child process on the pinned Node (vitest's own
 * process.execPath), with only the environment given, so nothing leaks in from the shell.
 */
export function spawnCli(
  args: readonly string[],
  options: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<CliRun> {
  const child = spawn(process.execPath, ['functions/cli/main.ts', ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', ...options.env },
    timeout: options.timeoutMs ?? 15_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return outputOf(child);
}

/** Waits for a child process to end, with all it wrote to stdout and stderr. */
export function outputOf(child: ChildProcessByStdio<null, Readable, Readable>): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The audit records among JSON lines of CLI output (each is `{"audit": {...}}`). */
export function auditRecords(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{"audit":'))
    .map((line) => (JSON.parse(line) as { audit: Record<string, unknown> }).audit);
}
