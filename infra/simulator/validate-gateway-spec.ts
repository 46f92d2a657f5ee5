import type { WireGatewaySpec } from './wire.ts';

export type FieldViolation = { field: string; description: string };
export type DraftSpec = Omit<WireGatewaySpec, 'id'> & { id?: string };
export type SpecValidation =
  | { ok: true; spec: DraftSpec }
  | { ok: false; violations: FieldViolation[] };

const MAX_NAME = 38; // provider PR #422: the API enforces a 38-character cap
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const AUTHS = ['coreWeaveAuth', 'weightsAndBiasesAuth'] as const;
const ROUTINGS = ['bodyBasedRouting', 'headerBasedRouting', 'pathBasedRouting'] as const;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

/** Create/Update request validation, per API doc sections 2.3 and 8. */
export function validateGatewaySpec(body: unknown, zones: readonly string[]): SpecValidation {
  if (!isObject(body)) return fail('body', 'request body must be a JSON object');
  const violations: FieldViolation[] = [];
  const bad = (field: string, description: string) => violations.push({ field, description });
  const { name, id } = body;

  if (typeof name !== 'string' || name.length === 0) bad('name', 'name is required');
  else if (name.length > MAX_NAME) bad('name', `name must be at most ${MAX_NAME} characters`);
  if (id !== undefined && (typeof id !== 'string' || !UUID.test(id))) {
    bad('id', 'id must be a UUID');
  }

  const canonicalZones = isStringArray(body.zones)
    ? body.zones.map((zone) => zones.find((known) => known.toLowerCase() === zone.toLowerCase()))
    : [];
  if (!isStringArray(body.zones) || body.zones.length === 0) bad('zones', 'zones is required');
  else if (canonicalZones.includes(undefined))
    bad('zones', `zones must be among ${zones.join(', ')}`);

  const auths = AUTHS.filter((key) => body[key] !== undefined);
  if (auths.length !== 1)
    bad('auth', 'exactly one of coreWeaveAuth, weightsAndBiasesAuth is required');
  const wandb = body.weightsAndBiasesAuth;
  if (wandb !== undefined && !isObject(wandb)) bad('weightsAndBiasesAuth', 'must be an object');
  if (isObject(wandb) && wandb.apiKey && !wandb.serverUrl) {
    bad('weightsAndBiasesAuth.serverUrl', 'apiKey requires serverUrl');
  }

  const routings = ROUTINGS.filter((key) => body[key] !== undefined);
  if (routings.length !== 1) {
    bad(
      'routing',
      'exactly one of bodyBasedRouting, headerBasedRouting, pathBasedRouting is required',
    );
  }
  const bodyRouting = body.bodyBasedRouting;
  if (
    bodyRouting !== undefined &&
    (!isObject(bodyRouting) || !['API_TYPE_OPENAI', 1].includes(bodyRouting.apiType as string))
  ) {
    bad('bodyBasedRouting.apiType', 'apiType must be API_TYPE_OPENAI');
  }
  const headerName = isObject(body.headerBasedRouting)
    ? body.headerBasedRouting.headerName
    : undefined;
  if (
    body.headerBasedRouting !== undefined &&
    (typeof headerName !== 'string' || headerName.length < 1 || headerName.length > 100)
  ) {
    bad('headerBasedRouting.headerName', 'headerName must be 1-100 characters');
  }
  const endpoint = body.endpointConfiguration;
  if (
    endpoint !== undefined &&
    (!isObject(endpoint) ||
      (endpoint.additionalDns !== undefined && !isStringArray(endpoint.additionalDns)) ||
      (endpoint.allowedSourceIpRanges !== undefined &&
        !isStringArray(endpoint.allowedSourceIpRanges)))
  ) {
    bad('endpointConfiguration', 'additionalDns and allowedSourceIpRanges must be string arrays');
  }
  if (violations.length > 0) return { ok: false, violations };

  const spec: Json = { id, name, zones: canonicalZones };
  for (const key of [...AUTHS, ...ROUTINGS, 'endpointConfiguration']) {
    if (body[key] !== undefined) spec[key] = body[key];
  }
  return { ok: true, spec: spec as DraftSpec };
}

function fail(field: string, description: string): SpecValidation {
  return { ok: false, violations: [{ field, description }] };
}
