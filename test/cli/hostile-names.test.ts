import { describe, expect, it } from 'vitest';
import { renderPlanTable } from '#cli/render-plan-table';
import { outcomeLine } from '#cli/reporting-sink';
import type { AuditRecord } from '#core/audit/record';
import type { Gateway } from '#core/model';
import { compilePolicy } from '#core/policy/compile-policy';
import { parsePolicy } from '#core/policy/policy';
import { planCleanup } from '#core/sweep/plan';
import { HOSTILE_TEXT, HOSTILE_VALUES, TERMINAL_CONTROL } from '#test/fixtures/hostile-text';

const H = 3_600_000;
const NOW_MS = Date.parse('2026-11-26T12:00:00Z');

// Gateway and deployment names are chosen by whoever created them; the CLI's other
// tables pass them through the same safe-output.ts as `audit` (docs/contract.md).
describe('CLI tables with hostile gateway names', () => {
  const gateway = (name: string, index: number): Gateway => ({
    id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    name,
    zones: [],
    status: 'STATUS_READY',
    conditions: [],
    endpoints: [],
    createdAt: new Date(NOW_MS - 48 * H).toISOString(),
    updatedAt: new Date(NOW_MS - 48 * H).toISOString(),
  });

  it('plan: one line per gateway, with no control character or escape sequence', () => {
    // Prepare
    const policy = compilePolicy(parsePolicy({ rules: [{ id: 'all', match: {}, maxAge: '1h' }] }));
    const plan = planCleanup(HOSTILE_VALUES.map(gateway), policy, NOW_MS);
    plan.deployments = [
      {
        deployment: {
          id: '00000000-0000-4000-8000-00000000d001',
          name: HOSTILE_TEXT.clearScreen,
          gatewayIds: [],
          status: 'STATUS_READY',
        },
      },
    ];
    // Act
    const table = renderPlanTable(plan, NOW_MS);
    // Assess
    const lines = table.trimEnd().split('\n');
    // Header, one row per gateway, a blank line and a four-line footer.
    expect(lines).toHaveLength(1 + HOSTILE_VALUES.length + 5);
    for (const line of lines) expect(line).not.toMatch(TERMINAL_CONTROL);
    expect(table).toContain('pr-1red');
    expect(table).toContain('(pr-1red)');
  });

  it('sweep and teardown outcome lines: names and error messages print as plain text', () => {
    for (const value of HOSTILE_VALUES) {
      const record = {
        event: 'gateway.delete_failed',
        gatewayName: value,
        gatewayId: '00000000-0000-4000-8000-000000000001',
        reason: 'permanent',
        error: { code: 'API_PERMANENT', message: `conflict: ${value}` },
      } as AuditRecord;
      expect(outcomeLine('delete failed', record)).not.toMatch(TERMINAL_CONTROL);
    }
  });
});
