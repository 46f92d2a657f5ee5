import type { AuditRecord, AuditSink } from '#core/audit/record';
import { EVENTS, type EventFacts } from '#core/audit/vocabulary';
import type { CliIo } from './cli-io.ts';
import { plainText } from './safe-output.ts';

/**
 * Passes audit records on, and shows people what is happening: one line per gateway
 * outcome on stdout as it happens, and a live progress line on stderr when it is a terminal.
 */
export class ReportingSink implements AuditSink {
  readonly #inner: AuditSink;
  readonly #io: CliIo;
  readonly #lines: boolean;
  readonly #tally = new Map<string, number>();
  #done = 0;

  constructor(inner: AuditSink, io: CliIo, options: { lines: boolean }) {
    this.#inner = inner;
    this.#io = io;
    this.#lines = options.lines;
  }

  write(record: AuditRecord): void {
    this.#inner.write(record);
    // One line per outcome; run records are summed up at the end instead. A gateway still
    // deleting is not gone yet (docs/contract.md "Deletion is confirmed, not assumed").
    const label =
      record.event === 'gateway.already_gone' && record.reason === 'already_deleting'
        ? 'already deleting'
        : (EVENTS[record.event] as EventFacts).label;
    if (!label) return;
    this.#done += 1;
    this.#tally.set(label, (this.#tally.get(label) ?? 0) + 1);
    this.#clearProgress();
    if (this.#lines) this.#io.out(`${outcomeLine(label, record)}\n`);
    if (this.#io.progress) {
      const counts = [...this.#tally].map(([name, n]) => `${name} ${n}`).join(', ');
      this.#io.err(`${this.#done} done: ${counts}`);
    }
  }

  /** Removes the progress line so the summary starts on a clean line. */
  finish(): void {
    this.#clearProgress();
  }

  #clearProgress(): void {
    if (this.#io.progress && this.#done > 0) this.#io.err('\r\x1b[2K');
  }
}

/** `deleted  pr-1377-streaming  3f2a9c1e  expired, rule pr-previews, HTTP 200 in 12ms` */
export function outcomeLine(label: string, record: AuditRecord): string {
  const name = plainText(record.gatewayName ?? record.deploymentName ?? '-');
  const id = (record.gatewayId ?? record.deploymentId)?.slice(0, 8) ?? '';
  const detail = [
    record.reason,
    record.ruleId ? `rule ${record.ruleId}` : undefined,
    record.http?.status === undefined
      ? undefined
      : `HTTP ${record.http.status} in ${record.http.durationMs}ms` +
        (record.http.attempts > 1 ? ` (${record.http.attempts} attempts)` : ''),
    record.error ? `${record.error.code}: ${record.error.message}` : undefined,
  ].filter(Boolean);
  return `  ${label.padEnd(18)}  ${name.padEnd(28)}  ${plainText(id).padEnd(8)}  ${plainText(detail.join(', '))}`;
}
