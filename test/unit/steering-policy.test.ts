import { describe, expect, it } from 'vitest';
import { compilePolicy } from '#core/policy/compile-policy';
import { parsePolicy } from '#core/policy/policy';
import { compileSteering, steeringSections } from '#core/policy/steering-policy';

const parse = (input: unknown) => steeringSections.safeParse(input);
const firstIssue = (input: unknown) => {
  const result = parse(input);
  return result.success
    ? undefined
    : { path: result.error.issues[0]?.path.join('.'), message: result.error.issues[0]?.message };
};

describe('steeringSections', () => {
  it('defaults the caps to 30 days and compiles durations to milliseconds', () => {
    const result = parse({ notice: { before: '90s', defaultOwner: 'platform' } });
    expect(result.success).toBe(true);
    if (!result.success) return;
    expect(compileSteering(result.data, true)).toEqual({
      maxTtlMs: 30 * 86_400_000,
      maxKeepMs: 30 * 86_400_000,
      notice: { beforeMs: 90_000, defaultOwner: 'platform' },
      maxDeletesPer24h: 100,
    });
  });

  it('turns the daily budget off without a registry', () => {
    const result = parse({ maxDeletesPer24h: 5 });
    expect(result.success && compileSteering(result.data, false).maxDeletesPer24h).toBeUndefined();
  });

  it.each([
    [{ leases: { maxTtl: 'forever' } }, 'leases.maxTtl', 'expected a duration'],
    [{ leases: { maxKeep: '30d', extra: 1 } }, 'leases', 'Unrecognized key'],
    [{ notice: { before: '24h' } }, 'notice.defaultOwner', ''],
    [{ notice: { before: '24h', defaultOwner: '  ' } }, 'notice.defaultOwner', 'must not be blank'],
    [{ windows: [] }, 'windows', ''],
    [
      { windows: [{ days: ['mon'], from: '9:00', to: '17:00', timeZone: 'Europe/Berlin' }] },
      'windows.0.from',
      'expected HH:MM',
    ],
    [
      { windows: [{ days: ['monday'], from: '09:00', to: '17:00', timeZone: 'Europe/Berlin' }] },
      'windows.0.days.0',
      '',
    ],
    [
      { windows: [{ days: ['mon'], from: '09:00', to: '17:00', timeZone: 'Mars/Olympus' }] },
      'windows.0.timeZone',
      'IANA time zone',
    ],
    [{ maxDeletesPer24h: 1.5 }, 'maxDeletesPer24h', ''],
  ])('refuses %o at %s', (input, path, message) => {
    const issue = firstIssue(input);
    expect(issue?.path).toBe(path);
    expect(issue?.message).toContain(message);
  });
});

describe('parsePolicy: leases', () => {
  const rules = [{ id: 'r', match: { name: 'x-*' }, maxAge: '1h' }];

  it('caps leases and exemptions at 30 days each unless leases says otherwise', () => {
    expect(compilePolicy(parsePolicy({ rules })).leases).toEqual({
      maxTtlMs: 30 * 86_400_000,
      maxKeepMs: 30 * 86_400_000,
    });
    expect(
      compilePolicy(parsePolicy({ rules, leases: { maxTtl: '7d', maxKeep: '12h' } })).leases,
    ).toEqual({ maxTtlMs: 7 * 86_400_000, maxKeepMs: 12 * 3_600_000 });
  });

  it('names a misspelt key inside leases', () => {
    expect(() => parsePolicy({ rules, leases: { maxTTL: '1d' } }, 'p')).toThrow(
      expect.objectContaining({ field: 'p.leases' }),
    );
  });
});
