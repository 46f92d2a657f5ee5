import * as z from 'zod/mini';
import type { HttpSummary } from '#core/errors';
import type { Deployment } from '#core/model';
import { normaliseStatus } from './wire-gateway.ts';
import { parseItems, parseWrapped } from './wire-items.ts';

// English messages, as zod classic gave them (core/policy/policy.ts says why).
z.config(z.locales.en());

const text = z.nullish(z.string());
const enumValue = z.nullish(z.union([z.string(), z.number()]));

// z.object drops unknown keys: model, runtime, resources, traffic and whatever the API
// adds never get past this point, so nothing they carry can reach a log.
const wireDeployment = z.object({
  spec: z.object({
    id: z.string().check(z.minLength(1)),
    name: text,
    // Which gateways it serves is the one thing a decision depends on: a value that is
    // not a list of strings fails the parse, and with it the whole list (unknown means keep).
    gatewayIds: z.nullish(z.array(z.string())),
  }),
  status: z.nullish(z.object({ status: enumValue, createdAt: enumValue, updatedAt: enumValue })),
});

/** Parses one wire deployment; returns an error message instead of throwing. */
export function toDeployment(input: unknown): Deployment | string {
  const parsed = wireDeployment.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return `${issue?.path.join('.') || 'deployment'}: ${issue?.message ?? 'invalid'}`;
  }
  const { spec, status } = parsed.data;
  const deployment: Deployment = {
    id: spec.id,
    name: spec.name ?? '',
    gatewayIds: spec.gatewayIds ?? [],
    status: normaliseStatus(status?.status),
  };
  if (status?.createdAt != null) deployment.createdAt = String(status.createdAt);
  if (status?.updatedAt != null) deployment.updatedAt = String(status.updatedAt);
  return deployment;
}

/** Reads `{ "deployment": … }` (the DELETE answer) or throws API_BAD_RESPONSE. */
export function parseDeploymentBody(
  body: unknown,
  method: string,
  path: string,
  http: HttpSummary,
): Deployment {
  return parseWrapped(body, 'deployment', { method, path, http }, toDeployment);
}

/** Reads `{ "items": [...] }` of deployments; a missing `items` is an empty list. A
 * deployment we cannot read may serve any gateway, so it refuses the whole list. */
export function parseDeploymentListBody(
  body: unknown,
  method: string,
  path: string,
  http: HttpSummary,
): Deployment[] {
  return parseItems(body, { method, path, http }, toDeployment);
}
