import type { Registry } from '#core/registry-port';
import { parseRfc3339 } from '#core/time';
import type { Simulator } from '#simulator/server';

const HOUR = 3_600_000;

/** The gateways of the seeded fleet the demo steers, and why each was chosen. */
export const DEMO_REGISTRY = {
  /** matches no rule: only a lease can let it go */
  leased: 'wandb-eval-gw',
  /** expired under its rule, but its team extends its lease */
  extended: 'pr-1236-docs-typo',
  /** expired under its rule, but kept while someone debugs it */
  kept: 'pr-1404-otel-traces',
} as const;

/**
 * Steers the demo's sweep through the in-memory registry as people would with the CLI:
 * a lease that has run out (set as if an hour ago), a lease extended by a day, and an
 * exemption. Answers the commands that make the same changes, to show beside the plan.
 */
export async function stageDemoRegistry(
  registry: Registry,
  simulator: Simulator,
  nowMs: number,
): Promise<string[]> {
  const byName = new Map(simulator.list().map((g) => [g.spec?.name, g]));
  const identity = (name: string) => {
    const gateway = byName.get(name);
    const id = gateway?.spec?.id;
    if (!id) throw new Error(`demo: the seeded fleet has no ${name}`);
    const createdAt = parseRfc3339(gateway?.status?.createdAt);
    return { id, identity: createdAt === undefined ? { name } : { name, createdAt } };
  };
  const leased = identity(DEMO_REGISTRY.leased);
  await registry.setLease(
    {
      gatewayId: leased.id,
      expiresAt: nowMs - 60_000,
      owner: 'team-eval',
      purpose: 'evaluation run',
      createdBy: 'demo',
      identity: leased.identity,
    },
    nowMs - HOUR,
  );
  const extended = identity(DEMO_REGISTRY.extended);
  await registry.setLease(
    {
      gatewayId: extended.id,
      expiresAt: nowMs + HOUR,
      owner: 'team-docs',
      createdBy: 'demo',
      identity: extended.identity,
    },
    nowMs,
  );
  await registry.extendLease(extended.id, { byMs: 24 * HOUR }, nowMs);
  await registry.keep(
    {
      gatewayId: identity(DEMO_REGISTRY.kept).id,
      until: nowMs + 48 * HOUR,
      reason: 'debugging a trace export',
      setBy: 'demo',
    },
    nowMs,
  );
  return [
    `gateway-janitor lease set ${DEMO_REGISTRY.leased} --ttl 59m --owner team-eval   # an hour ago: it ran out a minute ago`,
    `gateway-janitor lease set ${DEMO_REGISTRY.extended} --ttl 1h --owner team-docs`,
    `gateway-janitor lease extend ${DEMO_REGISTRY.extended} --by 1d`,
    `gateway-janitor keep ${DEMO_REGISTRY.kept} --for 2d --reason "debugging a trace export"`,
  ];
}
