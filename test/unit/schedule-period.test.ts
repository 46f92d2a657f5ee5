import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// infra/schedule-period.cjs resolves `${file(...)}` in serverless.yml at packaging time.
const schedulePeriod = createRequire(import.meta.url)(
  '../../infra/schedule-period.cjs',
) as (context: { resolveVariable: (name: string) => Promise<unknown> }) => Promise<number>;
const withSchedule = (value: string) => ({
  resolveVariable: async (name: string) => {
    if (name !== 'param:schedule') throw new Error(`unexpected variable ${name}`);
    return value;
  },
});

describe('schedule-period (the heartbeat alarm period)', () => {
  it.each([
    ['rate(1 minute)', 60],
    ['rate(15 minutes)', 900],
    ['rate(1 hour)', 3600],
    ['rate(12 hours)', 43200],
  ])('reads %s as %i seconds between sweeps', async (schedule, seconds) => {
    await expect(schedulePeriod(withSchedule(schedule))).resolves.toBe(seconds);
  });

  it('fails packaging on a cron schedule, naming the param', async () => {
    await expect(schedulePeriod(withSchedule('cron(0 3 * * ? *)'))).rejects.toThrow(
      /^schedule: the heartbeat alarm needs the interval between sweeps/,
    );
  });

  it.each(['rate(13 hours)', 'rate(1 day)', 'rate(0 minutes)'])(
    'fails packaging on %s, which two alarm periods cannot cover',
    async (schedule) => {
      await expect(schedulePeriod(withSchedule(schedule))).rejects.toThrow(
        `schedule: "${schedule}" is outside what the heartbeat alarm can watch`,
      );
    },
  );
});
