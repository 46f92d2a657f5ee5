import { describe, expect, it } from 'vitest';
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
