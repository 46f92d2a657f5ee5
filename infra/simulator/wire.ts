/**
 * Loose wire shapes of the CoreWeave Inference API (v1alpha1 REST/JSON), as the simulator
 * stores and serves them. See docs/coreweave-api.md "The gateway".
 */
export type WireStatusName =
  | 'STATUS_UNSPECIFIED'
  | 'STATUS_CREATING'
  | 'STATUS_READY'
  | 'STATUS_UPDATING'
  | 'STATUS_DELETING'
  | 'STATUS_ERROR'
  | 'STATUS_FAILED';

export type WireCondition = {
  type?: string;
  status?: string;
  lastUpdateTime?: string;
  reason?: string;
  message?: string;
  zone?: string;
};

export type WireWeightsAndBiasesAuth = {
  apiKey?: string;
  serverUrl?: string;
  enableUsageReports?: boolean;
  enableRateLimiting?: boolean;
};

export type WireGatewaySpec = {
  id: string;
  name: string;
  zones?: string[];
  organizationId?: string;
  coreWeaveAuth?: Record<string, unknown>;
  weightsAndBiasesAuth?: WireWeightsAndBiasesAuth;
  bodyBasedRouting?: { apiType?: string | number };
  headerBasedRouting?: { headerName?: string };
  pathBasedRouting?: Record<string, unknown>;
  endpointConfiguration?: { additionalDns?: string[]; allowedSourceIpRanges?: string[] };
};

export type WireGatewayStatus = {
  createdAt?: string;
  updatedAt?: string;
  status?: WireStatusName | (string & {}) | number;
  conditions?: WireCondition[];
  endpoints?: string[];
};

export type WireGateway = { spec: WireGatewaySpec; status?: WireGatewayStatus };

/**
 * Numeric values used by the `numeric-enums` fault. The real numbers are unknown
 * (API doc section 3.2 / unknown 7); these follow the order of the published table.
 */
export const STATUS_NUMBERS: Readonly<Record<WireStatusName, number>> = {
  STATUS_UNSPECIFIED: 0,
  STATUS_CREATING: 1,
  STATUS_READY: 2,
  STATUS_UPDATING: 3,
  STATUS_DELETING: 4,
  STATUS_ERROR: 5,
  STATUS_FAILED: 6,
};

export const API_TYPE_NUMBERS: Readonly<Record<string, number>> = {
  API_TYPE_UNSPECIFIED: 0,
  API_TYPE_OPENAI: 1,
};

/** Re-encodes a JSON body with enum names replaced by numbers (older doc variant). */
export function toNumericEnums(json: string): string {
  const statuses: Record<string, number> = STATUS_NUMBERS;
  return JSON.stringify(
    JSON.parse(json, (key, value) => {
      if (typeof value !== 'string') return value;
      if (key === 'status' && value in statuses) return statuses[value];
      if (key === 'apiType' && value in API_TYPE_NUMBERS) return API_TYPE_NUMBERS[value];
      return value;
    }),
  );
}

const ZERO_ENUMS = new Set(['STATUS_UNSPECIFIED', 'API_TYPE_UNSPECIFIED']);

/**
 * Returns a copy without proto3 zero values (empty strings and arrays, false, 0,
 * UNSPECIFIED enums). Empty objects stay: `coreWeaveAuth: {}` marks a oneof choice.
 */
export function omitZeroValues<T>(value: T): T {
  if (Array.isArray(value)) return value.map(omitZeroValues) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  const source = value as Record<string, unknown>;
  for (const key in source) {
    const field = source[key];
    if (field === undefined || field === null || field === '' || field === false || field === 0) {
      continue;
    }
    if (typeof field === 'string') {
      if (!ZERO_ENUMS.has(field)) out[key] = field;
    } else if (typeof field !== 'object') out[key] = field;
    else if (!Array.isArray(field) || field.length > 0) out[key] = omitZeroValues(field);
  }
  return out as T;
}
