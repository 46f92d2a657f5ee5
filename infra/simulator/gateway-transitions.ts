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
