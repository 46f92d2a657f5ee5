import * as z from 'zod/mini';
import { GATEWAY_ID } from '../common/gateway.ts';
import { parseRfc3339 } from '../common/rfc3339.ts';

// English messages, as zod classic gave them (policy.ts says why).
z.config(z.locales.en());

const MAX_BODY_CHARS = 16_384;

const timestamp = z.string().check(
  z.maxLength(40),
  z.refine((text) => parseRfc3339(text) !== undefined, {
    message: 'expected an RFC 3339 timestamp with a zone',
  }),
);
const printable = (max: number) =>
  z
    .string()
    .check(
      z.maxLength(max, `at most ${max} characters`),
      z.regex(/^[^\p{Cc}]*$/u, 'control characters are not allowed'),
    );

const schema = z.strictObject({
  gatewayId: z.pipe(
    z.string().check(z.regex(GATEWAY_ID, 'expected a gateway uuid')),
    // Upper-case uuids are the same gateway: normalise, don't reject.
    z.transform((id: string) => id.toLowerCase()),
  ),
  expiresAt: z.optional(timestamp),
  reason: z.optional(printable(500)),
  requestedBy: z.optional(printable(200)),
  expectedName: z.optional(printable(100)),
  expectedCreatedAt: z.optional(timestamp),
  /** delete the deployments that serve only this gateway first */
  deleteDeployments: z.optional(z.boolean()),
  /** when deployments first held the request back; set by the janitor when it defers */
  deferredSince: z.optional(timestamp),
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
