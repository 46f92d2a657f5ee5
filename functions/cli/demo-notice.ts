import { setTimeout as sleep } from 'node:timers/promises';
import { createMemoryRegistry } from '#adapters/memory-registry';
import type { OwnerNotice } from '#core/audit/notice';
import type { AuditRecord } from '#core/audit/record';
import { GATEWAY_ID } from '#core/model';
import { runSweep } from '#core/sweep/run-sweep';
import { parseRfc3339 } from '#core/time';
import type { CliIo } from './cli-io.ts';
import { cliRunDeps } from './cli-run-deps.ts';
import type { Session } from './open-session.ts';
import { ReportingSink } from './reporting-sink.ts';
import { plainText } from './safe-output.ts';

// Seconds rather than the day a deployment would give (`notice.before`), so the whole
// cycle fits in the demo: told, wait, deleted (docs/contract.md "Notice before deletion").
const BEFORE_MS = 1_000;
const LEASE_MS = 500;
const OWNER = 'team-demo';

/**
 * The demo's last act: notice before deletion. A short lease on one gateway the sweep
 * kept, in an in-memory registry; a sweep tells its owner (the message printed as SNS
 * would deliver it) and keeps it; after the grace a second sweep deletes it.
 */
export async function demoNotice(session: Session, io: CliIo): Promise<AuditRecord[]> {
  const records: AuditRecord[] = [];
  const deadline = { budgetMs: () => Number.POSITIVE_INFINITY };
  const { deployments } = await session.api.listDeployments(deadline);
  const served = new Set(deployments.flatMap((d) => d.gatewayIds.map((id) => id.toLowerCase())));
  const target = (await session.api.list(deadline)).find(
    (g) =>
      g.status === 'STATUS_READY' &&
      g.name.startsWith('exp-') &&
      GATEWAY_ID.test(g.id) &&
      !served.has(g.id.toLowerCase()),
  );
  if (!target) return records;
  const { registry } = createMemoryRegistry();
  const now = Date.now();
  const createdAt = parseRfc3339(target.createdAt);
  await registry.setLease(
    {
      gatewayId: target.id,
      expiresAt: now + LEASE_MS,
      owner: OWNER,
      identity: { name: target.name, ...(createdAt === undefined ? {} : { createdAt }) },
    },
    now,
  );
  const told: OwnerNotice[] = [];
  const reporter = new ReportingSink({ write: (record) => records.push(record) }, io, {
    lines: true,
  });
  const sweep = () =>
    runSweep({
      ...cliRunDeps(session, reporter, false),
      // Only the lease decides here, so the act shows one gateway's cycle.
      policy: {
        ...session.policy,
        rules: [],
        notice: { beforeMs: BEFORE_MS, defaultOwner: OWNER },
      },
      registry,
      notices: { publish: async (notice) => void told.push(notice) },
    });
  const name = plainText(target.name);
  io.out(
    `\nNotice before deletion (notice.before ${BEFORE_MS / 1000}s): a lease on ${name} ends in ${LEASE_MS / 1000}s, owner ${OWNER}.\n`,
  );
  await sweep();
  reporter.finish();
  for (const notice of told) {
    io.out(`  Message to the notices topic, attribute owner=${notice.owner}:\n`);
    io.out(`  | Subject: ${notice.subject}\n`);
    for (const line of notice.text.split('\n').filter(Boolean)) io.out(`  | ${line}\n`);
  }
  io.out(`  A sweep during the grace keeps it:\n`);
  await sleep(BEFORE_MS / 2);
  await sweep();
  reporter.finish();
  io.out(`  The first sweep after the grace deletes it:\n`);
  await sleep(BEFORE_MS / 2 + 200);
  await sweep();
  reporter.finish();
  return records;
}
