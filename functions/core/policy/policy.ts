import { z } from 'zod';
import { parseDuration } from '../shared/duration.ts';
import { ValidationError } from '../shared/errors.ts';
import { GATEWAY_ID, KNOWN_STATUSES } from '../shared/gateway.ts';
import { isSafeRegex } from './safe-regex.ts';

const duration = z.string().refine((text) => parseDuration(text) !== undefined, {
  message: 'expected a duration such as 30m, 6h, 7d or 1d12h',
});

const glob = z.string().min(1).max(200);

/** The timestamps a rule may measure age from. */
export const AGE_FROM = ['createdAt', 'updatedAt'] as const;
/** Where a rule's clock starts: creation, or the last update (time in the current state). */
export type AgeFrom = (typeof AGE_FROM)[number];

const match = z.strictObject({
  name: glob.optional(),
  nameRegex: z
    .string()
    .min(1)
    .max(200)
    .refine(isSafeRegex, {
      message: 'not a valid regular expression, or one that can backtrack catastrophically',
    })
    .optional(),
  zones: z.array(z.string().min(1)).min(1).optional(),
  status: z.array(z.enum(KNOWN_STATUSES)).min(1).optional(),
  organizationId: z.string().min(1).optional(),
});

const rule = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'expected 1-64 of A-Z a-z 0-9 _ . : -'),
  match,
  maxAge: duration,
  ageFrom: z.enum(AGE_FROM).optional(),
});

/** Defaults for the blast-radius limits: on unless a policy says otherwise (docs/contract.md). */
export const DEFAULT_LIMITS = { maxDeletesPerRun: 25, maxDeletePercent: 50 } as const;

const policySchema = z.strictObject({
  rules: z
    .array(rule)
    .min(1)
    .max(100)
    .refine((rules) => new Set(rules.map((r) => r.id)).size === rules.length, {
      message: 'rule ids must be unique',
    }),
  protect: z
    .strictObject({
      ids: z.array(z.string().regex(GATEWAY_ID, 'expected a gateway uuid')).default([]),
      names: z.array(glob).default([]),
    })
    .default({ ids: [], names: [] }),
  limits: z
    .strictObject({
      maxDeletesPerRun: z.number().int().min(0).default(DEFAULT_LIMITS.maxDeletesPerRun),
      maxDeletePercent: z.number().min(0).max(100).default(DEFAULT_LIMITS.maxDeletePercent),
    })
    .default({ ...DEFAULT_LIMITS }),
  teardown: z
    .strictObject({
      allow: z
        .strictObject({
          names: z
            .array(glob)
            .min(1, 'expected at least one glob; leave out teardown.allow to allow any gateway'),
        })
        .optional(),
    })
    .optional(),
});

/** A policy document as written by its author, after defaults. */
export type PolicyDocument = z.output<typeof policySchema>;
/** One rule of a policy. */
export type PolicyRule = PolicyDocument['rules'][number];

/**
 * Validates a policy document; throws a ValidationError naming the JSON path at fault,
 * e.g. `JANITOR_POLICY.rules[0].maxAge`.
 */
export function parsePolicy(input: unknown, source = 'policy'): PolicyDocument {
  const result = policySchema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue ? formatPath(source, issue.path) : source;
  const message =
    issue?.code === 'unrecognized_keys'
      ? `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`
      : (issue?.message ?? 'invalid policy');
  throw new ValidationError('POLICY_INVALID', path, message);
}

/** Parses policy JSON text, naming `source` (a variable or file) when it is not JSON. */
export function parsePolicyJson(text: string, source: string): PolicyDocument {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ValidationError('POLICY_INVALID', source, 'not valid JSON');
  }
  return parsePolicy(data, source);
}

function formatPath(source: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : `${acc}.${String(key)}`),
    source,
  );
}
