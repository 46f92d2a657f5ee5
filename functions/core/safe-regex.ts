// A quantified group that itself contains a quantifier or an alternation, e.g. (a+)+,
// (a|aa)*, (\w*){2,}: the shapes that make a backtracking engine explode.
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*(?:[+*}]|\|)(?:[^()\\]|\\.)*\)(?:[+*]|\{\d+,\d*\})/;
const BACKREFERENCE = /\\[1-9]|\\k</;

/**
 * True when `source` compiles and has no nested quantifier or backreference.
 * Policies come from operators, but a typo must not stall a sweep (issue 7).
 */
export function isSafeRegex(source: string): boolean {
  try {
    new RegExp(source);
  } catch {
    return false;
  }
  return !NESTED_QUANTIFIER.test(source) && !BACKREFERENCE.test(source);
}
