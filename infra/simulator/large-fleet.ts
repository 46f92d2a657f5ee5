import { ORGANIZATION_ID } from './build-gateway.ts';
import { mulberry32, sequentialUuid } from './prng.ts';
import type { WireGateway } from './wire.ts';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const ZONES = [['US-EAST-04A'], ['US-WEST-04A']];
const CW_AUTH = {};
const OPENAI = { apiType: 'API_TYPE_OPENAI' };

export type LargeFleetOptions = { count: number; expiredShare: number; now: Date; seed?: number };

/**
 * `count` READY gateways named bench-<n> for benchmarks: floor(count * expiredShare) of
 * them, spread evenly, are 31-90 days old; the rest are under an hour old.
 */
export function largeFleet({
  count,
  expiredShare,
  now,
  seed = 1,
}: LargeFleetOptions): WireGateway[] {
  const random = mulberry32(seed);
  const nowMs = now.getTime();
  const out: WireGateway[] = new Array(count);
  for (let n = 0; n < count; n += 1) {
    const expired = Math.floor((n + 1) * expiredShare) > Math.floor(n * expiredShare);
    const ageMs = expired ? 31 * DAY + random() * 59 * DAY : MINUTE + random() * 58 * MINUTE;
    const createdAt = new Date(nowMs - ageMs).toISOString();
    const name = `bench-${n}`;
    // Shared sub-objects are safe: the simulator never mutates stored gateways.
    out[n] = {
      spec: {
        id: sequentialUuid(seed, n),
        name,
        zones: ZONES[n % 2] as string[],
        organizationId: ORGANIZATION_ID,
        coreWeaveAuth: CW_AUTH,
        bodyBasedRouting: OPENAI,
      },
      status: {
        createdAt,
        updatedAt: createdAt,
        status: 'STATUS_READY',
        endpoints: [`https://${name}.${ORGANIZATION_ID}.inference.example.invalid`],
      },
    };
  }
  return out;
}
