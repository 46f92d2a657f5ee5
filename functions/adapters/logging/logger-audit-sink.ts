import type { Logger } from '@aws-lambda-powertools/logger';
import type { AuditRecord, AuditSink } from '#core/audit/record';
import { EVENTS } from '#core/audit/vocabulary';

/**
 * Writes each audit record as one JSON log line under the key `audit`, so Logs Insights
 * can filter on `audit.event`, at the level the events table gives (failures at WARN, a
 * stuck deletion at ERROR, with a metric filter and an alarm on it).
 */
export class LoggerAuditSink implements AuditSink {
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  write(record: AuditRecord): void {
    this.#logger[EVENTS[record.event].level](record.event, { audit: record });
  }
}
