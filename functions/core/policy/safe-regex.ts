const BACKREFERENCE = /\\[1-9]|\\k</;

/**
 * True when `source` compiles, has no backreference, and no repeated group contains a
 * quantifier or an alternation at any depth: (a+)+, ((a+))+, (a|aa)*, (a+){25} are the
 * shapes that make a backtracking engine explode. Policies come from operators, but a
 * typo must not stall a sweep (docs/reliability.md).
 */
export function isSafeRegex(source: string): boolean {
  try {
    new RegExp(source);
  } catch {
    return false;
  }
  if (BACKREFERENCE.test(source)) return false;
  // One flag per open group: does anything inside it, nested groups included, repeat or
  // branch? A regex scan (the first version) cannot see through nested parentheses.
  const open: boolean[] = [];
  const mark = () => {
    if (open.length > 0) open[open.length - 1] = true;
  };
  for (let i = 0; i < source.length; i++) {
    const ch = source[i];
    if (ch === '\\') i++;
    else if (ch === '[') i = classEnd(source, i);
    else if (ch === '(') {
      open.push(false);
      if (source[i + 1] === '?') i++; // (?: (?= (?<name>: group syntax, not a quantifier
    } else if (ch === ')') {
      const risky = open.pop() ?? false;
      const quantifier = quantifierAt(source, i + 1);
      if (risky && quantifier?.repeats) return false;
      if (risky || quantifier) mark();
    } else if (ch === '|' || quantifierAt(source, i)) mark();
  }
  return true;
}

/** The quantifier starting at `i`, if any; `repeats` when it allows more than one match. */
function quantifierAt(source: string, i: number): { repeats: boolean } | undefined {
  const ch = source[i];
  if (ch === '*' || ch === '+') return { repeats: true };
  if (ch === '?') return { repeats: false };
  if (ch !== '{') return undefined;
  const braces = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(i));
  if (!braces) return undefined;
  const min = Number(braces[1]);
  const max = braces[2] === undefined ? min : braces[3] === '' ? Infinity : Number(braces[3]);
  return { repeats: max > 1 };
}

/** Index of the `]` closing the character class opened at `start`. */
function classEnd(source: string, start: number): number {
  for (let i = start + 1; i < source.length; i++) {
    if (source[i] === '\\') i++;
    else if (source[i] === ']') return i;
  }
  return source.length;
}
