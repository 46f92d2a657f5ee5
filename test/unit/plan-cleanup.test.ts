import { describe, expect, it } from 'vitest';
import { compilePolicy } from '#core/policy/compile-policy';
import { parsePolicy } from '#core/policy/policy';
import { planCleanup } from '#core/sweep/plan';
import { aGateway, hoursAgo, NOW } from '#test/fixtures/gateway-builder';

const withLimits = (limits?: object) =>
  compilePolicy(
    parsePolicy({
      rules: [{ id: 'old', match: { name: 'old-*' }, maxAge: '1h' }],
      ...(limits ? { limits } : {}),
    }),
  );
const fleet = (expired: number, fresh: number) => [
  ...Array.from({ length: expired }, (_, i) =>
    aGateway({ name: `old-${i}`, createdAt: hoursAgo(2) }),
  ),
  ...Array.from({ length: fresh }, (_, i) =>
    aGateway({ name: `new-${i}`, createdAt: hoursAgo(2) }),
  ),
];

describe('planCleanup', () => {
  it('gives every listed gateway a verdict and lists the expired ones', () => {
    const plan = planCleanup(fleet(3, 7), withLimits(), NOW);
    expect(plan.entries).toHaveLength(10);
    expect(plan.expired.map((e) => e.gateway.name)).toEqual(['old-0', 'old-1', 'old-2']);
    expect(plan.blastRadius.exceeded).toBe(false);
  });

  it.each([
    ['more than maxDeletesPerRun by default', 26, 100, undefined, true],
    ['exactly maxDeletesPerRun by default', 25, 100, undefined, false],
    ['more than maxDeletePercent by default', 6, 5, undefined, true],
    ['exactly maxDeletePercent', 5, 5, undefined, false],
    ['a custom count limit', 3, 100, { maxDeletesPerRun: 2 }, true],
    ['a percent limit of 100 lets everything go', 4, 0, { maxDeletePercent: 100 }, false],
    ['a count limit of 0 blocks any deletion', 1, 100, { maxDeletesPerRun: 0 }, true],
  ])('blast radius: %s', (_title, expired, fresh, limits, exceeded) => {
    const plan = planCleanup(fleet(expired, fresh), withLimits(limits), NOW);
    expect(plan.blastRadius.exceeded).toBe(exceeded);
    expect(plan.blastRadius.expired).toBe(expired);
    expect(plan.blastRadius.listed).toBe(expired + fresh);
  });

  it('keeps every entry of an id listed twice, once under a protected name (duplicate_id)', () => {
    // Prepare
    const policy = compilePolicy(
      parsePolicy({
        rules: [{ id: 'old', match: { name: 'old-*' }, maxAge: '1h' }],
        protect: { names: ['prod-*'] },
        limits: { maxDeletePercent: 100 },
      }),
    );
    const twin = aGateway({ name: 'old-twin', createdAt: hoursAgo(2) });
    const gateways = [
      aGateway({ id: twin.id, name: 'prod-api', createdAt: hoursAgo(2) }),
      twin,
      aGateway({ id: twin.id.toUpperCase(), name: 'old-upper', createdAt: hoursAgo(2) }),
      aGateway({ name: 'old-single', createdAt: hoursAgo(2) }),
    ];
    // Act
    const plan = planCleanup(gateways, policy, NOW);
    // Assess
    expect(plan.entries.map((e) => [e.gateway.name, e.verdict.reason])).toEqual([
      ['prod-api', 'duplicate_id'],
      ['old-twin', 'duplicate_id'],
      ['old-upper', 'duplicate_id'],
      ['old-single', 'expired'],
    ]);
    expect(plan.expired.map((e) => e.gateway.name)).toEqual(['old-single']);
  });

  it('does not count two gateways without an id as duplicates of each other', () => {
    const gateways = [
      aGateway({ id: '', name: 'old-a', createdAt: hoursAgo(2) }),
      aGateway({ id: '', name: 'old-b', createdAt: hoursAgo(2) }),
    ];
    const plan = planCleanup(gateways, withLimits({ maxDeletePercent: 100 }), NOW);
    expect(plan.entries.map((e) => e.verdict.reason)).toEqual([
      'unknown_identity',
      'unknown_identity',
    ]);
  });

  it('is not exceeded by an empty fleet', () => {
    expect(planCleanup([], withLimits(), NOW).blastRadius.exceeded).toBe(false);
  });
});
