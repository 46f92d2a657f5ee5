import { randomUUID } from 'node:crypto';
import { createSnsOwnerNotices } from '#adapters/aws/sns-owner-notices';
import type { AuditSink } from '#core/audit/record';
import type { RunDeps } from '#core/audit/recorder';
import type { ConfirmSettings } from '#core/confirmation/confirmation';
import type { SweepDeps } from '#core/sweep/run-sweep';
import type { Session } from './open-session.ts';

/** A CLI run's dependencies: the session's client, policy and registry, the CLI as trigger. */
export function cliRunDeps(
  session: Session,
  sink: AuditSink,
  dryRun: boolean,
): RunDeps & { confirm: ConfirmSettings } & Pick<SweepDeps, 'notices'> {
  const topicArn = session.config.noticeTopicArn;
  return {
    api: session.api,
    sink,
    clock: { now: Date.now },
    // An operator's terminal has no invocation timeout; Ctrl-C is the deadline.
    deadline: { budgetMs: () => Number.POSITIVE_INFINITY },
    policy: session.policy,
    concurrency: session.config.deleteConcurrency,
    run: { runId: randomUUID(), trigger: 'cli', dryRun },
    // No queue: the CLI confirms by polling (--wait); the window still marks stuck deletions.
    confirm: { afterMs: session.config.confirmAfterMs, withinMs: session.config.confirmWithinMs },
    // The table of --registry-table, or the embedded simulator's in-memory one: leases,
    // exemptions, the pause and the budget hold for the CLI as for the functions.
    ...(session.registry ? { registry: session.registry } : {}),
    // Owners are told on the topic of NOTICE_TOPIC_ARN; without it, notices fail and keep.
    ...(topicArn ? { notices: createSnsOwnerNotices({ topicArn }) } : {}),
  };
}
