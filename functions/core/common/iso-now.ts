import type { Clock } from './ports.ts';

/** The clock's current time as an ISO 8601 string, for audit records. */
export function isoNow(clock: Clock): string {
  return new Date(clock.now()).toISOString();
}
