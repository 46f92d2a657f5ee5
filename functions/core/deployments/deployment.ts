import type { GatewayStatus } from '../common/gateway.ts';

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
