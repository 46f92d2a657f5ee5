import { closeSync, openSync, writeSync } from 'node:fs';
import type { AuditRecord, AuditSink } from '#core/audit/record';
import { ValidationError } from '#core/errors';
import type { CliIo } from './cli-io.ts';
import { jsonText } from './safe-output.ts';

/** Where a command's audit records go, and how to finish writing them. */
export interface AuditOutput {
  sink: AuditSink;
  close(): void;
}

/**
 * Audit records as JSON lines, each under the key `audit` exactly as the Lambda logs
 * them (docs/contract.md "The audit record"), to stdout with --json and/or appended to
 * --audit-file; nowhere otherwise.
 */
export function openAuditSink(
  flags: { json?: boolean; auditFile?: string },
  io: CliIo,
  extra: AuditSink[] = [],
): AuditOutput {
  let fd: number | undefined;
  if (flags.auditFile !== undefined) {
    try {
      fd = openSync(flags.auditFile, 'a');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unwritable';
      throw new ValidationError(
        'CONFIG_INVALID',
        '--audit-file',
        `cannot open ${flags.auditFile} (${code})`,
      );
    }
  }
  const file = fd;
  return {
    sink: {
      write(record: AuditRecord) {
        const line = `${jsonText({ audit: record })}\n`;
        if (flags.json) io.out(line);
        // Written synchronously: a record is on disk before the next deletion starts.
        if (file !== undefined) writeSync(file, line);
        for (const sink of extra) sink.write(record);
      },
    },
    close: () => {
      if (file !== undefined) closeSync(file);
    },
  };
}
