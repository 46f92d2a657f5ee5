import * as z from 'zod/mini';
import type { HttpSummary } from '#core/errors';
import {
  type Gateway,
  type GatewayCondition,
  type GatewayStatus,
  KNOWN_STATUSES,
} from '#core/model';
import { badResponse, parseItems, parseWrapped } from './wire-items.ts';

const KNOWN = new Set<string>(KNOWN_STATUSES);

// English messages, as zod classic gave them: they end up in API_BAD_RESPONSE details.
z.config(z.locales.en());

const text = z.nullish(z.string());
const strings = z.nullish(z.array(z.string()));
const enumValue = z.nullish(z.union([z.string(), z.number()]));

const condition = z.object({
  type: text,
  status: enumValue,
  reason: text,
  message: text,
  zone: text,
  lastUpdateTime: text,
});

// z.object drops unknown keys: this is the allowlist that keeps apiKey and anything
// new the API adds out of our process beyond this point.
const wireGateway = z.object({
  spec: z.looseObject({
    // A missing id is read as '' so the policy can keep that one gateway (unknown_identity)
    // rather than refuse the whole list.
    id: text,
    name: text,
    zones: strings,
    organizationId: text,
    endpointConfiguration: z.nullish(
      z.object({ additionalDns: strings, allowedSourceIpRanges: strings }),
    ),
  }),
  status: z.nullish(
    z.object({
      status: enumValue,
      createdAt: enumValue,
      updatedAt: enumValue,
      conditions: z.nullish(z.array(condition)),
      endpoints: strings,
    }),
  ),
});

/**
 * Normalises an enum name to a status name; unknown values stay visible. Only the zero
 * value has a documented number (proto3's default, `STATUS_UNSPECIFIED`): any other number
 * is unknown, never guessed from a position in a list, so no status rule can match it.
 */
export function normaliseStatus(value: unknown): GatewayStatus {
  if (value === undefined || value === null || value === '' || value === 0)
    return 'STATUS_UNSPECIFIED';
  if (typeof value === 'number') return `STATUS_UNKNOWN(${value})`;
  const name = String(value);
  return KNOWN.has(name) ? (name as GatewayStatus) : `STATUS_UNKNOWN(${name.slice(0, 40)})`;
}

/** Parses one wire gateway; returns an error message instead of throwing. */
export function toGateway(input: unknown): Gateway | string {
  const parsed = wireGateway.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return `${issue?.path.join('.') || 'gateway'}: ${issue?.message ?? 'invalid'}`;
  }
  const { spec, status } = parsed.data;
  const keys = Object.keys(spec);
  const gateway: Gateway = {
    id: spec.id ?? '',
    name: spec.name ?? '',
    zones: spec.zones ?? [],
    status: normaliseStatus(status?.status),
    conditions: (status?.conditions ?? []).map(
      (c) =>
        dropEmpty({
          ...c,
          status: c.status == null ? undefined : String(c.status),
        }) as GatewayCondition,
    ),
    endpoints: status?.endpoints ?? [],
  };
  if (spec.organizationId) gateway.organizationId = spec.organizationId;
  const auth = keys.find((key) => key.endsWith('Auth') && spec[key] != null);
  if (auth) gateway.authKind = auth;
  const routing = keys.find((key) => key.endsWith('Routing') && spec[key] != null);
  if (routing) gateway.routingKind = routing;
  if (spec.endpointConfiguration)
    gateway.endpointConfiguration = dropEmpty(
      spec.endpointConfiguration,
    ) as Gateway['endpointConfiguration'];
  if (status?.createdAt != null) gateway.createdAt = String(status.createdAt);
  if (status?.updatedAt != null) gateway.updatedAt = String(status.updatedAt);
  return gateway;
}

/** Reads `{ "gateway": … }` (get, delete) or throws API_BAD_RESPONSE. */
export function parseGatewayBody(
  body: unknown,
  method: string,
  path: string,
  http: HttpSummary,
): Gateway {
  const gateway = parseWrapped(body, 'gateway', { method, path, http }, toGateway);
  if (gateway.id === '') throw badResponse({ method, path, http }, 'gateway.spec.id: missing');
  return gateway;
}

/** Reads `{ "items": [...] }` of gateways; a missing `items` is an empty list. */
export function parseListBody(
  body: unknown,
  method: string,
  path: string,
  http: HttpSummary,
): Gateway[] {
  return parseItems(body, { method, path, http }, toGateway);
}

function dropEmpty<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) continue;
    out[key] = v;
  }
  return out as T;
}
