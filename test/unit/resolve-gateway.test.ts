import { describe, expect, it } from 'vitest';
import { matchGateways, resolveGateway } from '#cli/resolve-gateway';
import { ValidationError } from '#core/errors';

const FLEET = [
  { id: '87c41305-06f1-42a7-ac4a-1230d7ba68b3', name: 'pr-1290-failed-build' },
  { id: '87c41399-0000-4000-8000-000000000001', name: 'pr-1291' },
  { id: 'bee8a835-4e97-46b4-b27f-3a3f802fcec6', name: 'pr-1301-batching' },
  { id: 'c0ffee00-0000-4000-8000-000000000002', name: 'twin' },
  { id: 'c0ffee11-0000-4000-8000-000000000003', name: 'twin' },
  { id: 'deadbeef-0000-4000-8000-000000000004', name: 'hex' },
  { id: 'aaaaaaaa-0000-4000-8000-000000000005', name: 'deadbeef' },
];

function usageError(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a usage error');
}

describe('resolveGateway', () => {
  it.each([
    ['a full uuid', '87c41305-06f1-42a7-ac4a-1230d7ba68b3', 'id'],
    ['a full uuid in upper case', '87C41305-06F1-42A7-AC4A-1230D7BA68B3', 'id'],
    ['the 8-character prefix plan prints', 'bee8a835', 'prefix'],
    ['a longer prefix', '87c41305-06f1', 'prefix'],
    ['an exact name', 'pr-1301-batching', 'name'],
  ])('resolves %s', (_case, text, by) => {
    const resolved = resolveGateway(text, FLEET);
    expect(resolved.by).toBe(by);
    expect(FLEET.map((g) => g.id)).toContain(resolved.id);
  });

  it('returns a full uuid nobody listed as it is, for the command to decide', () => {
    expect(resolveGateway('11111111-2222-4333-8444-555555555555', FLEET)).toEqual({
      id: '11111111-2222-4333-8444-555555555555',
      by: 'id',
    });
  });

  it('refuses a name two gateways share, listing both ids', () => {
    const error = usageError(() => resolveGateway('twin', FLEET, '<gateway> #2'));
    expect(error.field).toBe('<gateway> #2');
    expect(error.message).toContain('"twin" matches 2 gateways');
    expect(error.message).toContain('c0ffee00-0000-4000-8000-000000000002  twin');
    expect(error.message).toContain('c0ffee11-0000-4000-8000-000000000003  twin');
  });

  it('refuses a text that is one gateway’s name and another’s id prefix', () => {
    const error = usageError(() => resolveGateway('deadbeef', FLEET));
    expect(error.message).toContain('matches 2 gateways');
  });

  it('refuses an 8-character prefix of two ids', () => {
    const fleet = [
      { id: '87c41305-0000-4000-8000-000000000001', name: 'a' },
      { id: '87c41305-0000-4000-8000-000000000002', name: 'b' },
    ];
    const error = usageError(() => resolveGateway('87c41305', fleet));
    expect(error.message).toMatch(
      /matches 2 gateways[\s\S]*000000000001 {2}a[\s\S]*000000000002 {2}b/,
    );
  });

  it('refuses a prefix shorter than 8 characters, saying how long it must be', () => {
    const error = usageError(() => resolveGateway('bee8a8', FLEET));
    expect(error.message).toContain('at least 8 characters');
  });

  it('refuses a name that matches nothing, never guessing by part of a name', () => {
    const error = usageError(() => resolveGateway('pr-1290', FLEET));
    expect(error.message).toContain('no gateway is named "pr-1290"');
  });

  it('strips terminal escapes from the names it lists', () => {
    const fleet = [
      { id: 'c0ffee00-0000-4000-8000-000000000002', name: 'x\u001b[2Jy' },
      { id: 'c0ffee11-0000-4000-8000-000000000003', name: 'x\u001b[2Jy' },
    ];
    const error = usageError(() => resolveGateway('x\u001b[2Jy', fleet));
    expect(error.message).not.toContain('\u001b');
  });

  it('lists at most ten candidates and counts the rest', () => {
    const many = Array.from({ length: 14 }, (_, i) => ({
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      name: 'same',
    }));
    const error = usageError(() => resolveGateway('same', many));
    expect(error.message).toContain('and 4 more');
  });
});

describe('matchGateways', () => {
  it('prefers the gateway whose full id it is over any name match', () => {
    const fleet = [
      { id: '87c41305-06f1-42a7-ac4a-1230d7ba68b3', name: 'x' },
      { id: 'aaaaaaaa-0000-4000-8000-000000000005', name: '87c41305-06f1-42a7-ac4a-1230d7ba68b3' },
    ];
    expect(matchGateways('87c41305-06f1-42a7-ac4a-1230d7ba68b3', fleet)).toHaveLength(1);
  });
});
