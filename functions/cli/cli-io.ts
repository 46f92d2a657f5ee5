/** Where the CLI reads its environment and writes its output; tests and the demo swap it. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** stderr is a terminal, so a live progress line can be redrawn there */
  progress: boolean;
  env: Record<string, string | undefined>;
}

/** The real process: stdout for results, stderr for progress and errors. */
export function processIo(): CliIo {
  // `gateway-janitor plan --json | head` closes the pipe early: stop quietly, as Unix tools do.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    progress: process.stderr.isTTY === true,
    env: process.env,
  };
}
