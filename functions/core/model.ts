/** Gateway lifecycle states, as named by the CoreWeave API (docs/coreweave-api.md "Statuses"). */
export const KNOWN_STATUSES = [
  'STATUS_UNSPECIFIED',
  'STATUS_CREATING',
  'STATUS_READY',
  'STATUS_UPDATING',
  'STATUS_DELETING',
  'STATUS_ERROR',
  'STATUS_FAILED',
] as const;

/** A known status name, or `STATUS_UNKNOWN(<raw>)` for a value this build does not know. */
export type GatewayStatus = (typeof KNOWN_STATUSES)[number] | `STATUS_UNKNOWN(${string})`;

/** A gateway condition as the API reports it; never used for decisions (docs/coreweave-api.md). */
export interface GatewayCondition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  zone?: string;
  lastUpdateTime?: string;
}

/**
 * A gateway normalised from the wire: enums as names, omitted arrays as empty,
 * secrets already dropped. `createdAt` stays the raw string so the policy can fail closed.
 */
export interface Gateway {
  id: string;
  name: string;
  zones: string[];
  organizationId?: string;
  authKind?: string;
  routingKind?: string;
  endpointConfiguration?: { additionalDns?: string[]; allowedSourceIpRanges?: string[] };
  status: GatewayStatus;
  conditions: GatewayCondition[];
  endpoints: string[];
  createdAt?: string;
  updatedAt?: string;
}

/** A gateway id: a UUID, in either case (the API documents ids in UUID format). */
export const GATEWAY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A deployment normalised from the wire: only what deciding about gateways needs.
 * Everything else the API sends (model, runtime, resources, ...) is never copied.
 */
export interface Deployment {
  id: string;
  name: string;
  /** The gateways it serves through (`spec.gatewayIds`); omitted on the wire means none. */
  gatewayIds: string[];
  /** The same status enum as gateways (docs/coreweave-api.md "Deployments"). */
  status: GatewayStatus;
  createdAt?: string;
  updatedAt?: string;
}

/** How a deployment is named in an audit record or a plan. */
export interface DeploymentRef {
  id: string;
  name: string;
}
