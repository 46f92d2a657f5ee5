import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { globToRegExp } from '#core/policy/glob';
import { isSafeRegex } from '#core/policy/safe-regex';
import { wire } from '#test/fixtures/wire-fleet';
import { expectBeforeDeadline, HTTP_TIMEOUT_MS, useFaultWorld } from './support/fault-world.ts';

/** Glob semantics by dynamic programming: the reference the compiled RegExp must agree with. */
function globMatches(glob: string, name: string): boolean {
  const g = [...glob];
  const s = [...name];
  let row = [true, ...s.map(() => false)];
  for (const ch of g) {
    const next = [ch === '*' && row[0] === true];
    for (let j = 1; j <= s.length; j++) {
      next[j] =
        ch === '*'
          ? (row[j] ?? false) || (next[j - 1] ?? false)
          : (row[j - 1] ?? false) && (ch === '?' || ch === s[j - 1]);
    }
    row = next;
  }
  return row[s.length] ?? false;
}

describe('isSafeRegex', () => {
  it.each([
    '(a+)+$',
    '((a+))+$',
    '(?:(a+))+$',
    '((ab)*)+$',
    '(a|aa)*b',
    '(\\w+\\s?)*$',
    '(a+){25}$',
    '(?:a?){30}a{30}$',
    '((a+)?)+$',
    '(pr)-\\1',
    '(?<p>pr)-\\k<p>',
    '([a-z',
  ])('rejects %s', (source) => {
    expect(isSafeRegex(source)).toBe(false);
  });

  it.each([
    '^pr-\\d+$',
    '^(pr|exp)-[a-z0-9-]+$',
    '(ab)+',
    '[(]a+[)]+',
    '^loadtest-[a-z]+-\\d{1,3}$',
    '(a+){1}',
    '(?:-[a-z]+)?$',
  ])('accepts %s', (source) => {
    expect(isSafeRegex(source)).toBe(true);
  });
});

describe('globToRegExp', () => {
  it('agrees with the reference matcher (property)', () => {
    const alphabet = fc.constantFrom('a', 'b', '-', '.', '*', '?', '(', '\\');
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 8 }).map((c) => c.join('')),
        fc
          .array(fc.constantFrom('a', 'b', '-', '.', '(', '\\', '\n'), { maxLength: 10 })
          .map((c) => c.join('')),
        (glob, name) => {
          expect(globToRegExp(glob).test(name)).toBe(globMatches(glob, name));
        },
      ),
      { numRuns: 2_000, seed: 5 },
    );
  });

  it('matches a many-star glob in time comparable to a plain one', () => {
    // Prepare: the old `.*` per star took seconds for this pair, ~20 s at 38 characters (exponential backtracking).
    const pathological = globToRegExp('*a*a*a*a*a*a*a*a*a*a*a*a*b');
    const plain = globToRegExp('pr-*');
    const name = 'a'.repeat(32);
    // Act
    let started = performance.now();
    for (let i = 0; i < 200; i++) plain.test(name);
    const plainMs = performance.now() - started;
    started = performance.now();
    const matched = pathological.test(name);
    const pathologicalMs = performance.now() - started;
    // Assess: relative, not absolute: one pathological match costs less than 200 plain ones
    // plus a millisecond of scheduling noise.
    expect(matched).toBe(false);
    expect(pathologicalMs).toBeLessThan(plainMs + 1);
  });
});

describe('sweep handler with a pathological protect glob', () => {
  const world = useFaultWorld();

  it('plans and returns well before its deadline', async () => {
    // Prepare: every gateway is checked against every protect glob on every sweep.
    world.seed([wire(1, 'a'.repeat(36), 100), wire(2, 'pr-2', 100)]);
    const policy = {
      rules: [{ id: 'all', match: { name: '*' }, maxAge: '1h' }],
      protect: { names: ['*a*a*a*a*a*a*a*a*a*a*a*a*b'] },
      limits: { maxDeletesPerRun: 10, maxDeletePercent: 100 },
    };
    // Act
    const run = await world.sweep({
      env: { JANITOR_POLICY: JSON.stringify(policy) },
      remainingMs: HTTP_TIMEOUT_MS + 2_000 + 3_000,
    })({});
    // Assess
    expectBeforeDeadline(run);
    expect(run.ok && run.value.counts).toEqual({ 'gateway.deleted': 2 });
  });
});
