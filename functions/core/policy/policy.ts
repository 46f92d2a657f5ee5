import * as z from 'zod/mini';
import { ValidationError } from '../errors.ts';
import { GATEWAY_ID, KNOWN_STATUSES } from '../model.ts';
import { parseDuration } from '../time.ts';
import { isSafeRegex } from './safe-regex.ts';
import {
  leasesSection,
  maxDeletesPer24h,
  noticeSection,
  ruleOwner,
  windowsSection,
} from './steering-policy.ts';

// zod/mini ships no messages of its own ("Invalid input" for every issue): English, as
// zod classic had it, keeps every message a policy author, a request sender and an
// operator reads unchanged. Idempotent; every module with a schema sets it.
z.config(z.locales.en());

const duration = z.string().check(
  z.refine((text) => parseDuration(text) !== undefined, {
    message: 'expected a duration such as 30m, 6h, 7d or 1d12h',
  }),
);

const glob = z.string().check(z.minLength(1), z.maxLength(200));

/** The timestamps a rule may measure age from. */
const AGE_FROM = ['createdAt', 'updatedAt'] as const;
/** Where a rule's clock starts: creation, or the last update (time in the current state). */
export type AgeFrom = (typeof AGE_FROM)[number];

const match = z.strictObject({
  name: z.optional(glob),
  nameRegex: z.optional(
    z.string().check(
      z.minLength(1),
      z.maxLength(200),
      z.refine(isSafeRegex, {
        message: 'not a valid regular expression, or one that can backtrack catastrophically',
      }),
    ),
  ),
  zones: z.optional(z.array(z.string().check(z.minLength(1))).check(z.minLength(1))),
  status: z.optional(z.array(z.enum(KNOWN_STATUSES)).check(z.minLength(1))),
  organizationId: z.optional(z.string().check(z.minLength(1))),
});

const rule = z.strictObject({
  id: z.string().check(z.regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'expected 1-64 of A-Z a-z 0-9 _ . : -')),
  match,
  maxAge: duration,
  ageFrom: z.optional(z.enum(AGE_FROM)),
  /** Delete the deployments that serve only gateways this run deletes, first. */
  deleteDeployments: z.optional(z.boolean()),
  owner: ruleOwner,
});

/** Defaults for the blast-radius limits: on unless a policy says otherwise (docs/contract.md). */
const DEFAULT_LIMITS = { maxDeletesPerRun: 25, maxDeletePercent: 50 } as const;

const policySchema = z.strictObject({
  rules: z.array(rule).check(
    z.minLength(1),
    z.maxLength(100),
    z.refine((rules) => new Set(rules.map((r) => r.id)).size === rules.length, {
      message: 'rule ids must be unique',
    }),
  ),
  protect: z._default(
    z.strictObject({
      ids: z._default(
        z.array(z.string().check(z.regex(GATEWAY_ID, 'expected a gateway uuid'))),
        [],
      ),
      names: z._default(z.array(glob), []),
    }),
    { ids: [], names: [] },
  ),
  limits: z._default(
    z.strictObject({
      maxDeletesPerRun: z._default(
        z.number().check(z.int(), z.minimum(0)),
        DEFAULT_LIMITS.maxDeletesPerRun,
      ),
      maxDeletePercent: z._default(
        z.number().check(z.minimum(0), z.maximum(100)),
        DEFAULT_LIMITS.maxDeletePercent,
      ),
      maxDeletesPer24h,
    }),
    { ...DEFAULT_LIMITS },
  ),
  leases: leasesSection,
  notice: noticeSection,
  windows: windowsSection,
  teardown: z.optional(
    z.strictObject({
      allow: z.optional(
        z.strictObject({
          names: z.optional(
            z
              .array(glob)
              .check(
                z.minLength(
                  1,
                  'expected at least one glob; leave out teardown.allow.names to allow any gateway',
                ),
              ),
          ),
          /** Honour a request's `deleteDeployments`; off unless the policy says so. */
          deleteDeployments: z.optional(z.boolean()),
        }),
      ),
    }),
  ),
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
  // A misspelt key is the likelier mistake than the key it leaves missing: name it first.
  const { issues } = result.error;
  const issue = issues.find((candidate) => candidate.code === 'unrecognized_keys') ?? issues[0];
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
