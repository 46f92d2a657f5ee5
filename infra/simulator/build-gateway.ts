import type { WireCondition, WireGateway, WireGatewaySpec, WireStatusName } from './wire.ts';

export const ORGANIZATION_ID = 'a1b2c3';

export type GatewayDraft = {
  id: string;
  name: string;
  zone: string;
  /** ISO timestamp, or any string to simulate a bad one; undefined omits the field. */
  createdAt: string | undefined;
  updatedAt: string;
  status: WireStatusName;
  auth?: Pick<WireGatewaySpec, 'coreWeaveAuth' | 'weightsAndBiasesAuth'>;
  routing?: Pick<WireGatewaySpec, 'bodyBasedRouting' | 'headerBasedRouting' | 'pathBasedRouting'>;
};

const CONDITION: Partial<Record<WireStatusName, Omit<WireCondition, 'lastUpdateTime' | 'zone'>>> = {
  STATUS_READY: { type: 'Ready', status: 'True', reason: 'AsExpected' },
  STATUS_CREATING: {
    type: 'Ready',
    status: 'False',
    reason: 'Provisioning',
    message: 'gateway is being provisioned',
  },
  STATUS_UPDATING: {
    type: 'Progressing',
    status: 'True',
    reason: 'RollingOut',
    message: 'configuration change in progress',
  },
  STATUS_ERROR: {
    type: 'Ready',
    status: 'False',
    reason: 'ReconcileError',
    message: 'transient provisioning error; retrying',
  },
  STATUS_FAILED: {
    type: 'Ready',
    status: 'False',
    reason: 'ProvisioningFailed',
    message: 'load balancer quota exhausted',
  },
};

const HAS_ENDPOINTS = new Set<WireStatusName>(['STATUS_READY', 'STATUS_UPDATING']);

/** A realistic wire gateway: conditions per status, endpoints under example.invalid once READY. */
export function buildGateway(draft: GatewayDraft): WireGateway {
  const condition = CONDITION[draft.status];
  return {
    spec: {
      id: draft.id,
      name: draft.name,
      zones: [draft.zone],
      organizationId: ORGANIZATION_ID,
      ...(draft.auth ?? { coreWeaveAuth: {} }),
      ...(draft.routing ?? { bodyBasedRouting: { apiType: 'API_TYPE_OPENAI' } }),
    },
    status: {
      ...(draft.createdAt === undefined ? {} : { createdAt: draft.createdAt }),
      updatedAt: draft.updatedAt,
      status: draft.status,
      ...(condition
        ? { conditions: [{ ...condition, lastUpdateTime: draft.updatedAt, zone: draft.zone }] }
        : {}),
      ...(HAS_ENDPOINTS.has(draft.status)
        ? { endpoints: [`https://${draft.name}.${ORGANIZATION_ID}.inference.example.invalid`] }
        : {}),
    },
  };
}
