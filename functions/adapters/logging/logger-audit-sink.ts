import type { Logger } from '@aws-lambda-powertools/logger';
import type { AuditRecord, AuditSink } from '#core/audit/record';
import type { AuditEvent } from '#core/audit/vocabulary';

// Failures stand out at WARN; a stuck deletion is an error, with a metric filter and an
// alarm on it (docs/contract.md "Deletion is confirmed, not assumed").
const LEVELS = {
  'gateway.deleted': 'info',
  'gateway.would_delete': 'info',
  'gateway.already_gone': 'info',
  'gateway.delete_failed': 'warn',
  'gateway.deferred': 'info',
  'gateway.skipped': 'info',
  'gateway.delete_confirmed': 'info',
  'gateway.delete_stuck': 'error',
  'gateway.unconfirmed': 'warn',
  'deployment.deleted': 'info',
  'deployment.delete_failed': 'warn',
  'deployment.delete_stuck': 'error',
  'request.rejected': 'warn',
  'run.summary': 'info',
  'run.aborted': 'warn',
  'run.truncated': 'warn',
} as const satisfies Record<AuditEvent, 'info' | 'warn' | 'error'>;

/**
 * Writes each audit record as one JSON log line under the key `audit`, so Logs Insights
 * can filter on `audit.event`; failures log at WARN so they stand out.
 */
export class LoggerAuditSink implements AuditSink {
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  write(record: AuditRecord): void {
    this.#logger[LEVELS[record.event]](record.event, { audit: record });
  }
}
