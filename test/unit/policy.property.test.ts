import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '#core/compile-policy';
import { parseDuration } from '#core/duration';
import { evaluateGateway } from '#core/evaluate-gateway';
import { type Gateway, KNOWN_STATUSES } from '#core/gateway';
import { planCleanup } from '#core/plan-cleanup';
import { parsePolicy } from '#core/policy';
import { NOW } from '#test/fixtures/gateway-builder';

const names = fc.constantFrom('pr-1', 'pr-22', 'prod-api', 'prod-x', 'exp-3', 'demo', 'tmp-a', '');
const hex = (n: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n });
const uuid = fc.tuple(hex(8), hex(4), hex(4), hex(4), hex(12)).map((parts) => parts.join('-'));
const createdAt = fc.oneof(
  fc
    .integer({ min: -10 * 86_400_000, max: 400 * 86_400_000 })
    .map((ageMs) => new Date(NOW - ageMs).toISOString()),
  fc.constantFrom(undefined, '', 'not-a-date', '2026-13-01T00:00:00Z', '2026-01-01T00:00:00'),
);
const gateway = fc.record({
  id: uuid,
  name: names,
  zones: fc.subarray(['US-EAST-04A', 'US-WEST-04A']),
  organizationId: fc.constantFrom('a1b2c3', 'zz9'),
  status: fc.constantFrom(...KNOWN_STATUSES, 'STATUS_UNKNOWN(42)' as const),
  createdAt,
  conditions: fc.constant([]),
  endpoints: fc.constant([]),
}) as fc.Arbitrary<Gateway>;

const rule = fc.record({
  id: fc.constantFrom('a', 'b', 'c', 'd'),
  match: fc.record(
    {
      name: fc.constantFrom('pr-*', 'prod-*', '*', 'tmp-?'),
      zones: fc.constant(['US-EAST-04A']),
      status: fc.subarray([...KNOWN_STATUSES], { minLength: 1 }),
      organizationId: fc.constantFrom('a1b2c3', 'zz9'),
    },
    { requiredKeys: [] },
  ),
  maxAge: fc.constantFrom('30m', '6h', '7d', '1d12h', '90d'),
});
const policyDoc = fc.record({
  rules: fc.uniqueArray(rule, { minLength: 1, maxLength: 4, selector: (r) => r.id }),
  protect: fc.record({
    ids: fc.array(uuid, { maxLength: 2 }),
    names: fc.subarray(['prod-*', 'demo']),
  }),
});

describe('policy properties', () => {
  it('never deletes a protected gateway, one already deleting, or one younger than its rule allows', () => {
    fc.assert(
      fc.property(policyDoc, fc.array(gateway, { maxLength: 30 }), (doc, gateways) => {
        const parsed = parsePolicy(doc);
        const policy = compilePolicy(parsed);
        const plan = planCleanup(gateways, policy, NOW);
        for (const { gateway: g, verdict } of plan.expired) {
          expect(g.name.startsWith('prod-') && parsed.protect.names.includes('prod-*')).toBe(false);
          expect(parsed.protect.ids).not.toContain(g.id);
          expect(g.status).not.toBe('STATUS_DELETING');
          const created = Date.parse(g.createdAt ?? '');
          expect(Number.isNaN(created)).toBe(false);
          const rule = parsed.rules.find((r) => r.id === verdict.ruleId);
          expect(NOW - created).toBeGreaterThanOrEqual(
            parseDuration(rule?.maxAge ?? '') ?? Number.POSITIVE_INFINITY,
          );
        }
      }),
      { numRuns: 300 },
    );
  });

  it('gives every gateway exactly one verdict, and the plan is the same on every evaluation', () => {
    fc.assert(
      fc.property(policyDoc, fc.array(gateway, { maxLength: 30 }), (doc, gateways) => {
        const policy = compilePolicy(parsePolicy(doc));
        const plan = planCleanup(gateways, policy, NOW);
        expect(plan.entries).toHaveLength(gateways.length);
        expect(plan.entries.map((e) => e.verdict)).toEqual(
          gateways.map((g) => evaluateGateway(g, policy, NOW)),
        );
      }),
      { numRuns: 100 },
    );
  });
});
