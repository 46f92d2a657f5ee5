import { buildProgram, type ProgramDeps } from './build-program.ts';
import type { CliIo } from './cli-io.ts';
import { describeFailure } from './describe-failure.ts';

/** Runs one command line to completion and answers its exit code; never throws. */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  deps: ProgramDeps = {},
): Promise<number> {
  let code = 0;
  try {
    const program = buildProgram(
      io,
      (next) => {
        code = next;
      },
      deps,
    );
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    const failure = describeFailure(error);
    if (failure.message) io.err(`gateway-janitor: ${failure.message}\n`);
    code = failure.code;
  }
  return code;
}
