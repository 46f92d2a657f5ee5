import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '#core/policy/compile-policy';
import { evaluateGateway } from '#core/policy/evaluate-gateway';
import { parsePolicy, parsePolicyJson } from '#core/policy/policy';
import { aGateway, hoursAgo, NOW, testId } from '#test/fixtures/gateway-builder';

const policy = compilePolicy(
  parsePolicy({
    rules: [
      { id: 'pr-previews', match: { name: 'pr-*' }, maxAge: '72h' },
      { id: 'broken', match: { status: ['STATUS_FAILED', 'STATUS_ERROR'] }, maxAge: '6h' },
      {
        id: 'east-exp',
        match: { nameRegex: '^exp-\\d+$', zones: ['US-EAST-04A'] },
        maxAge: '1d12h',
      },
      { id: 'other-org', match: { organizationId: 'zz9', name: 'tmp-?' }, maxAge: '30m' },
    ],
    protect: { ids: [testId(999)], names: ['prod-*'] },
  }),
);

describe('evaluateGateway', () => {
  it.each([
    [
      'an old pr preview',
      { name: 'pr-1', createdAt: hoursAgo(73) },
      'delete',
      'expired',
      'pr-previews',
    ],
    [
      'a pr preview exactly maxAge old',
      { name: 'pr-1', createdAt: hoursAgo(72) },
      'delete',
      'expired',
      'pr-previews',
    ],
    [
      'a young pr preview',
      { name: 'pr-1', createdAt: hoursAgo(71) },
      'keep',
      'too_young',
      'pr-previews',
    ],
    [
      'a failed gateway past 6h',
      { name: 'x', status: 'STATUS_FAILED', createdAt: hoursAgo(7) },
      'delete',
      'expired',
      'broken',
    ],
    [
      'first matching rule decides',
      { name: 'pr-2', status: 'STATUS_FAILED', createdAt: hoursAgo(7) },
      'keep',
      'too_young',
      'pr-previews',
    ],
    [
      'regex and zone both hold',
      { name: 'exp-12', createdAt: hoursAgo(37) },
      'delete',
      'expired',
      'east-exp',
    ],
    [
      'regex holds but zone does not',
      { name: 'exp-12', zones: ['US-WEST-04A'], createdAt: hoursAgo(37) },
      'keep',
      'no_matching_rule',
      undefined,
    ],
    [
      'organization and ? glob',
      { name: 'tmp-a', organizationId: 'zz9', createdAt: hoursAgo(1) },
      'delete',
      'expired',
      'other-org',
    ],
    [
      '? matches exactly one character',
      { name: 'tmp-ab', organizationId: 'zz9', createdAt: hoursAgo(1) },
      'keep',
      'no_matching_rule',
      undefined,
    ],
    [
      'no rule matches',
      { name: 'demo', createdAt: hoursAgo(9999) },
      'keep',
      'no_matching_rule',
      undefined,
    ],
    [
      'protected by name',
      { name: 'prod-api', status: 'STATUS_FAILED', createdAt: hoursAgo(9999) },
      'keep',
      'protected',
      undefined,
    ],
    [
      'protected by a name glob in another case',
      { name: 'PROD-API', createdAt: hoursAgo(9999), status: 'STATUS_FAILED' },
      'keep',
      'protected',
      undefined,
    ],
    [
      'protected by id',
      { id: testId(999), name: 'pr-9', createdAt: hoursAgo(9999) },
      'keep',
      'protected',
      undefined,
    ],
    [
      'protected by id in upper case',
      { id: testId(999).toUpperCase(), name: 'pr-9', createdAt: hoursAgo(9999) },
      'keep',
      'protected',
      undefined,
    ],
    [
      'already deleting',
      { name: 'pr-1', status: 'STATUS_DELETING', createdAt: hoursAgo(9999) },
      'keep',
      'already_deleting',
      undefined,
    ],
    [
      'missing createdAt',
      { name: 'pr-1', createdAt: undefined },
      'keep',
      'unknown_age',
      'pr-previews',
    ],
    [
      'unparseable createdAt',
      { name: 'pr-1', createdAt: 'last tuesday' },
      'keep',
      'unknown_age',
      'pr-previews',
    ],
    [
      'createdAt without a zone',
      { name: 'pr-1', createdAt: '2026-01-01T00:00:00' },
      'keep',
      'unknown_age',
      'pr-previews',
    ],
    [
      'impossible createdAt date',
      { name: 'pr-1', createdAt: '2026-02-30T00:00:00Z' },
      'keep',
      'unknown_age',
      'pr-previews',
    ],
    [
      'future createdAt',
      { name: 'pr-1', createdAt: hoursAgo(-1) },
      'keep',
      'unknown_age',
      'pr-previews',
    ],
    [
      'unknown status never matches a status rule',
      { name: 'x', status: 'STATUS_UNKNOWN(9)', createdAt: hoursAgo(99) },
      'keep',
      'no_matching_rule',
      undefined,
    ],
    [
      'a status number the API does not document never matches a status rule',
      { name: 'x', status: 'STATUS_UNKNOWN(6)', createdAt: hoursAgo(24), updatedAt: hoursAgo(24) },
      'keep',
      'no_matching_rule',
      undefined,
    ],
    [
      'a gateway without a name, failed long ago',
      { name: '', status: 'STATUS_FAILED', createdAt: hoursAgo(99), updatedAt: hoursAgo(99) },
      'keep',
      'unknown_identity',
      undefined,
    ],
    [
      'a gateway whose name is blank',
      { name: '  ', status: 'STATUS_FAILED', createdAt: hoursAgo(99), updatedAt: hoursAgo(99) },
      'keep',
      'unknown_identity',
      undefined,
    ],
    [
      'a gateway without an id',
      { id: '', name: 'pr-1', createdAt: hoursAgo(99) },
      'keep',
      'unknown_identity',
      undefined,
    ],
    [
      'a gateway whose id is not a uuid',
      { id: 'gw-1', name: 'pr-1', createdAt: hoursAgo(99) },
      'keep',
      'unknown_identity',
      undefined,
    ],
    [
      'a month-old gateway that entered STATUS_FAILED minutes ago (status rule: from updatedAt)',
      { name: 'x', status: 'STATUS_FAILED', createdAt: hoursAgo(720), updatedAt: hoursAgo(0.1) },
      'keep',
      'too_young',
      'broken',
    ],
    [
      'a gateway failed for more than 6h since its last update',
      { name: 'x', status: 'STATUS_FAILED', createdAt: hoursAgo(720), updatedAt: hoursAgo(7) },
      'delete',
      'expired',
      'broken',
    ],
    [
      'a failed gateway without updatedAt',
      { name: 'x', status: 'STATUS_FAILED', createdAt: hoursAgo(720), updatedAt: undefined },
      'keep',
      'unknown_age',
      'broken',
    ],
    [
      'a failed gateway with a future updatedAt',
      { name: 'x', status: 'STATUS_FAILED', createdAt: hoursAgo(720), updatedAt: hoursAgo(-1) },
      'keep',
      'unknown_age',
      'broken',
    ],
    [
      'a failed gateway whose updatedAt is before its createdAt (no state predates the gateway)',
      { name: 'x', status: 'STATUS_FAILED', createdAt: hoursAgo(1), updatedAt: hoursAgo(99) },
      'keep',
      'too_young',
      'broken',
    ],
    [
      'a name rule measures from createdAt, however recent the update',
      { name: 'pr-1', createdAt: hoursAgo(73), updatedAt: hoursAgo(0.1) },
      'delete',
      'expired',
      'pr-previews',
    ],
  ] as const)('%s', (_title, overrides, action, reason, ruleId) => {
    // Act
    const verdict = evaluateGateway(aGateway(overrides as never), policy, NOW);
    // Assess
    expect(verdict.action).toBe(action);
    expect(verdict.reason).toBe(reason);
    expect(verdict.ruleId).toBe(ruleId);
  });
});

describe("a rule's ageFrom", () => {
  const explicit = compilePolicy(
    parsePolicy({
      rules: [
        { id: 'failed', match: { status: ['STATUS_FAILED'] }, maxAge: '6h', ageFrom: 'createdAt' },
        { id: 'pr', match: { name: 'pr-*' }, maxAge: '6h', ageFrom: 'updatedAt' },
      ],
    }),
  );

  it('defaults to updatedAt for a rule that matches on status and createdAt otherwise', () => {
    expect(policy.rules.map((r) => [r.id, r.ageFrom])).toEqual([
      ['pr-previews', 'createdAt'],
      ['broken', 'updatedAt'],
      ['east-exp', 'createdAt'],
      ['other-org', 'createdAt'],
    ]);
  });

  it('measures a status rule from createdAt when the rule says so', () => {
    // Prepare
    const gateway = aGateway({
      name: 'x',
      status: 'STATUS_FAILED',
      createdAt: hoursAgo(7),
      updatedAt: hoursAgo(0.1),
    });
    // Act
    const verdict = evaluateGateway(gateway, explicit, NOW);
    // Assess
    expect(verdict).toMatchObject({ action: 'delete', ruleId: 'failed', ageFrom: 'createdAt' });
    expect(verdict.ageMs).toBe(7 * 3_600_000);
  });

  it('measures a name rule from updatedAt when the rule says so', () => {
    const gateway = aGateway({ name: 'pr-1', createdAt: hoursAgo(700), updatedAt: hoursAgo(1) });
    expect(evaluateGateway(gateway, explicit, NOW)).toMatchObject({
      action: 'keep',
      reason: 'too_young',
      ageFrom: 'updatedAt',
      ageMs: 3_600_000,
    });
  });
});

describe('examples/policy.json', () => {
  const example = compilePolicy(
    parsePolicyJson(
      readFileSync(new URL('../../examples/policy.json', import.meta.url), 'utf8'),
      'examples/policy.json',
    ),
  );

  it.each(['chat-east', 'pr-1200-preview', 'exp-moe'])(
    'keeps %s, 30 days old, five minutes after it entered STATUS_ERROR',
    (name) => {
      // Prepare
      const gateway = aGateway({
        name,
        status: 'STATUS_ERROR',
        createdAt: hoursAgo(720),
        updatedAt: hoursAgo(5 / 60),
      });
      // Act
      const verdict = evaluateGateway(gateway, example, NOW);
      // Assess
      expect(verdict).toMatchObject({ action: 'keep', reason: 'too_young', ageFrom: 'updatedAt' });
    },
  );

  it("still deletes a gateway that has stayed in STATUS_FAILED past the rule's maxAge", () => {
    const gateway = aGateway({
      name: 'chat-east',
      status: 'STATUS_FAILED',
      createdAt: hoursAgo(720),
      updatedAt: hoursAgo(7),
    });
    expect(evaluateGateway(gateway, example, NOW)).toMatchObject({
      action: 'delete',
      ruleId: 'broken',
    });
  });
});
