import type { AuditRecord } from '#core/audit/audit-record';
import type { CliIo } from './cli-io.ts';
import { displayPath, EXAMPLE_POLICY, openSession } from './open-session.ts';
import { fetchPlan } from './plan-command.ts';
import { renderPlanTable } from './render-plan-table.ts';
import { sweepCommand } from './sweep-command.ts';

/**
 * `demo` (npm start): the janitor end to end with nothing to sign up for. Starts the
 * embedded simulator with the seeded fleet, shows the plan under the bundled example
 * policy, runs a live sweep, then prints the audit lines as the Lambda would log them.
 */
export async function demoCommand(io: CliIo): Promise<number> {
  // A little latency and modest concurrency, so deletions visibly arrive one by one.
  const session = await openSession({ simulate: true, apply: true, concurrency: '4' }, io);
  try {
    session.simulator?.setLatency(25);
    const policy = displayPath(EXAMPLE_POLICY);
    io.out(
      `gateway-janitor demo: ${session.target}, seeded with ${session.simulator?.list().length} gateways; policy ${policy}\n\n`,
    );
    const nowMs = Date.now();
    const plan = await fetchPlan(session, nowMs);
    io.out(`Plan (what \`gateway-janitor plan\` shows):\n\n${renderPlanTable(plan, nowMs)}\n`);
    const records: AuditRecord[] = [];
    // --wait: the simulator's gateways vanish a second after their DELETE, so each
    // deletion is confirmed on screen, as the teardown function would confirm it.
    const { code } = await sweepCommand(session, { apply: true, wait: true }, io, [
      { write: (record) => records.push(record) },
    ]);
    io.out(
      '\nAudit records (one JSON line each, as the Lambdas log them under "audit"; the confirmations come from the teardown function in AWS):\n',
    );
    for (const record of records) io.out(`${JSON.stringify({ audit: record })}\n`);
    io.out(
      [
        '',
        'Next: try `npx gateway-janitor plan --simulate`, or preview your own fleet (deletes nothing):',
        `  COREWEAVE_API_TOKEN=... npx gateway-janitor plan --policy ${policy}`,
        '',
      ].join('\n'),
    );
    return code;
  } finally {
    await session.close();
  }
}
