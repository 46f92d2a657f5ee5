import type { AuditEvent, AuditRecord } from '#core/audit-record';
import type { AuditSink } from '#core/ports';

/** Keeps audit records in memory, as JSON round-trips, for assertions. */
export class MemoryAuditSink implements AuditSink {
  readonly records: AuditRecord[] = [];

  write(record: AuditRecord): void {
    this.records.push(JSON.parse(JSON.stringify(record)));
  }

  events(event: AuditEvent): AuditRecord[] {
    return this.records.filter((record) => record.event === event);
  }

  ids(event: AuditEvent): string[] {
    return this.events(event)
      .map((record) => record.gatewayId ?? '')
      .sort();
  }
}
