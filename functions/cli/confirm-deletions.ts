import type { AuditSink, GatewayOutcome, RunContext } from '#core/audit/record';
import { createRunRecorder } from '#core/audit/recorder';
import { type ConfirmableDeletion, confirmationOutcome } from '#core/confirmation/confirmation';
import type { Clock, GatewayApi } from '#core/ports';
import { formatDuration } from '#core/time';
import type { CliIo } from './cli-io.ts';
import type { Session } from './open-session.ts';
import { plainText } from './safe-output.ts';
import { type WaitOutcome, waitForDeletions } from './wait-for-deletions.ts';

/** What `--wait` needs: the deletions the run noted for confirmation, and where its records go. */
export interface ConfirmDeletionsOptions {
  api: Pick<GatewayApi, 'get'>;
  deletions: readonly ConfirmableDeletion[];
  sink: AuditSink;
  run: RunContext;
  confirmWithinMs: number;
  io: CliIo;
  /** print headings and problems (not with --json) */
  report: boolean;
  sleep?: (ms: number) => Promise<void>;
  clock?: Clock;
}

/**
 * After a CLI run: with `--wait`, confirms the deletions the run noted; without it, there is
 * nothing to wait for.
 */
export function confirmIfWaiting(
  flags: { wait?: boolean; json?: boolean },
  session: Pick<Session, 'api' | 'config'>,
  run: { deletions: readonly ConfirmableDeletion[]; sink: AuditSink; context: RunContext },
  io: CliIo,
): Promise<boolean> {
  if (!flags.wait) return Promise.resolve(true);
  return confirmDeletions({
    api: session.api,
    deletions: run.deletions,
    sink: run.sink,
    run: run.context,
    confirmWithinMs: session.config.confirmWithinMs,
    io,
    report: !flags.json,
  });
}

/**
 * `--wait`: polls every gateway the run deleted until its deletion is confirmed or stuck,
 * and records each through the run's recorder, as the teardown function would
 * (docs/contract.md, "Deletion is confirmed, not assumed"). True when every deletion was
 * confirmed.
 */
export async function confirmDeletions(options: ConfirmDeletionsOptions): Promise<boolean> {
  const { io, deletions } = options;
  if (deletions.length === 0) return true;
  if (options.report) {
    io.out(
      `\nWaiting for ${deletions.length} deletion(s) to finish (stuck after ${formatDuration(options.confirmWithinMs)}):\n`,
    );
  }
  const clock = options.clock ?? { now: Date.now };
  const recorder = createRunRecorder({ sink: options.sink, clock, context: options.run });
  const byId = new Map(deletions.map((deletion) => [deletion.gatewayId, deletion]));
  const outcomes = await waitForDeletions(
    deletions.map((deletion) => ({
      gatewayId: deletion.gatewayId,
      gatewayName: deletion.gateway?.name,
      deletedAtMs: Date.parse(deletion.deletedAt),
    })),
    {
      api: options.api,
      clock,
      confirmWithinMs: options.confirmWithinMs,
      sleep: options.sleep,
      onOutcome: (outcome) => {
        const recorded = confirmationOf(outcome, byId.get(outcome.gatewayId), options.run);
        if (recorded) recorder.outcome(recorded);
        else if (outcome.kind === 'unknown' && options.report)
          io.err(
            `gateway-janitor: could not confirm the deletion of ${plainText(outcome.gatewayName ?? outcome.gatewayId)}: ${outcome.error.code}: ${outcome.error.message}\n`,
          );
      },
      progress: io.progress ? (line) => io.err(`\r\x1b[2K${line}`) : undefined,
    },
  );
  const unfinished = outcomes.filter((outcome) => outcome.kind !== 'confirmed');
  if (unfinished.length > 0) io.err(closingLine(unfinished, outcomes.length));
  return unfinished.length === 0;
}

/** Why --wait ends in exit 1, and what to do about it (docs/operations.md, "delete-stuck"). */
function closingLine(unfinished: readonly WaitOutcome[], total: number): string {
  const names = (kind: WaitOutcome['kind']) =>
    unfinished
      .filter((outcome) => outcome.kind === kind)
      .map((outcome) => plainText(outcome.gatewayName ?? outcome.gatewayId));
  const stuck = names('stuck');
  const unknown = names('unknown');
  const parts = [
    ...(stuck.length ? [`${stuck.length} stuck (${stuck.join(', ')})`] : []),
    ...(unknown.length ? [`${unknown.length} could not be checked (${unknown.join(', ')})`] : []),
  ];
  return `gateway-janitor: ${unfinished.length} of ${total} deletion(s) did not finish: ${parts.join('; ')}. Exit 1: a stuck gateway may still be billed; see docs/operations.md, "delete-stuck".\n`;
}

/** The outcome the teardown function would record for this wait; none for `unknown`. */
function confirmationOf(
  outcome: WaitOutcome,
  deletion: ConfirmableDeletion | undefined,
  run: RunContext,
): GatewayOutcome | undefined {
  if (outcome.kind === 'unknown') return undefined;
  const about: Parameters<typeof confirmationOutcome>[1] = {
    gatewayId: outcome.gatewayId,
    deletionRunId: run.runId,
  };
  if (deletion?.gateway) about.gateway = deletion.gateway;
  if (deletion?.ruleId) about.ruleId = deletion.ruleId;
  if (deletion) about.deletedAt = deletion.deletedAt;
  if (outcome.http) about.http = outcome.http;
  return confirmationOutcome(outcome, about);
}
