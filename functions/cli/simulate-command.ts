import { once } from 'node:events';
import { formatDuration } from '#core/time';
import type { CliIo } from './cli-io.ts';
import { displayPath, EXAMPLE_POLICY } from './open-session.ts';
import { startSeededSimulator } from './start-seeded-simulator.ts';

/** Flags of `simulate`. */
export interface SimulateFlags {
  seed?: number;
  size?: number;
  /** ms a deleted gateway stays DELETING before it vanishes */
  deleteDelay?: number;
  /** ids or names whose deletion never completes */
  stick?: string[];
}

/**
 * `simulate`: serves the seeded fleet on loopback until interrupted, for trying the CLI
 * by hand. Its token is a throwaway minted by the simulator, so printing it is safe.
 */
export async function simulateCommand(
  flags: SimulateFlags,
  io: CliIo,
  stopSignal: Promise<unknown> = Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]),
): Promise<number> {
  const simulator = await startSeededSimulator({
    seed: flags.seed,
    size: flags.size,
    deleteDelayMs: flags.deleteDelay,
    stuckDeletions: flags.stick,
  });
  const stuck = flags.stick?.length ? `; deletions that stick: ${flags.stick.join(', ')}` : '';
  const policy = displayPath(EXAMPLE_POLICY);
  io.out(
    [
      `CoreWeave gateway API simulator: ${simulator.list().length} seeded gateways (seed ${flags.seed ?? 42})`,
      `  URL:   ${simulator.url}`,
      `  token: ${simulator.token}`,
      `  deleted gateways vanish after ${formatDuration(flags.deleteDelay ?? 1_000)}${stuck}`,
      '',
      'In another terminal:',
      `  export COREWEAVE_API_TOKEN=${simulator.token}`,
      `  npx gateway-janitor plan --api-url ${simulator.url} --policy ${policy}`,
      `  npx gateway-janitor sweep --api-url ${simulator.url} --policy ${policy} --apply`,
      '',
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
  await stopSignal;
  await simulator.close();
  io.err('simulator stopped\n');
  return 0;
}
