import { describe, expect, it } from 'vitest';
import { describeVerdict } from '#cli/describe-verdict';
import { formatAge } from '#cli/format-age';
import { renderPlanTable } from '#cli/render-plan-table';
import type { Gateway } from '#core/model';
import { compilePolicy } from '#core/policy/compile-policy';
import type { Verdict } from '#core/policy/evaluate-gateway';
import { parsePolicy } from '#core/policy/policy';
import { planCleanup } from '#core/sweep/plan';

const H = 3_600_000;
const D = 24 * H;

describe('formatAge', () => {
  it.each([
    [0, '0s'],
    [45_000, '45s'],
    [6 * H + 22_000, '6h'],
    [6 * H + 5 * 60_000, '6h5m'],
    [9 * D + 1_000, '9d'],
    [2 * D + 21 * H + 59 * 60_000, '2d21h'],
    [-5_000, '0s'],
  ])('formats %i ms as %s', (ms, text) => {
    expect(formatAge(ms)).toBe(text);
  });
});

describe('describeVerdict', () => {
  it.each<[Verdict, string]>([
    [
      { action: 'delete', reason: 'expired', ruleId: 'pr', ageMs: 9 * D, maxAgeMs: 3 * D },
      'expired by 6d (rule pr, max 3d)',
    ],
    [
      { action: 'keep', reason: 'too_young', ruleId: 'pr', ageMs: 3 * H, maxAgeMs: 3 * D },
      'too young: 2d21h left (rule pr, max 3d)',
    ],
    [
      { action: 'keep', reason: 'unknown_age', ruleId: 'pr', maxAgeMs: 3 * D },
      'unknown age: createdAt missing, unparseable or in the future (rule pr)',
    ],
    [
      {
        action: 'keep',
        reason: 'protected',
        ruleId: 'load',
        deployments: [{ id: 'd', name: 'prod-bench' }],
      },
      'expired, but used by deployment prod-bench, and a cascade takes no protected deployment (rule load)',
    ],
    [
      {
        action: 'keep',
        reason: 'unknown_identity',
        ruleId: 'load',
        deployments: [{ id: 'd', name: '' }],
      },
      'expired, but used by deployment d, and a cascade takes no deployment without a uuid id or a name (rule load)',
    ],
    [{ action: 'keep', reason: 'no_matching_rule' }, 'no rule matches'],
    [{ action: 'keep', reason: 'already_deleting' }, 'already deleting'],
    [{ action: 'keep', reason: 'protected' }, 'protected by the policy'],
    [
      { action: 'keep', reason: 'unknown_age', ruleId: 'broken', ageFrom: 'updatedAt' },
      'unknown age: updatedAt missing, unparseable or in the future (rule broken)',
    ],
    [
      { action: 'keep', reason: 'unknown_identity' },
      'unknown identity: no uuid id or no name, so protection cannot be checked',
    ],
    [
      { action: 'keep', reason: 'duplicate_id' },
      'duplicate id: listed more than once, so a DELETE could hit the wrong one',
    ],
  ])('explains %o as "%s"', (verdict, text) => {
    expect(describeVerdict(verdict)).toBe(text);
  });
});

describe('renderPlanTable', () => {
  const NOW_MS = Date.parse('2026-11-26T12:00:00Z');
  const iso = (hoursAgo: number) => new Date(NOW_MS - hoursAgo * H).toISOString();
  const gateway = (name: string, extra: Partial<Gateway> = {}): Gateway => ({
    id: '00000000-0000-4000-8000-000000000001',
    name,
    zones: [],
    status: 'STATUS_ERROR',
    conditions: [],
    endpoints: [],
    createdAt: iso(720),
    updatedAt: iso(5 / 60),
    ...extra,
  });

  it('shows the age a status rule measured, since the last update, and says so', () => {
    // Prepare
    const policy = compilePolicy(
      parsePolicy({ rules: [{ id: 'broken', match: { status: ['STATUS_ERROR'] }, maxAge: '6h' }] }),
    );
    const plan = planCleanup([gateway('chat-east')], policy, NOW_MS);
    // Act
    const table = renderPlanTable(plan, NOW_MS);
    // Assess
    const row = table.split('\n').find((line) => line.startsWith('chat-east'));
    expect(row).toMatch(
      /error\s+5m since update\s+-\s+\d{4}-\d\d-\d\d \d\d:\d\dZ\s+keep\s+too young: 5h55m left \(rule broken/,
    );
  });

  it('shows ? for a gateway listed without a name or id', () => {
    const policy = compilePolicy(parsePolicy({ rules: [{ id: 'all', match: {}, maxAge: '1h' }] }));
    const plan = planCleanup([gateway('', { id: '' })], policy, NOW_MS);
    const row = renderPlanTable(plan, NOW_MS).split('\n')[1];
    expect(row).toMatch(/^\?\s+\?\s+error\s+30d\s+-\s+-\s+keep\s+unknown identity/);
  });
});
