import type { WireGateway } from './wire.ts';
import { omitZeroValues } from './wire.ts';

export const iso = (ms: number): string => new Date(ms).toISOString();

/** The `Ready: False` condition of a gateway still being provisioned. */
export function provisioning(
  at: number,
  zone: string | undefined,
  reason: string,
  message: string,
) {
  return { type: 'Ready', status: 'False', reason, message, lastUpdateTime: iso(at), zone };
}

/** CREATING/UPDATING -> READY at `at`: Ready condition true, endpoint under example.invalid. */
export function becomeReady(gateway: WireGateway, at: number): WireGateway {
  const { spec } = gateway;
  return omitZeroValues({
    spec,
    status: {
      ...gateway.status,
      status: 'STATUS_READY',
      updatedAt: iso(at),
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'AsExpected',
          lastUpdateTime: iso(at),
          zone: spec.zones?.[0],
        },
      ],
      endpoints: [`https://${spec.name}.${spec.organizationId ?? 'org'}.inference.example.invalid`],
    },
  });
}

/** DELETING -> ERROR at `at`: the platform gave up on the deletion; the gateway stays. */
export function failDeletion(gateway: WireGateway, at: number): WireGateway {
  return omitZeroValues({
    spec: gateway.spec,
    status: {
      ...gateway.status,
      status: 'STATUS_ERROR',
      updatedAt: iso(at),
      conditions: [
        {
          type: 'Ready',
          status: 'False',
          reason: 'DeletionFailed',
          message: 'deletion did not complete',
          lastUpdateTime: iso(at),
          zone: gateway.spec.zones?.[0],
        },
      ],
    },
  });
}
