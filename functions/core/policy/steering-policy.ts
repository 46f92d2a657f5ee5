import * as z from 'zod/mini';
import { parseDuration } from '../time.ts';
import { type ChangeWindow, isTimeZone, parseClock, WEEKDAYS } from './change-windows.ts';

// English messages, as zod classic gave them (policy.ts says why).
z.config(z.locales.en());

/*
 * The policy sections of version 3 (docs/contract.md "The registry", "Notice before
 * deletion", "Pause, change windows and a rolling budget"), kept apart so they plug into
 * the policy schema in one place: `leases` and `notice` and `windows` at the top level,
 * `maxDeletesPer24h` in `limits`, `owner` in a rule.
 */

const duration = z.string().check(
  z.refine((text) => parseDuration(text) !== undefined, {
    message: 'expected a duration such as 30m, 6h, 7d or 1d12h',
  }),
);

const who = z.string().check(
  z.minLength(1),
  z.maxLength(200),
  z.regex(/^[^\p{Cc}]*$/u, 'control characters are not allowed'),
  z.refine((text) => text.trim() !== '', { message: 'must not be blank' }),
);

/** Default caps on how far ahead leases and exemptions may reach. */
export const DEFAULT_LEASES = { maxTtl: '30d', maxKeep: '30d' } as const;

/** `leases`: `maxTtl` and `maxKeep`, each 30 days unless the policy says otherwise. */
export const leasesSection = z._default(
  z.strictObject({
    maxTtl: z._default(duration, DEFAULT_LEASES.maxTtl),
    maxKeep: z._default(duration, DEFAULT_LEASES.maxKeep),
  }),
  { ...DEFAULT_LEASES },
);

/** `notice`: how long before a deletion its owner is told, and who owns what no one claims. */
export const noticeSection = z.optional(
  z.strictObject({
    before: duration,
    defaultOwner: who,
  }),
);

const clock = z.string().check(
  z.refine((text) => parseClock(text) !== undefined, {
    message: 'expected HH:MM, 00:00 to 23:59',
  }),
);

const window = z.strictObject({
  days: z.array(z.enum(WEEKDAYS)).check(
    z.minLength(1),
    z.refine((days) => new Set(days).size === days.length, { message: 'days repeat' }),
  ),
  from: clock,
  to: clock,
  timeZone: z
    .string()
    .check(z.refine(isTimeZone, { message: 'expected an IANA time zone such as Europe/Berlin' })),
});

/** `windows`: when deletions may run; absent means any time. */
export const windowsSection = z.optional(z.array(window).check(z.minLength(1), z.maxLength(20)));

/** The budget a registry enforces unless `limits.maxDeletesPer24h` says otherwise. */
export const DEFAULT_MAX_DELETES_PER_24H = 100;

/** `limits.maxDeletesPer24h`: deletions over any 24 hours, across runs (needs a registry). */
export const maxDeletesPer24h = z.optional(
  z.number().check(z.int(), z.minimum(0), z.maximum(10_000)),
);

/** A rule's `owner`: who is told before its gateways go. */
export const ruleOwner = z.optional(who);

/** The sections above as one object schema, for validating them apart from the policy. */
export const steeringSections = z.strictObject({
  leases: leasesSection,
  notice: noticeSection,
  windows: windowsSection,
  maxDeletesPer24h,
});

/** The validated version-3 sections. */
export type SteeringSections = z.output<typeof steeringSections>;

/** The sections compiled for decisions: durations in milliseconds. */
export interface SteeringPolicy {
  maxTtlMs: number;
  maxKeepMs: number;
  notice?: { beforeMs: number; defaultOwner: string };
  windows?: ChangeWindow[];
  /** undefined: no registry; otherwise the configured or default budget */
  maxDeletesPer24h?: number;
}

/** Compiles the sections; `withRegistry` turns on the default budget. */
export function compileSteering(sections: SteeringSections, withRegistry: boolean): SteeringPolicy {
  const ms = (text: string) => parseDuration(text) ?? 0;
  return {
    maxTtlMs: ms(sections.leases.maxTtl),
    maxKeepMs: ms(sections.leases.maxKeep),
    ...(sections.notice
      ? {
          notice: {
            beforeMs: ms(sections.notice.before),
            defaultOwner: sections.notice.defaultOwner,
          },
        }
      : {}),
    ...(sections.windows ? { windows: sections.windows } : {}),
    ...(withRegistry
      ? { maxDeletesPer24h: sections.maxDeletesPer24h ?? DEFAULT_MAX_DELETES_PER_24H }
      : {}),
  };
}
