import { describe, expect, it } from 'vitest';
import { createMemoryRegistry } from '#adapters/memory-registry';
import { planJson } from '#cli/plan-command';
import { expiringWithin, renderPlanTable } from '#cli/render-plan-table';
import type { Gateway } from '#core/model';
import { compilePolicy } from '#core/policy/compile-policy';
import { parsePolicy } from '#core/policy/policy';
import { planCleanup } from '#core/sweep/plan';
import { aGateway, hoursAgo, NOW } from '#test/fixtures/gateway-builder';
import { runCliInProcess } from './run-cli-in-process.ts';

const H = 3_600_000;
const POLICY = compilePolicy(
  parsePolicy({ rules: [{ id: 'pr-previews', match: { name: 'pr-*' }, maxAge: '72h' }] }),
);

/** A plan of `gateways` with `leased` leased to team-search, expiring in `hours`. */
async function planWithLease(gateways: Gateway[], leased: Gateway, hours: number) {
  const { registry } = createMemoryRegistry();
  await registry.setLease(
    {
      gatewayId: leased.id,
      expiresAt: NOW + hours * H,
      owner: 'team-search',
      identity: { name: leased.name },
    },
    NOW,
  );
  return planCleanup(gateways, POLICY, NOW, await registry.snapshot());
}

const rowOf = (table: string, name: string) =>
  table.split('\n').find((line) => line.startsWith(`${name} `));

describe('plan with OWNER and DELETES AFTER', () => {
  it("shows a leased gateway's owner and its lease's expiry, and a rule's deletion time", async () => {
    // Prepare
    const leased = aGateway({ name: 'scratch-1', createdAt: hoursAgo(1) });
    const ruled = aGateway({ name: 'pr-2', createdAt: hoursAgo(70) });
    const plan = await planWithLease([leased, ruled], leased, 30);
    // Act
    const table = renderPlanTable(plan, NOW);
    // Assess
    expect(rowOf(table, 'scratch-1')).toMatch(
      /team-search\s+2026-11-27 18:00Z\s+keep\s+leased \(owner team-search\): not expired yet/,
    );
    expect(rowOf(table, 'pr-2')).toMatch(/\s-\s+2026-11-26 14:00Z\s+keep\s+too young/);
    expect(table).toContain('registry: on');
  });

  it("shows the rule's owner, else notice.defaultOwner, where no lease names one", async () => {
    // Prepare
    const policy = compilePolicy(
      parsePolicy({
        rules: [
          { id: 'pr-previews', match: { name: 'pr-*' }, maxAge: '72h', owner: 'team-web' },
          { id: 'rest', match: { name: '*' }, maxAge: '30d' },
        ],
        notice: { before: '24h', defaultOwner: 'platform' },
      }),
    );
    const gateways = [aGateway({ name: 'pr-1' }), aGateway({ name: 'exp-1' })];
    // Act
    const plan = planCleanup(gateways, policy, NOW);
    // Assess
    expect(plan.entries.map((e) => [e.gateway.name, e.verdict.owner])).toEqual([
      ['pr-1', 'team-web'],
      ['exp-1', 'platform'],
    ]);
  });

  it('lists only the gateways deleted within --expiring, past due included', async () => {
    // Prepare
    const soon = aGateway({ name: 'pr-soon', createdAt: hoursAgo(70) });
    const due = aGateway({ name: 'pr-due', createdAt: hoursAgo(80) });
    const later = aGateway({ name: 'scratch-later', createdAt: hoursAgo(1) });
    const never = aGateway({ name: 'other', createdAt: hoursAgo(500) });
    const plan = await planWithLease([soon, due, later, never], later, 48);
    // Act
    const within = expiringWithin(plan.entries, NOW, 24 * H);
    const json = planJson(plan, NOW, within);
    // Assess
    expect(within.map((e) => e.gateway.name).sort()).toEqual(['pr-due', 'pr-soon']);
    expect(json.gateways.map((g) => [g.name, g.deletesAfter])).toEqual([
      ['pr-due', '2026-11-26T04:00:00.000Z'],
      ['pr-soon', '2026-11-26T14:00:00.000Z'],
    ]);
  });

  it('says registry: off without a registry, in the table and in --json', () => {
    // Prepare
    const plan = planCleanup([aGateway({ name: 'pr-1' })], POLICY, NOW);
    // Act
    const table = renderPlanTable(plan, NOW);
    // Assess
    expect(table).toContain('registry: off (no leases or exemptions)');
    expect(planJson(plan, NOW).registry).toBe('off');
  });

  it('plan with a registry says registry: on, and fails (exit 1, no plan) when it cannot be read', async () => {
    // Prepare
    const { registry, store } = createMemoryRegistry();
    const plan = (deps = { registry }) =>
      runCliInProcess(['plan', '--simulate', '--json'], { deps });
    // Act
    const on = await plan();
    store.unavailable = true;
    const unreadable = await plan();
    // Assess
    expect(on.code).toBe(0);
    expect(JSON.parse(on.stdout)).toMatchObject({ registry: 'on' });
    expect(unreadable.code).toBe(1);
    expect(unreadable.stdout).toBe('');
    expect(unreadable.stderr).toContain('registry');
  });
});
