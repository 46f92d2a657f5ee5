import { describe, expect, it } from 'vitest';
import { ValidationError } from '#core/errors';
import { compilePolicy } from '#core/policy/compile-policy';
import { parsePolicy, parsePolicyJson } from '#core/policy/policy';

describe('parsePolicy', () => {
  const valid = { rules: [{ id: 'r', match: {}, maxAge: '1h' }] };

  it('applies the default blast-radius limits when limits are absent', () => {
    expect(parsePolicy(valid).limits).toEqual({ maxDeletesPerRun: 25, maxDeletePercent: 50 });
  });

  it.each([
    [{ ...valid, extra: 1 }, 'policy', 'unknown key "extra"'],
    [{ rules: [] }, 'policy.rules', ''],
    [{ rules: [{ id: 'r', match: {}, maxAge: '1 hour' }] }, 'policy.rules[0].maxAge', 'duration'],
    [{ rules: [{ id: 'r', match: {}, maxAge: '0h' }] }, 'policy.rules[0].maxAge', 'duration'],
    [
      { rules: [{ id: 'r', match: { nam: 'x' }, maxAge: '1h' }] },
      'policy.rules[0].match',
      'unknown key "nam"',
    ],
    [
      { rules: [{ id: 'r', match: { nameRegex: '(a+)+$' }, maxAge: '1h' }] },
      'policy.rules[0].match.nameRegex',
      'catastrophically',
    ],
    [
      { rules: [{ id: 'r', match: { nameRegex: '([a-z' }, maxAge: '1h' }] },
      'policy.rules[0].match.nameRegex',
      'not a valid',
    ],
    [
      { rules: [{ id: 'r', match: { status: ['READY'] }, maxAge: '1h' }] },
      'policy.rules[0].match.status[0]',
      '',
    ],
    [
      {
        rules: [
          { id: 'r', match: {}, maxAge: '1h' },
          { id: 'r', match: {}, maxAge: '2h' },
        ],
      },
      'policy.rules',
      'unique',
    ],
    [{ ...valid, protect: { ids: ['../etc'] } }, 'policy.protect.ids[0]', 'uuid'],
    [
      { rules: [{ id: 'r', match: {}, maxAge: '1h', ageFrom: 'deletedAt' }] },
      'policy.rules[0].ageFrom',
      '',
    ],
    [{ ...valid, limits: { maxDeletePercent: 101 } }, 'policy.limits.maxDeletePercent', ''],
    [{ ...valid, limits: { maxDeletesPerRun: -1 } }, 'policy.limits.maxDeletesPerRun', ''],
  ])('rejects %j naming %s', (input, field, message) => {
    // Act
    const act = () => parsePolicy(input);
    // Assess
    expect(act).toThrow(ValidationError);
    try {
      act();
    } catch (error) {
      expect((error as ValidationError).field).toBe(field);
      expect((error as ValidationError).message).toContain(message);
      expect((error as ValidationError).code).toBe('POLICY_INVALID');
    }
  });

  it('names the variable when the text is not JSON', () => {
    expect(() => parsePolicyJson('{rules', 'JANITOR_POLICY')).toThrow(
      'JANITOR_POLICY: not valid JSON',
    );
  });
});

describe('parsePolicy: the teardown section', () => {
  const valid = { rules: [{ id: 'r', match: {}, maxAge: '1h' }] };

  it('compiles teardown.allow.names as globs, and allows any gateway when absent', () => {
    // Act
    const narrowed = compilePolicy(
      parsePolicy({ ...valid, teardown: { allow: { names: ['pr-*'] } } }),
    );
    const open = compilePolicy(parsePolicy(valid));
    // Assess
    expect(narrowed.teardownAllowNames?.map((glob) => glob.test('pr-7'))).toEqual([true]);
    expect(narrowed.teardownAllowNames?.map((glob) => glob.test('demo'))).toEqual([false]);
    expect(open.teardownAllowNames).toBeUndefined();
  });

  it("honours a request's deleteDeployments only when teardown.allow.deleteDeployments is true", () => {
    // Act
    const allowed = compilePolicy(
      parsePolicy({ ...valid, teardown: { allow: { deleteDeployments: true } } }),
    );
    const refused = compilePolicy(
      parsePolicy({ ...valid, teardown: { allow: { names: ['pr-*'], deleteDeployments: false } } }),
    );
    const silent = compilePolicy(parsePolicy(valid));
    // Assess
    expect(allowed.teardownAllowsDeployments).toBe(true);
    expect(allowed.teardownAllowNames).toBeUndefined();
    expect(refused.teardownAllowsDeployments).toBe(false);
    expect(silent.teardownAllowsDeployments).toBe(false);
  });

  it.each([
    [{ teardown: { allow: { names: [] } } }, 'policy.teardown.allow.names', 'at least one glob'],
    [{ teardown: { allow: { names: [''] } } }, 'policy.teardown.allow.names[0]', ''],
    [
      { teardown: { allow: { names: ['pr-*'], ids: ['x'] } } },
      'policy.teardown.allow',
      'unknown key "ids"',
    ],
    [{ teardown: { deny: {} } }, 'policy.teardown', 'unknown key "deny"'],
    [{ teardown: { allow: { names: 'pr-*' } } }, 'policy.teardown.allow.names', ''],
    [
      { teardown: { allow: { deleteDeployments: 'yes' } } },
      'policy.teardown.allow.deleteDeployments',
      'expected boolean',
    ],
    [
      { teardown: { allow: { deleteDeployment: true } } },
      'policy.teardown.allow',
      'unknown key "deleteDeployment"',
    ],
  ])('rejects %j naming %s', (extra, field, message) => {
    expect(() => parsePolicy({ ...valid, ...extra })).toThrow(
      expect.objectContaining({
        code: 'POLICY_INVALID',
        field,
        message: expect.stringContaining(message),
      }),
    );
  });
});

describe('parsePolicy: owners and notice', () => {
  const rules = [{ id: 'pr', match: { name: 'pr-*' }, maxAge: '1h', owner: 'team-search' }];

  it("compiles a rule's owner, who is told before its gateways go", () => {
    expect(compilePolicy(parsePolicy({ rules })).rules[0]?.owner).toBe('team-search');
  });

  it('refuses a blank owner or one with control characters, naming the rule', () => {
    for (const owner of ['  ', 'team\nsearch']) {
      expect(() => parsePolicy({ rules: [{ ...rules[0], owner }] }, 'JANITOR_POLICY')).toThrow(
        'JANITOR_POLICY.rules[0].owner',
      );
    }
  });

  it('compiles notice, durations under an hour too (tests and the demo)', () => {
    const notice = { before: '30s', defaultOwner: 'platform' };
    expect(compilePolicy(parsePolicy({ rules, notice })).notice).toEqual({
      beforeMs: 30_000,
      defaultOwner: 'platform',
    });
  });

  it('refuses a notice without defaultOwner or with a malformed before, naming the key', () => {
    expect(() => parsePolicy({ rules, notice: { before: '24h' } }, 'P')).toThrow(
      'P.notice.defaultOwner',
    );
    expect(() =>
      parsePolicy({ rules, notice: { before: 'soon', defaultOwner: 'x' } }, 'P'),
    ).toThrow('P.notice.before');
  });
});
