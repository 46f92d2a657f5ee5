const UNITS = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
] as const;

/**
 * A duration for tables, to its two largest adjacent units and rounded down: `9d`, `2d21h`,
 * `6h5m`, `45s`. Unlike formatDuration it never skips a unit (`6d1s`), which reads as noise
 * once a gateway is days old.
 */
export function formatAge(ms: number): string {
  const rest = Math.max(0, ms);
  const first = UNITS.findIndex(([, size]) => rest >= size);
  if (first === -1) return '0s';
  const [unit, size] = UNITS[first] as (typeof UNITS)[number];
  const whole = Math.floor(rest / size);
  const next = UNITS[first + 1];
  const part = next ? Math.floor((rest - whole * size) / next[1]) : 0;
  return `${whole}${unit}${next && part > 0 ? `${part}${next[0]}` : ''}`;
}
