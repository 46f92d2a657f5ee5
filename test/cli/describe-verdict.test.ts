import { describe, expect, it } from 'vitest';
import { describeVerdict } from '#cli/describe-verdict';
import { formatAge } from '#cli/format-age';
import type { Verdict } from '#core/evaluate-gateway';

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
    [{ action: 'keep', reason: 'no_matching_rule' }, 'no rule matches'],
    [{ action: 'keep', reason: 'already_deleting' }, 'already deleting'],
    [{ action: 'keep', reason: 'protected' }, 'protected by the policy'],
  ])('explains %o as "%s"', (verdict, text) => {
    expect(describeVerdict(verdict)).toBe(text);
  });
});
