import { seedDeployments } from '#simulator/deployment-fleet';
import { seedFleet } from '#simulator/fleet';
import { type Simulator, startSimulator } from '#simulator/server';

/** How the embedded simulator is seeded; the defaults are the demo's fleet. */
export interface SeededSimulatorOptions {
  seed?: number;
  size?: number;
  latencyMs?: number;
  /** How long a deleted gateway stays DELETING before it vanishes (default 1 s). */
  deleteDelayMs?: number;
  /** Gateways (id or name) whose deletion never completes. */
  stuckDeletions?: readonly string[];
}

/**
 * Starts the loopback CoreWeave simulator with the deterministic seeded fleet. The fleet
 * is aged against the real clock, the same clock the janitor plans with, so a gateway
 * seeded 9 days old is 9 days old to the policy.
 */
export function startSeededSimulator(options: SeededSimulatorOptions = {}): Promise<Simulator> {
  const now = new Date();
  const seed = options.seed ?? 42;
  const gateways = seedFleet({ seed, size: options.size ?? 40, now });
  return startSimulator({
    gateways,
    // Some previews and load tests are serving a deployment, as real ones would be.
    deployments: seedDeployments(gateways, { seed, now }),
    latencyMs: options.latencyMs ?? 0,
    deleteDelayMs: options.deleteDelayMs ?? 1_000,
    stuckDeletions: options.stuckDeletions ?? [],
  });
}
