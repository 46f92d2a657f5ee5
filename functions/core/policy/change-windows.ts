/** Days of the week as the policy names them, Sunday first as `Date#getUTCDay` counts. */
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
/** A day of the week. */
export type Weekday = (typeof WEEKDAYS)[number];

/**
 * A change window: on `days`, from `from` to `to` (HH:MM, wall-clock time in `timeZone`).
 * A window whose `to` is not after `from` runs past midnight into the next day.
 */
export interface ChangeWindow {
  days: readonly Weekday[];
  from: string;
  to: string;
  timeZone: string;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
// Past a skipped hour (spring forward), a window opens at the first minute that exists.
const GAP_SEARCH_MINUTES = 180;
// A week and a day covers every window of every weekday from any instant.
const HORIZON_DAYS = 8;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when `timeZone` is an IANA zone the platform's Intl knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Minutes since midnight of `HH:MM`, or undefined when malformed. */
export function parseClock(text: string): number | undefined {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

/** The wall-clock date and time at `at` in `timeZone`. */
function wallClock(at: number, timeZone: string) {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(at)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0 } = parts;
  const date = Date.UTC(year, month - 1, day);
  return { date, weekday: new Date(date).getUTCDay(), minutes: hour * 60 + minute };
}

/** True when `window` is open at `at`. */
export function isWindowOpen(window: ChangeWindow, at: number): boolean {
  const from = parseClock(window.from) ?? 0;
  const to = parseClock(window.to) ?? 0;
  const { weekday, minutes } = wallClock(at, window.timeZone);
  const on = (day: number) => window.days.includes(WEEKDAYS[(day + 7) % 7] as Weekday);
  if (from < to) return on(weekday) && minutes >= from && minutes < to;
  return (on(weekday) && minutes >= from) || (on(weekday - 1) && minutes < to);
}

/** True when deletion may run at `at`: no windows means always. */
export function isOpen(windows: readonly ChangeWindow[] | undefined, at: number): boolean {
  return !windows || windows.length === 0 || windows.some((w) => isWindowOpen(w, at));
}

/**
 * The earliest instant at which the wall clock in `timeZone` shows `minutes` on `date`
 * (UTC midnight of the local date). A time skipped by a daylight-saving change answers
 * the instant just before the gap, from which the caller searches forward.
 */
function instantOf(date: number, minutes: number, timeZone: string): number {
  const naive = date + minutes * MINUTE_MS;
  const offsetAt = (at: number) => {
    const wall = wallClock(at, timeZone);
    return wall.date + wall.minutes * MINUTE_MS - (at - (at % MINUTE_MS));
  };
  const offsets = [offsetAt(naive - DAY_MS), offsetAt(naive), offsetAt(naive + DAY_MS)];
  const matching = offsets
    .map((offset) => naive - offset)
    .filter((at) => {
      const wall = wallClock(at, timeZone);
      return wall.date === date && wall.minutes === minutes;
    });
  return matching.length > 0 ? Math.min(...matching) : naive - Math.max(...offsets);
}

/**
 * The first instant at or after `now` when a window is open; `now` itself when one is
 * open already; undefined when none opens within 8 days (or there are no windows).
 * Daylight-saving changes follow the platform's Intl data.
 */
export function nextOpening(windows: readonly ChangeWindow[], now: number): number | undefined {
  if (windows.length === 0) return undefined;
  if (isOpen(windows, now)) return now;
  let best: number | undefined;
  for (const window of windows) {
    const from = parseClock(window.from) ?? 0;
    const today = wallClock(now, window.timeZone).date;
    for (let d = -1; d <= HORIZON_DAYS; d += 1) {
      const date = today + d * DAY_MS;
      if (!window.days.includes(WEEKDAYS[new Date(date).getUTCDay()] as Weekday)) continue;
      let at = instantOf(date, from, window.timeZone);
      // A start time skipped by a daylight-saving change: the window opens when the
      // clock first shows a later time that day.
      for (let i = 0; i < GAP_SEARCH_MINUTES && !isWindowOpen(window, at); i += 1) {
        at += MINUTE_MS;
      }
      if (at >= now && isWindowOpen(window, at) && (best === undefined || at < best)) best = at;
    }
  }
  return best;
}
