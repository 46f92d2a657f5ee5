import { describe, expect, it } from 'vitest';
import { compilePolicy } from '#core/policy/compile-policy';
import { parsePolicy } from '#core/policy/policy';

const rule = (extra: object) => ({ id: 'r', match: { name: 'pr-*' }, maxAge: '1d', ...extra });

describe('policy deleteDeployments', () => {
  it('is off unless a rule says true', () => {
    // Act
    const policy = compilePolicy(
      parsePolicy({ rules: [rule({}), { ...rule({ deleteDeployments: true }), id: 's' }] }),
    );
    // Assess
    expect(policy.rules.map((r) => r.deleteDeployments)).toEqual([false, true]);
  });

  it('rejects a value that is not a boolean, naming its path', () => {
    // Act / Assess
    expect(() => parsePolicy({ rules: [rule({ deleteDeployments: 'yes' })] })).toThrow(
      /rules\[0\]\.deleteDeployments/,
    );
  });
});
