import { JanitorError } from '#core/errors';

/** A loggable summary of a thrown error: ours keep their code and message, others only a name. */
export function errorSummary(error: unknown): { name: string; code?: string; message: string } {
  if (error instanceof JanitorError)
    return { name: error.name, code: error.code, message: error.message };
  return { name: error instanceof Error ? error.name : 'Error', message: 'unexpected failure' };
}
