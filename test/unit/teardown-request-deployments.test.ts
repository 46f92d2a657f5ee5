import { describe, expect, it } from 'vitest';
import { parseTeardownRequest } from '#core/teardown/request';

const ID = '6f1c2a9e-3b7d-4c1e-9a52-0d8e4f7b21aa';

describe('parseTeardownRequest with deployments', () => {
  it('accepts deleteDeployments and deferredSince', () => {
    // Act
    const parsed = parseTeardownRequest(
      JSON.stringify({
        gatewayId: ID,
        deleteDeployments: true,
        deferredSince: '2026-11-01T00:00:00Z',
      }),
    );
    // Assess
    expect(parsed).toMatchObject({
      ok: true,
      request: { deleteDeployments: true, deferredSince: '2026-11-01T00:00:00Z' },
    });
  });

  it.each([
    ['deleteDeployments', { deleteDeployments: 'yes' }],
    ['deferredSince', { deferredSince: 'last week' }],
  ])('rejects a bad %s, naming the field', (field, extra) => {
    // Act
    const parsed = parseTeardownRequest(JSON.stringify({ gatewayId: ID, ...extra }));
    // Assess
    expect(parsed).toMatchObject({ ok: false, field });
  });
});
