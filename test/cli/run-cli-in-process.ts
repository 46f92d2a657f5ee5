import type { ProgramDeps } from '#cli/build-program';
import { runCli } from '#cli/run-cli';

/** What one in-process CLI run printed, and its exit code. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI in this process with its output captured, in the environment given (none
 * by default: no token, no region), with or without terminal progress.
 */
export async function runCliInProcess(
  args: string[],
  options: { env?: Record<string, string>; progress?: boolean; deps?: ProgramDeps } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(
    args,
    {
      out: (text) => {
        stdout += text;
      },
      err: (text) => {
        stderr += text;
      },
      progress: options.progress ?? false,
      env: options.env ?? {},
    },
    options.deps,
  );
  return { code, stdout, stderr };
}
