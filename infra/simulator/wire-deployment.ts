import type { WireCondition, WireStatusName } from './wire.ts';

/**
 * A deployment's spec as the simulator stores it. Only the fields the janitor reads are
 * typed; the required create fields (runtime, resources, model, autoscaling, traffic)
 * are carried as opaque objects so responses look like the real API's.
 * See docs/coreweave-api.md "Deployments".
 */
export type WireDeploymentSpec = {
  id: string;
  name: string;
  gatewayIds?: string[];
  disabled?: boolean;
  runtime?: Record<string, unknown>;
  resources?: Record<string, unknown>;
  model?: Record<string, unknown>;
  autoscaling?: Record<string, unknown>;
  traffic?: Record<string, unknown>;
};

export type WireDeploymentStatus = {
  createdAt?: string;
  updatedAt?: string;
  status?: WireStatusName | (string & {}) | number;
  conditions?: WireCondition[];
};

export type WireDeployment = { spec: WireDeploymentSpec; status?: WireDeploymentStatus };
