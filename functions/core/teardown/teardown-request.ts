import { z } from 'zod';
import { GATEWAY_ID } from '../shared/gateway.ts';
import { parseRfc3339 } from '../shared/rfc3339.ts';

const MAX_BODY_CHARS = 16_384;

const timestamp = z
  .string()
  .max(40)
  .refine((text) => parseRfc3339(text) !== undefined, {
    message: 'expected an RFC 3339 timestamp with a zone',
  });
const printable = (max: number) =>
  z
    .string()
    .max(max, `at most ${max} characters`)
    .regex(/^[^\p{Cc}]*$/u, 'control characters are not allowed');

const schema = z.strictObject({
  gatewayId: z
    .string()
    .regex(GATEWAY_ID, 'expected a gateway uuid')
    // Upper-case uuids are the same gateway: normalise, don't reject.
    .transform((id) => id.toLowerCase()),
  expiresAt: timestamp.optional(),
  reason: printable(500).optional(),
  requestedBy: printable(200).optional(),
  expectedName: printable(100).optional(),
  expectedCreatedAt: timestamp.optional(),
});

/** A validated teardown request (docs/contract.md "Triggers", teardown). */
export type TeardownRequest = z.output<typeof schema>;

/** Either the request, or the field at fault and why. */
export type ParsedTeardownRequest =
  | { ok: true; request: TeardownRequest }
  | { ok: false; field: string; message: string };

/** Parses an SQS message body; never throws, so a bad message can be recorded and parked. */
export function parseTeardownRequest(body: string): ParsedTeardownRequest {
  if (body.length > MAX_BODY_CHARS) {
    return { ok: false, field: 'body', message: `longer than ${MAX_BODY_CHARS} characters` };
  }
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    return { ok: false, field: 'body', message: 'not valid JSON' };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { ok: false, field: 'body', message: 'expected a JSON object' };
  }
  const result = schema.safeParse(data);
  if (result.success) return { ok: true, request: result.data };
  const issue = result.error.issues[0];
  if (issue?.code === 'unrecognized_keys') {
    const keys = issue.keys.map((key) => JSON.stringify(key.slice(0, 40))).join(', ');
    return {
      ok: false,
      field: 'body',
      message: `unknown field${issue.keys.length > 1 ? 's' : ''} ${keys}`,
    };
  }
  const field = issue?.path.length ? issue.path.map(String).join('.') : 'body';
  return { ok: false, field, message: issue?.message ?? 'invalid request' };
}
