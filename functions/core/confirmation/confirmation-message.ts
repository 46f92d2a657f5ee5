import * as z from 'zod/mini';
import { GATEWAY_ID } from '../model.ts';
import { parseRfc3339 } from '../time.ts';

// English messages, as zod classic gave them (policy/policy.ts says why).
z.config(z.locales.en());

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Only the janitor writes confirmations, so nothing else is accepted beside them: a
// request field (expiresAt, requestedBy, ...) next to `confirm` is a malformed message,
// never a request to delete (docs/contract.md, "Deletion is confirmed, not assumed").
const schema = z.strictObject({
  gatewayId: z.pipe(
    z.string().check(z.regex(GATEWAY_ID, 'expected a gateway uuid')),
    z.transform((id: string) => id.toLowerCase()),
  ),
  confirm: z.strictObject({
    deletedAt: z.string().check(
      z.maxLength(40),
      z.refine((text) => parseRfc3339(text) !== undefined, {
        message: 'expected an RFC 3339 timestamp with a zone',
      }),
    ),
    runId: z.string().check(z.regex(UUID, 'expected the uuid of the run that deleted it')),
  }),
});

/** A validated confirmation message: look whether this deletion has finished. */
export interface ConfirmationMessage {
  gatewayId: string;
  deletedAt: string;
  deletedAtMs: number;
  runId: string;
}

/** Either the confirmation, or the field at fault and why. */
export type ParsedConfirmation =
  | { ok: true; confirmation: ConfirmationMessage }
  | { ok: false; field: string; message: string };

/** True when a parsed message body is meant as a confirmation (it has `confirm`). */
export function isConfirmationBody(data: object): boolean {
  return Object.hasOwn(data, 'confirm');
}

/** Validates a JSON object that carries `confirm`; unknown fields, here or inside, are rejected. */
export function parseConfirmationMessage(data: object): ParsedConfirmation {
  const result = schema.safeParse(data);
  if (result.success) {
    const { gatewayId, confirm } = result.data;
    return {
      ok: true,
      confirmation: {
        gatewayId,
        deletedAt: confirm.deletedAt,
        deletedAtMs: parseRfc3339(confirm.deletedAt) as number,
        runId: confirm.runId,
      },
    };
  }
  const issue = result.error.issues[0];
  const at = issue?.path.length ? issue.path.map(String).join('.') : 'body';
  if (issue?.code === 'unrecognized_keys') {
    const keys = issue.keys.map((key) => JSON.stringify(key.slice(0, 40))).join(', ');
    const plural = issue.keys.length > 1 ? 's' : '';
    return {
      ok: false,
      field: at,
      message:
        at === 'body'
          ? `unknown field${plural} ${keys}: a confirmation carries only gatewayId and confirm`
          : `unknown field${plural} ${keys}`,
    };
  }
  return { ok: false, field: at, message: issue?.message ?? 'invalid confirmation' };
}

/**
 * A teardown message body that is a confirmation (a JSON object with `confirm`), parsed;
 * undefined for any other body, which is then read as a teardown request.
 */
export function readConfirmation(body: string): ParsedConfirmation | undefined {
  // Bodies too long to be a request are refused by the request parser, with its message.
  if (body.length > 16_384 || !body.includes('"confirm"')) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  return isConfirmationBody(data) ? parseConfirmationMessage(data) : undefined;
}
