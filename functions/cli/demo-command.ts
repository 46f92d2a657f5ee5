import type { AuditRecord } from '#core/audit/record';
import type { SweepSummary } from '#core/sweep/run-sweep';
import type { CliIo } from './cli-io.ts';
import { demoNotice } from './demo-notice.ts';
import { stageDemoRegistry } from './demo-registry.ts';
import { REASON_ORDER, reasonLabel } from './describe-verdict.ts';
import { displayPath, EXAMPLE_POLICY, openSession } from './open-session.ts';
import { fetchPlan } from './plan-command.ts';
import { renderPlanTable } from './render-plan-table.ts';
import { sweepCommand } from './sweep-command.ts';

/**
 * `demo` (npm start): the janitor end to end with nothing to sign up for. Starts the
 * embedded simulator with the seeded fleet, shows the plan under the bundled example
 * policy, runs a live sweep, waits for its deletions, then sums up in a few lines. The
 * audit records, as the Lambdas log them, only with --json (docs/cli.md).
 */
export async function demoCommand(io: CliIo, flags: { json?: boolean } = {}): Promise<number> {
  // A little latency and modest concurrency, so deletions visibly arrive one by one.
  const session = await openSession({ simulate: true, apply: true, concurrency: '4' }, io);
  try {
    session.simulator?.setLatency(25);
    const policy = displayPath(EXAMPLE_POLICY);
    io.out(
      `gateway-janitor demo: ${session.target}, seeded with ${session.simulator?.list().length} gateways; policy ${policy}\n\n`,
    );
    const nowMs = Date.now();
    if (session.registry && session.simulator) {
      const commands = await stageDemoRegistry(session.registry, session.simulator, nowMs);
      io.out(
        `Registry (in memory here; a DynamoDB table in AWS), steered as these commands would:\n${commands.map((c) => `  ${c}\n`).join('')}\n`,
      );
    }
    const plan = await fetchPlan(session, nowMs);
    io.out(`Plan (what \`gateway-janitor plan\` shows):\n\n${renderPlanTable(plan, nowMs)}\n`);
    const records: AuditRecord[] = [];
    // --wait: the simulator's gateways vanish a second after their DELETE, so each
    // deletion is confirmed on screen, as the teardown function would confirm it.
    const { code, summary } = await sweepCommand(session, { apply: true, wait: true }, io, [
      { write: (record) => records.push(record) },
    ]);
    io.out(`\n${renderDemoSummary(summary, records)}`);
    const noticed = await demoNotice(session, io);
    const gone = noticed.filter((r) => r.event === 'gateway.deleted').length;
    io.out(
      `  In short: its owner was told once (gateway.noticed), the gateway waited out the grace (notice_pending), then ${gone ? 'went on the first sweep after it' : 'was kept'}.\n`,
    );
    if (flags.json) {
      io.out(
        '\nAudit records (one JSON line each, as the Lambdas log them under "audit"; the confirmations come from the teardown function in AWS):\n',
      );
      for (const record of records) io.out(`${JSON.stringify({ audit: record })}\n`);
    }
    io.out(
      [
        '',
        'Next:',
        '  npx gateway-janitor plan --simulate           # the plan again, on a fresh fleet',
        '  npm start -- --json                           # the audit records, as the Lambdas log them',
        `  COREWEAVE_API_TOKEN=... npx gateway-janitor plan --policy ${policy}   # your own fleet, deletes nothing`,
        '  README.md, "A five-minute tour", and docs/cli.md',
        '',
      ].join('\n'),
    );
    return code;
  } finally {
    await session.close();
  }
}

/** A few plain sentences on what the sweep did, for someone who has never seen the janitor. */
export function renderDemoSummary(summary: SweepSummary, records: readonly AuditRecord[]): string {
  const count = (event: AuditRecord['event']) => records.filter((r) => r.event === event).length;
  const deleted = count('gateway.deleted');
  const deployments = count('deployment.deleted');
  const confirmed = count('gateway.delete_confirmed');
  const lines = [
    `In short: ${summary.listed} gateways listed, ${summary.expired} expired under the policy.`,
    `  Deleted ${deleted} gateway(s)${deployments ? `, and before them ${deployments} deployment(s) that served only expired gateways of a rule that cascades` : ''}; ${confirmed} of ${deleted} confirmed gone.`,
    `  Kept ${summary.listed - summary.expired}: ${keptBreakdown(summary)}.`,
  ];
  const leased = records.filter(
    (r) => r.event === 'gateway.deleted' && r.reason === 'lease_expired',
  );
  if (leased.length > 0)
    lines.push(
      `  The registry decided too: ${leased.map((r) => r.gatewayName).join(', ')} deleted when its lease ran out (no rule matches it), its lease then released; ${keptByRegistry(summary)}.`,
    );
  lines.push(
    `  Each sweep and confirmation line above is an audit record (${records.length} in all); \`npm start -- --json\` prints them.`,
  );
  return `${lines.join('\n')}\n`;
}

/** What the registry kept: an extended lease not yet run out, an exemption in force. */
function keptByRegistry(summary: SweepSummary): string {
  const kept = summary.plan.entries.filter(
    ({ verdict }) =>
      verdict.action === 'keep' &&
      (verdict.reason === 'exempt' ||
        (verdict.decidedBy === 'lease' && verdict.reason === 'too_young')),
  );
  return kept
    .map(({ gateway, verdict }) =>
      verdict.reason === 'exempt'
        ? `${gateway.name} kept by its exemption`
        : `${gateway.name} kept by its extended lease (owner ${verdict.owner})`,
    )
    .join(', ');
}

function keptBreakdown(summary: SweepSummary): string {
  return REASON_ORDER.filter((reason) => summary.kept[reason])
    .map((reason) => `${summary.kept[reason]} ${reasonLabel(reason)}`)
    .join(', ');
}
