/**
 * Compiles a name glob (`*` any run, `?` one character) to an anchored RegExp that
 * matches in linear time. A naive `.*` per star backtracks exponentially: `*a*a*a*a*b`
 * against a long run of `a` took seconds per gateway (docs/reliability.md). Instead every segment
 * between stars is matched at its leftmost occurrence inside an atomic lookahead,
 * `(?=(.*?seg))\1`, which is exact for globs and never backtracks into a segment.
 */
export function globToRegExp(glob: string): RegExp {
  const segments = glob.split(/\*+/).map(segmentSource);
  const first = segments[0] ?? '';
  if (segments.length === 1) return new RegExp(`^${first}$`, 's');
  const last = segments[segments.length - 1] ?? '';
  const middle = segments
    .slice(1, -1)
    .map((segment, n) => `(?=(.*?${segment}))\\${n + 1}`)
    .join('');
  return new RegExp(`^${first}${middle}.*${last}$`, 's');
}

function segmentSource(segment: string): string {
  let source = '';
  for (const ch of segment) {
    if (ch === '?') source += '.';
    else source += ch.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
  }
  return source;
}
