import { describe, expect, it } from 'vitest';
import { backoffMs } from '#core/time';

describe('backoffMs', () => {
  it.each([
    { retry: 1, baseMs: 200, maxMs: undefined, pause: 200 },
    { retry: 2, baseMs: 200, maxMs: undefined, pause: 400 },
    { retry: 4, baseMs: 200, maxMs: undefined, pause: 1_600 },
    { retry: 1, baseMs: 1_000, maxMs: 15_000, pause: 1_000 },
    { retry: 4, baseMs: 1_000, maxMs: 15_000, pause: 8_000 },
    { retry: 5, baseMs: 1_000, maxMs: 15_000, pause: 15_000 },
    { retry: 40, baseMs: 1_000, maxMs: 15_000, pause: 15_000 },
  ])(
    'pauses $pause ms before retry $retry from $baseMs ms, capped at $maxMs',
    ({ retry, baseMs, maxMs, pause }) => {
      expect(backoffMs(retry, baseMs, maxMs)).toBe(pause);
    },
  );
});
