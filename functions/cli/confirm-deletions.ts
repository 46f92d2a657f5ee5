import {
  type AuditRecord,
  type AuditSink,
  type RunContext,
  toFinalState,
} from '#core/audit/record';
import type { Clock, GatewayApi } from '#core/ports';
import { formatDuration } from '#core/time';
import type { CliIo } from './cli-io.ts';
import type { Session } from './open-session.ts';
import { plainText } from './safe-output.ts';
import { type WaitOutcome, waitForDeletions } from './wait-for-deletions.ts';

/** What `--wait` needs: the deletions the run recorded, and where its records go. */
export interface ConfirmDeletionsOptions {
  api: Pick<GatewayApi, 'get'>;
  deleted: readonly AuditRecord[];
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
 * After a CLI run: with `--wait`, confirms the deletions the run recorded; without it, there
 * is nothing to wait for.
 */
export function confirmIfWaiting(
  flags: { wait?: boolean; json?: boolean },
  session: Pick<Session, 'api' | 'config'>,
  run: { deleted: readonly AuditRecord[]; sink: AuditSink; context: RunContext },
  io: CliIo,
): Promise<boolean> {
  if (!flags.wait) return Promise.resolve(true);
  return confirmDeletions({
    api: session.api,
    deleted: run.deleted,
    sink: run.sink,
    run: run.context,
    confirmWithinMs: session.config.confirmWithinMs,
    io,
    report: !flags.json,
  });
}

/**
 * `--wait`: polls every gateway the run deleted until its deletion is confirmed or stuck,
 * and records each as the teardown function would (docs/contract.md, "Deletion is
 * confirmed, not assumed"). True when every deletion was confirmed.
 */
export async function confirmDeletions(options: ConfirmDeletionsOptions): Promise<boolean> {
  const { io, deleted } = options;
  if (deleted.length === 0) return true;
  if (options.report) {
    io.out(
      `\nWaiting for ${deleted.length} deletion(s) to finish (stuck after ${formatDuration(options.confirmWithinMs)}):\n`,
    );
  }
  const outcomes = await waitForDeletions(
    deleted.map((record) => ({
      gatewayId: record.gatewayId ?? '',
      gatewayName: record.gatewayName,
      deletedAtMs: Date.parse(record.time),
    })),
    {
      api: options.api,
      clock: options.clock ?? { now: Date.now },
      confirmWithinMs: options.confirmWithinMs,
      sleep: options.sleep,
      onOutcome: (outcome) => {
        const now = (options.clock ?? { now: Date.now }).now();
        const record = confirmationRecord(outcome, options.run, deleted, now);
        if (record) options.sink.write(record);
        else if (outcome.kind === 'unknown' && options.report)
          io.err(
            `gateway-janitor: could not confirm the deletion of ${plainText(outcome.gatewayName ?? outcome.gatewayId)}: ${outcome.error.code}: ${outcome.error.message}\n`,
          );
      },
      progress: io.progress ? (line) => io.err(`\r\x1b[2K${line}`) : undefined,
    },
  );
  return outcomes.every((outcome) => outcome.kind === 'confirmed');
}

/** The record the teardown function would write for this outcome; none for `unknown`. */
function confirmationRecord(
  outcome: WaitOutcome,
  run: RunContext,
  deleted: readonly AuditRecord[],
  now: number,
): AuditRecord | undefined {
  if (outcome.kind === 'unknown') return undefined;
  const deletion = deleted.find((record) => record.gatewayId === outcome.gatewayId);
  const record: AuditRecord = {
    schemaVersion: 1,
    event: outcome.kind === 'confirmed' ? 'gateway.delete_confirmed' : 'gateway.delete_stuck',
    time: new Date(now).toISOString(),
    ...run,
    gatewayId: outcome.gatewayId,
    reason: outcome.reason,
  };
  if (deletion?.gatewayName) record.gatewayName = deletion.gatewayName;
  if (deletion?.organizationId) record.organizationId = deletion.organizationId;
  if (deletion?.ruleId) record.ruleId = deletion.ruleId;
  if (outcome.http) record.http = outcome.http;
  if (deletion) record.deletedAt = deletion.time;
  record.deletionRunId = run.runId;
  if (outcome.kind === 'confirmed') record.secondsToGone = outcome.secondsToGone;
  else record.finalState = toFinalState(outcome.live);
  return record;
}
