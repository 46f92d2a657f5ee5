const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000 } as const;
const DURATION = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** Parses `30m`, `6h`, `7d`, `1d12h` into milliseconds; undefined when malformed or zero. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (!match || text.length === 0) return undefined;
  const [, d, h, m, s] = match;
  const ms =
    Number(d ?? 0) * UNIT_MS.d +
    Number(h ?? 0) * UNIT_MS.h +
    Number(m ?? 0) * UNIT_MS.m +
    Number(s ?? 0) * UNIT_MS.s;
  return ms > 0 && Number.isSafeInteger(ms) ? ms : undefined;
}

/** Formats milliseconds compactly (`3d4h`, `45m`, `12s`) for reasons and tables. */
export function formatDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let rest = Math.floor(Math.abs(ms) / 1000);
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0) parts.push(`${n}${unit}`);
    if (parts.length === 2) break;
  }
  return sign + (parts.join('') || '0s');
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/** Parses an RFC 3339 timestamp with a zone to epoch ms; undefined for anything else. */
export function parseRfc3339(text: unknown): number | undefined {
  if (typeof text !== 'string' || text.length > 40) return undefined;
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as number[];
  // Date.parse rolls impossible dates over (Feb 30 -> Mar 2); reject them instead.
  const probe = new Date(Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 1));
  if (
    probe.getUTCFullYear() !== year ||
    probe.getUTCMonth() + 1 !== month ||
    probe.getUTCDate() !== day ||
    (hour ?? 99) > 23 ||
    (minute ?? 99) > 59 ||
    (second ?? 99) > 60
  ) {
    return undefined;
  }
  const ms = Date.parse(text.toUpperCase());
  return Number.isNaN(ms) ? undefined : ms;
}

/** The clock's current time as an ISO 8601 string, for audit records. */
export function isoNow(clock: { now(): number }): string {
  return new Date(clock.now()).toISOString();
}

/**
 * The pause before retry `retry` (1 for the first): `baseMs`, doubled for each retry after
 * it, at most `maxMs`. The one backoff of the SQS sends and the CLI's `--wait`.
 */
export function backoffMs(retry: number, baseMs: number, maxMs = Number.POSITIVE_INFINITY): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, retry - 1));
}
