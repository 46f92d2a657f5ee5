import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTeardownRequest } from '#core/teardown/request';

const ID = '6f1c2a9e-3b7d-4c1e-9a52-0d8e4f7b21aa';

describe('parseTeardownRequest', () => {
  it('accepts a full request', () => {
    const body = JSON.stringify({
      gatewayId: ID,
      expiresAt: '2026-11-26T12:00:00.123456789+02:00',
      reason: 'PR #12 closed',
      requestedBy: 'ci/github-actions',
      expectedName: 'pr-12-preview',
      expectedCreatedAt: '2026-11-20T08:00:00Z',
    });
    expect(parseTeardownRequest(body)).toMatchObject({
      ok: true,
      request: { gatewayId: ID, requestedBy: 'ci/github-actions' },
    });
  });

  it('normalises an upper-case uuid instead of rejecting it', () => {
    expect(parseTeardownRequest(JSON.stringify({ gatewayId: ID.toUpperCase() }))).toEqual({
      ok: true,
      request: { gatewayId: ID },
    });
  });

  it.each([
    ['', 'body', 'not valid JSON'],
    ['null', 'body', 'expected a JSON object'],
    ['[]', 'body', 'expected a JSON object'],
    ['"x"', 'body', 'expected a JSON object'],
    ['42', 'body', 'expected a JSON object'],
    ['{}', 'gatewayId', ''],
    [JSON.stringify({ gatewayId: 42 }), 'gatewayId', ''],
    [JSON.stringify({ gatewayId: 'not-a-uuid' }), 'gatewayId', 'uuid'],
    [JSON.stringify({ gatewayId: `../${ID}` }), 'gatewayId', 'uuid'],
    [JSON.stringify({ gatewayId: `${ID}%2F` }), 'gatewayId', 'uuid'],
    [JSON.stringify({ gatewayId: ` ${ID}` }), 'gatewayId', 'uuid'],
    [JSON.stringify({ gatewayId: `{${ID}}` }), 'gatewayId', 'uuid'],
    [JSON.stringify({ gatewayId: ID, expiresAt: '2026-11-26T12:00:00' }), 'expiresAt', 'RFC 3339'],
    [JSON.stringify({ gatewayId: ID, expiresAt: '2026-02-30T12:00:00Z' }), 'expiresAt', 'RFC 3339'],
    [JSON.stringify({ gatewayId: ID, expiresAt: 'tomorrow' }), 'expiresAt', 'RFC 3339'],
    [JSON.stringify({ gatewayId: ID, expectedCreatedAt: 1732622400 }), 'expectedCreatedAt', ''],
    [JSON.stringify({ gatewayId: ID, reason: 'x'.repeat(501) }), 'reason', 'at most 500'],
    [JSON.stringify({ gatewayId: ID, requestedBy: 'a\u0000b' }), 'requestedBy', 'control'],
    [JSON.stringify({ gatewayId: ID, dryRun: true }), 'body', 'unknown field "dryRun"'],
    [`{"gatewayId":"${ID}","__proto__":{"polluted":true}}`, 'body', 'unknown field "__proto__"'],
    [
      `{"gatewayId":"${ID}","constructor":{"prototype":{"x":1}}}`,
      'body',
      'unknown field "constructor"',
    ],
    [JSON.stringify({ gatewayId: ID, pad: 'x'.repeat(20_000) }), 'body', 'longer than'],
  ])('rejects %s naming %s', (body, field, message) => {
    const parsed = parseTeardownRequest(body);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.field).toBe(field);
    expect(parsed.message).toContain(message);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('never throws and accepts only bodies that carry a valid uuid', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue().map((v) => JSON.stringify({ gatewayId: v })),
        ),
        (body) => {
          const parsed = parseTeardownRequest(body);
          if (parsed.ok)
            expect(parsed.request.gatewayId).toMatch(/^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/);
          else expect(parsed.field.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 500 },
    );
  });
});
