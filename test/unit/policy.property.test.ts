import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normaliseStatus } from '#adapters/coreweave/wire';
import { GATEWAY_ID, type Gateway, KNOWN_STATUSES } from '#core/model';
import { compilePolicy } from '#core/policy/compile-policy';
import { evaluateGateway, findRule } from '#core/policy/evaluate-gateway';
import { parsePolicy } from '#core/policy/policy';
import { planCleanup } from '#core/sweep/plan';
import { parseDuration } from '#core/time';
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
const unknownStatus = fc
  .oneof(fc.integer({ min: 1, max: 1000 }).map(String), fc.string({ maxLength: 12 }))
  .map((raw) => `STATUS_UNKNOWN(${raw})` as const);
const gateway = fc.record({
  id: fc.oneof(
    { weight: 8, arbitrary: uuid },
    { weight: 1, arbitrary: fc.constantFrom('', 'gw-1') },
  ),
  name: names,
  zones: fc.subarray(['US-EAST-04A', 'US-WEST-04A']),
  organizationId: fc.constantFrom('a1b2c3', 'zz9'),
  status: fc.oneof(fc.constantFrom(...KNOWN_STATUSES), unknownStatus),
  createdAt,
  updatedAt: createdAt,
  conditions: fc.constant([]),
  endpoints: fc.constant([]),
}) as fc.Arbitrary<Gateway>;

const rule = fc
  .record({
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
    ageFrom: fc.constantFrom(undefined, 'createdAt', 'updatedAt'),
  })
  .map(({ ageFrom, ...rest }) => (ageFrom === undefined ? rest : { ...rest, ageFrom }));
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
          const rule = parsed.rules.find((r) => r.id === verdict.ruleId);
          const ageFrom = rule?.ageFrom ?? (rule?.match.status ? 'updatedAt' : 'createdAt');
          const since = Date.parse(g[ageFrom] ?? '');
          expect(Number.isNaN(since)).toBe(false);
          expect(NOW - since).toBeGreaterThanOrEqual(
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
          gateways.map((g, i) =>
            plan.entries[i]?.verdict.reason === 'duplicate_id'
              ? { action: 'keep', reason: 'duplicate_id' }
              : evaluateGateway(g, policy, NOW),
          ),
        );
      }),
      { numRuns: 100 },
    );
  });

  it('no status rule ever matches a status the wire sent as a number or an undocumented name', () => {
    const known = new Set<string>(KNOWN_STATUSES);
    const raw = fc.oneof(
      fc.integer({ min: 1, max: 100 }),
      fc.integer({ min: -100, max: -1 }),
      fc.string({ maxLength: 20 }).filter((text) => text !== '' && !known.has(text)),
    );
    fc.assert(
      fc.property(policyDoc, gateway, raw, (doc, g, wireStatus) => {
        const policy = compilePolicy(parsePolicy(doc));
        const status = normaliseStatus(wireStatus);
        expect(status).toMatch(/^STATUS_UNKNOWN\(/);
        expect(findRule({ ...g, status }, policy)?.status).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('never deletes a gateway without a uuid id and a name, or whose id is listed twice', () => {
    fc.assert(
      fc.property(policyDoc, fc.array(gateway, { maxLength: 30 }), (doc, gateways) => {
        const listed = [...gateways, ...gateways.slice(0, 2)];
        const plan = planCleanup(listed, compilePolicy(parsePolicy(doc)), NOW);
        const count = (id: string) =>
          listed.filter((g) => g.id.toLowerCase() === id.toLowerCase()).length;
        for (const { gateway: g } of plan.expired) {
          expect(g.id).toMatch(GATEWAY_ID);
          expect(g.name.trim()).not.toBe('');
          expect(count(g.id)).toBe(1);
        }
      }),
      { numRuns: 200 },
    );
  });
});
