import * as z from 'zod/mini';
import { ApiError, type HttpSummary } from '#core/errors';
import type { Deployment } from '#core/model';
import {
  type Gateway,
  type GatewayCondition,
  type GatewayStatus,
  KNOWN_STATUSES,
} from '#core/model';

// English messages, as zod classic gave them: they end up in API_BAD_RESPONSE details.
z.config(z.locales.en());

const KNOWN = new Set<string>(KNOWN_STATUSES);
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

/** Where a body came from, for the error that names it. */
export interface BodySource {
  method: string;
  path: string;
  http: HttpSummary;
}

/** An API_BAD_RESPONSE naming the request and what was wrong with its body. */
export function badResponse({ method, path, http }: BodySource, detail: string): ApiError {
  return new ApiError('API_BAD_RESPONSE', {
    method,
    path,
    status: http.status,
    detail: `unexpected body: ${detail}`,
    http,
  });
}

/**
 * Reads `{ "items": [...] }` with `toItem` (which returns a message for an item it cannot
 * read); a missing `items` is an empty list, since proto3 JSON omits empty arrays. One
 * unreadable item refuses the whole list: what we cannot read cannot be judged safely.
 */
export function parseItems<T>(
  body: unknown,
  source: BodySource,
  toItem: (item: unknown) => T | string,
): T[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badResponse(source, 'expected a JSON object');
  }
  const items = (body as { items?: unknown }).items ?? [];
  if (!Array.isArray(items)) throw badResponse(source, 'items: expected an array');
  return items.map((item, index) => {
    const result = toItem(item);
    if (typeof result === 'string') throw badResponse(source, `items[${index}].${result}`);
    return result;
  });
}

/**
 * Reads `{ "<key>": … }` (a GET or DELETE answer) with `toItem`, or throws
 * API_BAD_RESPONSE naming what was wrong.
 */
export function parseWrapped<T>(
  body: unknown,
  key: string,
  source: BodySource,
  toItem: (item: unknown) => T | string,
): T {
  const wrapped =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const result = toItem(wrapped[key]);
  if (typeof result === 'string') throw badResponse(source, result);
  return result;
}

/** Parses a body as JSON; undefined when it is empty or not JSON. */
export function parseJson(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The API's own message from a google.rpc.Status or Connect error body, bounded. */
export function apiMessage(text: string | undefined, token: string): string | undefined {
  const body = parseJson(text) as { message?: unknown; error?: unknown } | undefined;
  const message = body && typeof body === 'object' ? (body.message ?? body.error) : undefined;
  if (typeof message === 'string' && message.length > 0) {
    // A proxy that echoes the request in its error would hand us our own token back.
    return message.replaceAll(token, '[REDACTED]').slice(0, 500);
  }
  if (text && text.length > 0) return 'non-JSON error body';
  return undefined;
}
