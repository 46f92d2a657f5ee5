import { describe, expect, it } from 'vitest';
import {
  isConfirmationBody,
  parseConfirmationMessage,
} from '#core/confirmation/confirmation-message';
import { testId } from '#test/fixtures/gateway-builder';

const RUN_ID = '7d1f0c8e-5b7a-4d38-9f5e-2a9c41b0e6d3';
const DELETED_AT = '2026-09-01T12:00:00Z';
const valid = { gatewayId: testId(1), confirm: { deletedAt: DELETED_AT, runId: RUN_ID } };

describe('parseConfirmationMessage', () => {
  it('accepts gatewayId with confirm.deletedAt and confirm.runId', () => {
    // Act
    const parsed = parseConfirmationMessage(valid);
    // Assess
    expect(parsed).toEqual({
      ok: true,
      confirmation: {
        gatewayId: testId(1),
        deletedAt: DELETED_AT,
        deletedAtMs: Date.parse(DELETED_AT),
        runId: RUN_ID,
      },
    });
  });

  it('normalises an upper-case gateway id', () => {
    // Act
    const parsed = parseConfirmationMessage({ ...valid, gatewayId: testId(1).toUpperCase() });
    // Assess
    expect(parsed.ok && parsed.confirmation.gatewayId).toBe(testId(1));
  });

  it.each([
    [
      'a request field beside confirm',
      { ...valid, expiresAt: DELETED_AT },
      'body',
      'unknown field "expiresAt": a confirmation carries only gatewayId and confirm',
    ],
    [
      'requestedBy beside confirm',
      { ...valid, requestedBy: 'ci' },
      'body',
      'unknown field "requestedBy": a confirmation carries only gatewayId and confirm',
    ],
    [
      'an unknown field inside confirm',
      { ...valid, confirm: { ...valid.confirm, force: true } },
      'confirm',
      'unknown field "force"',
    ],
    [
      'a deletedAt without a zone',
      { ...valid, confirm: { ...valid.confirm, deletedAt: '2026-09-01T12:00:00' } },
      'confirm.deletedAt',
      'expected an RFC 3339 timestamp with a zone',
    ],
    [
      'a missing runId',
      { ...valid, confirm: { deletedAt: DELETED_AT } },
      'confirm.runId',
      undefined,
    ],
    [
      'a runId that is not a uuid',
      { ...valid, confirm: { ...valid.confirm, runId: 'run 1' } },
      'confirm.runId',
      'expected the uuid of the run that deleted it',
    ],
    ['confirm that is not an object', { ...valid, confirm: true }, 'confirm', undefined],
    [
      'a bad gateway id',
      { ...valid, gatewayId: 'pr-1377' },
      'gatewayId',
      'expected a gateway uuid',
    ],
  ])('rejects %s, naming the field', (_name, body, field, message) => {
    // Act
    const parsed = parseConfirmationMessage(body);
    // Assess
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.field).toBe(field);
    if (message) expect(parsed.message).toBe(message);
  });
});

describe('isConfirmationBody', () => {
  it('tells a confirmation from a teardown request by the confirm field', () => {
    // Act & Assess
    expect(isConfirmationBody(valid)).toBe(true);
    expect(isConfirmationBody({ gatewayId: testId(1), expiresAt: DELETED_AT })).toBe(false);
  });
});
