import type { Logger } from '@aws-lambda-powertools/logger';
import type { AuditRecord } from '#core/audit/audit-record';
import type { AuditSink } from '#core/shared/ports';

const WARN_EVENTS = new Set([
  'gateway.delete_failed',
  'request.rejected',
  'run.aborted',
  'run.truncated',
]);

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
    if (WARN_EVENTS.has(record.event)) this.#logger.warn(record.event, { audit: record });
    else this.#logger.info(record.event, { audit: record });
  }
}
