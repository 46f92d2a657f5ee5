import type { AuditSink } from '#core/audit/record';
import { runSweep, type SweepSummary } from '#core/sweep/run-sweep';
import type { CliIo } from './cli-io.ts';
import { cliRunDeps } from './cli-run-deps.ts';
import { confirmIfWaiting } from './confirm-deletions.ts';
import { openAuditSink } from './open-audit-sink.ts';
import type { Session } from './open-session.ts';
import { renderSweepSummary } from './render-summary.ts';
import { ReportingSink } from './reporting-sink.ts';
import { plainText } from './safe-output.ts';

/** Output flags of `sweep`. */
export interface SweepFlags {
  apply?: boolean;
  json?: boolean;
  auditFile?: string;
  /** after a live run, poll until each deletion is confirmed or stuck */
  wait?: boolean;
}

/**
 * `sweep`: the sweep Lambda's own use case, runSweep, with the CLI as trigger. A dry run
 * unless --apply; exits 1 when the run was aborted, stopped, or a deletion failed.
 */
export async function sweepCommand(
  session: Session,
  flags: SweepFlags,
  io: CliIo,
  extraSinks: AuditSink[] = [],
): Promise<{ code: number; summary: SweepSummary }> {
  const waiting: string[] = [];
  const audit = openAuditSink(flags, io, [
    ...extraSinks,
    {
      write: (record) => {
        if (record.event === 'gateway.skipped' && record.reason === 'deployments_deleting')
          waiting.push(plainText(record.gatewayName ?? record.gatewayId ?? '?'));
      },
    },
  ]);
  const reporter = new ReportingSink(audit.sink, io, { lines: !flags.json });
  const dryRun = !flags.apply;
  if (!flags.json) {
    const mode = dryRun ? 'dry run, nothing will be deleted' : 'LIVE, deleting';
    io.out(`Sweeping ${session.target} (${mode}):\n`);
  }
  try {
    const deps = cliRunDeps(session, reporter, dryRun);
    const summary = await runSweep(deps);
    reporter.finish();
    if (!flags.json) io.out(`\n${renderSweepSummary(summary)}`);
    // Not a failure: the API refuses a gateway until its deployments are gone
    // (docs/contract.md "Never orphan what is serving"); the next run deletes it.
    if (!flags.json && waiting.length > 0)
      io.out(
        `  ${waiting.length} gateway(s) wait for their deployments to finish deleting (${waiting.join(', ')}): run the sweep again in a minute; the scheduled sweep does so by itself.\n`,
      );
    const confirmed = await confirmIfWaiting(
      flags,
      session,
      { deletions: summary.deletions, sink: reporter, context: deps.run },
      io,
    );
    reporter.finish();
    if (summary.status === 'aborted') {
      io.err(
        `gateway-janitor: sweep aborted: ${summary.expired} of ${summary.listed} gateways expired, over the policy's limits\n`,
      );
    }
    const failed = summary.counts['gateway.delete_failed'] ?? 0;
    const ok = summary.status === 'completed' && failed === 0 && confirmed;
    return { code: ok ? 0 : 1, summary };
  } finally {
    reporter.finish();
    audit.close();
  }
}
