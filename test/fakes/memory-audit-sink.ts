import type { AuditRecord, AuditSink } from '#core/audit/record';
import type { AuditEvent } from '#core/audit/vocabulary';
import { scanForCanaries } from '#test/support/canary-guard';

/** Keeps audit records in memory, as JSON round-trips, for assertions. */
export class MemoryAuditSink implements AuditSink {
  readonly records: AuditRecord[] = [];

  write(record: AuditRecord): void {
    const json = JSON.stringify(record);
    scanForCanaries('audit record', json);
    this.records.push(JSON.parse(json));
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
