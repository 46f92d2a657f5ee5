import { describe, expect, it } from 'vitest';
import { type ChangeWindow, isOpen, nextOpening } from '#core/policy/change-windows';

const at = (iso: string) => Date.parse(iso);
const berlin = (over: Partial<ChangeWindow> = {}): ChangeWindow => ({
  days: ['mon', 'tue', 'wed', 'thu', 'fri'],
  from: '09:00',
  to: '17:00',
  timeZone: 'Europe/Berlin',
  ...over,
});

describe('isOpen', () => {
  it.each([
    ['opens at 09:00 Berlin in winter (08:00 UTC)', berlin(), '2026-01-05T08:00:00Z', true],
    ['is closed a minute before', berlin(), '2026-01-05T07:59:00Z', false],
    ['closes at 17:00 Berlin', berlin(), '2026-01-05T16:00:00Z', false],
    ['opens at 09:00 Berlin in summer (07:00 UTC)', berlin(), '2026-07-06T07:00:00Z', true],
    ['is closed on a Saturday', berlin(), '2026-07-04T10:00:00Z', false],
    [
      'runs an overnight window past midnight',
      berlin({ days: ['fri'], from: '22:00', to: '06:00' }),
      '2026-07-04T02:00:00Z',
      true,
    ],
    [
      'closes an overnight window in the morning',
      berlin({ days: ['fri'], from: '22:00', to: '06:00' }),
      '2026-07-04T04:00:00Z',
      false,
    ],
    [
      'reads the weekday in the zone, not in UTC',
      berlin({ days: ['sat'], from: '00:00', to: '02:00' }),
      '2026-07-03T22:30:00Z',
      true,
    ],
  ])('%s', (_, window, when, expected) => {
    expect(isOpen([window], at(when))).toBe(expected);
  });

  it('is always open without windows', () => {
    expect(isOpen(undefined, at('2026-07-04T10:00:00Z'))).toBe(true);
  });
});

describe('on a daylight-saving day in Europe/Berlin', () => {
  // 2026-03-29: 02:00 CET jumps to 03:00 CEST (01:00 UTC). 2026-10-25: 03:00 CEST falls
  // back to 02:00 CET (01:00 UTC), so 02:00-03:00 happens twice.
  const sunday = (from: string, to: string) => berlin({ days: ['sun'], from, to });

  it.each([
    [
      'spring: 09:00 is 07:00 UTC after the change',
      sunday('09:00', '10:00'),
      '2026-03-28T12:00:00Z',
      '2026-03-29T07:00:00Z',
    ],
    [
      'spring: a window starting in the skipped hour opens when the clock jumps',
      sunday('02:30', '04:00'),
      '2026-03-28T12:00:00Z',
      '2026-03-29T01:00:00Z',
    ],
    [
      'autumn: 09:00 is 08:00 UTC after the change',
      sunday('09:00', '10:00'),
      '2026-10-24T12:00:00Z',
      '2026-10-25T08:00:00Z',
    ],
    [
      'autumn: a window in the repeated hour opens the first time',
      sunday('02:15', '02:45'),
      '2026-10-24T12:00:00Z',
      '2026-10-25T00:15:00Z',
    ],
  ])('%s', (_, window, from, expected) => {
    expect(new Date(nextOpening([window], at(from)) ?? 0).toISOString()).toBe(
      new Date(at(expected)).toISOString(),
    );
  });

  it('keeps a 02:00-04:00 window open across the spring jump', () => {
    const window = sunday('02:00', '04:00');
    expect(isOpen([window], at('2026-03-29T00:59:00Z'))).toBe(false);
    expect(isOpen([window], at('2026-03-29T01:00:00Z'))).toBe(true);
    expect(isOpen([window], at('2026-03-29T02:00:00Z'))).toBe(false);
  });

  it('is open in both passes of the repeated autumn hour', () => {
    const window = sunday('02:00', '03:00');
    expect(isOpen([window], at('2026-10-25T00:30:00Z'))).toBe(true);
    expect(isOpen([window], at('2026-10-25T01:30:00Z'))).toBe(true);
    expect(isOpen([window], at('2026-10-25T02:00:00Z'))).toBe(false);
  });
});

describe('nextOpening', () => {
  it('answers now while a window is open', () => {
    const now = at('2026-01-05T10:00:00Z');
    expect(nextOpening([berlin()], now)).toBe(now);
  });

  it('skips the weekend to Monday morning', () => {
    expect(nextOpening([berlin()], at('2026-07-03T16:00:00Z'))).toBe(at('2026-07-06T07:00:00Z'));
  });

  it('picks the earliest of several windows in different zones', () => {
    const tokyo = berlin({ days: ['sat'], from: '09:00', to: '10:00', timeZone: 'Asia/Tokyo' });
    expect(nextOpening([berlin(), tokyo], at('2026-07-03T16:00:00Z'))).toBe(
      at('2026-07-04T00:00:00Z'),
    );
  });

  it('answers undefined without windows', () => {
    expect(nextOpening([], at('2026-07-03T16:00:00Z'))).toBeUndefined();
  });
});
