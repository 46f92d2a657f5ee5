import { userInfo } from 'node:os';
import { runTeardown } from '#core/teardown/run-teardown';
import { formatDuration, parseRfc3339 } from '#core/time';
import type { CliIo } from './cli-io.ts';
import { cliRunDeps } from './cli-run-deps.ts';
import { confirmIfWaiting } from './confirm-deletions.ts';
import { openAuditSink } from './open-audit-sink.ts';
import type { Session } from './open-session.ts';
import { renderCounts } from './render-summary.ts';
import { ReportingSink } from './reporting-sink.ts';
import { needsListing, type Resolved, resolveGateway } from './resolve-gateway.ts';
import { plainText } from './safe-output.ts';

/** Flags of `teardown`. */
export interface TeardownFlags {
  apply?: boolean;
  json?: boolean;
  auditFile?: string;
  /** the request's `deleteDeployments` (docs/contract.md "Never orphan what is serving") */
  deleteDeployments?: boolean;
  /** after a live run, poll until each deletion is confirmed or stuck */
  wait?: boolean;
}

/**
 * The gateways the arguments name (docs/cli.md, "Naming a gateway"): full uuids as given,
 * names and id prefixes against one listing, made only when some argument needs it.
 */
export async function resolveTeardownTargets(
  session: Pick<Session, 'api'>,
  args: readonly string[],
): Promise<Resolved[]> {
  const listed = args.some(needsListing)
    ? await session.api.list({ budgetMs: () => Number.POSITIVE_INFINITY })
    : [];
  return args.map((arg, index) => resolveGateway(arg, listed, `<gateway> #${index + 1}`));
}

/**
 * `teardown`: the teardown Lambda's use case for ids given on the command line, each
 * re-checked against the live gateway and the policy's protect list; a dry run unless
 * --apply. Exits 1 when any request failed.
 */
export async function teardownCommand(
  session: Session,
  args: readonly string[],
  flags: TeardownFlags,
  io: CliIo,
): Promise<number> {
  const targets = await resolveTeardownTargets(session, args);
  const waiting: string[] = [];
  const deleting: string[] = [];
  const audit = openAuditSink(flags, io, [
    {
      write: (record) => {
        if (record.event === 'gateway.skipped' && record.reason === 'deployments_deleting')
          waiting.push(plainText(record.gatewayName ?? record.gatewayId ?? '?'));
        if (record.event === 'gateway.already_gone' && record.reason === 'already_deleting')
          deleting.push(record.gatewayId ?? '');
      },
    },
  ]);
  const reporter = new ReportingSink(audit.sink, io, { lines: !flags.json });
  const dryRun = !flags.apply;
  const requestedBy = `cli:${safeUser()}`;
  if (!flags.json) {
    const mode = dryRun ? 'dry run, nothing will be deleted' : 'LIVE, deleting';
    io.out(`Tearing down ${targets.length} gateway(s) on ${session.target} (${mode}):\n`);
  }
  try {
    // Same bodies a CI pipeline would queue; no expiresAt, so every request is due now. A
    // gateway named by name or prefix is pinned to what was listed, so the teardown deletes
    // that gateway or none (docs/contract.md "Triggers", stale_request).
    const messages = targets.map((target, i) => ({
      messageId: `cli-${i + 1}`,
      body: JSON.stringify({
        gatewayId: target.id,
        requestedBy,
        ...(target.by !== 'id' ? pinned(target) : {}),
        ...(flags.deleteDeployments ? { deleteDeployments: true } : {}),
      }),
    }));
    // A terminal: nothing can be re-sent, so a request that would be is skipped and shown.
    const deps = { ...cliRunDeps(session, reporter, dryRun), mode: { kind: 'terminal' } as const };
    const result = await runTeardown(messages, deps);
    reporter.finish();
    if (result.stopError) throw result.stopError;
    if (!flags.json) {
      io.out(`\nTeardown ${dryRun ? '(dry run)' : '(live)'}: ${renderCounts(result.counts)}\n`);
      if (dryRun && result.counts['gateway.would_delete'])
        io.out('  Dry run: nothing was deleted. Add --apply to delete.\n');
      // The API refuses to delete a gateway while its deployments are still deleting
      // (docs/contract.md "Never orphan what is serving"); nothing failed, it is not done yet.
      if (waiting.length > 0)
        io.out(
          `  ${waiting.join(', ')}: its deployments are still deleting. Run the same command again in a minute to delete the gateway.\n`,
        );
    }
    if (!flags.json) await reportLongDeletions(session, deleting, io);
    const confirmed = await confirmIfWaiting(
      flags,
      session,
      { deletions: result.deletions, sink: reporter, context: deps.run },
      io,
    );
    reporter.finish();
    const failed = (result.counts['gateway.delete_failed'] ?? 0) + result.retry.length;
    return failed === 0 && confirmed ? 0 : 1;
  } finally {
    reporter.finish();
    audit.close();
  }
}

/**
 * A gateway a request found already deleting is not gone: one deleting for longer than
 * DELETE_CONFIRM_WITHIN may be stuck and still billed (docs/operations.md, "delete-stuck").
 */
async function reportLongDeletions(
  session: Session,
  ids: readonly string[],
  io: CliIo,
): Promise<void> {
  const nowMs = Date.now();
  for (const id of ids) {
    const { gateway } = await session.api.get(id, { budgetMs: () => Number.POSITIVE_INFINITY });
    const since = parseRfc3339(gateway?.updatedAt);
    if (gateway?.status !== 'STATUS_DELETING' || since === undefined) continue;
    const name = plainText(gateway.name || id);
    const forMs = Math.max(0, nowMs - since);
    io.out(
      forMs >= session.config.confirmWithinMs
        ? `  ${name}: not gone, still deleting after ${formatDuration(forMs)}, longer than ${formatDuration(session.config.confirmWithinMs)}: the deletion may be stuck and still billed (docs/operations.md, "delete-stuck").\n`
        : `  ${name}: not gone yet, deleting for ${formatDuration(forMs)} (stuck after ${formatDuration(session.config.confirmWithinMs)}).\n`,
    );
  }
}

function pinned(target: Resolved): { expectedName?: string; expectedCreatedAt?: string } {
  return {
    ...(target.name ? { expectedName: target.name } : {}),
    ...(target.createdAt && parseRfc3339(target.createdAt) !== undefined
      ? { expectedCreatedAt: target.createdAt }
      : {}),
  };
}

function safeUser(): string {
  try {
    return userInfo().username.replace(/[^\w.-]/g, '') || 'unknown';
  } catch {
    return 'unknown';
  }
}
