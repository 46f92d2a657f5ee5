import { CommanderError } from 'commander';
import { ApiError, JanitorError, RegistryError, ValidationError } from '#core/errors';

/** Exit codes: 0 success, 1 the run or the API failed, 2 usage or configuration error. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** How a thrown error ends the process: its exit code and the line to print, if any. */
export function describeFailure(error: unknown): { code: number; message?: string } {
  if (error instanceof CommanderError) {
    // commander has already printed the problem (and the help, when asked for).
    return { code: error.exitCode === 0 ? EXIT.ok : EXIT.usage };
  }
  if (error instanceof ValidationError) return { code: EXIT.usage, message: error.message };
  if (error instanceof ApiError) {
    const hint = error.stopsRun
      ? ' (check the token, and that it has the Inference Admin role)'
      : '';
    return { code: EXIT.failed, message: `CoreWeave API: ${error.message}${hint}` };
  }
  if (error instanceof RegistryError && error.code !== 'REGISTRY_NOT_FOUND') {
    // Each registry command makes one conditional write, so a failure leaves nothing half-done.
    const hint =
      error.code === 'REGISTRY_UNAVAILABLE'
        ? '; check the table name (--registry-table), the AWS region and credentials'
        : '';
    return { code: EXIT.failed, message: `${error.message} (nothing was changed${hint})` };
  }
  if (error instanceof JanitorError) return { code: EXIT.failed, message: error.message };
  // Foreign errors can carry anything; only their name and message, never a stack or cause.
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  return { code: EXIT.failed, message: `unexpected ${name}: ${message}` };
}
