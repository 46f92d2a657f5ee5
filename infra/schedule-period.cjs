'use strict';

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const UNIT_SECONDS = { minute: 60, hour: 3600, day: 86400 };
// The heartbeat alarm looks at two periods, and CloudWatch evaluates at most one day back.
const MAX_PERIOD_SECONDS = 12 * 3600;

/**
 * Resolves `${file(./infra/schedule-period.cjs)}` in serverless.yml to the seconds between
 * two scheduled sweeps, read from the `schedule` param, for the heartbeat alarm's period
 * (docs/deploy.md, "Alarms"). Only `rate(...)` expressions say that interval plainly.
 */
module.exports = async ({ resolveVariable }) => {
  const schedule = String((await resolveVariable('param:schedule')) ?? '').trim();
  const match = RATE.exec(schedule);
  if (!match) {
    throw new Error(
      `schedule: the heartbeat alarm needs the interval between sweeps; use rate(<n> minutes|hours), not "${schedule}"`,
    );
  }
  const seconds = Number(match[1]) * UNIT_SECONDS[match[2].replace(/s$/, '')];
  if (seconds < 60 || seconds > MAX_PERIOD_SECONDS) {
    throw new Error(
      `schedule: "${schedule}" is outside what the heartbeat alarm can watch (1 minute to 12 hours)`,
    );
  }
  return seconds;
};
