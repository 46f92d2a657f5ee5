import { once } from 'node:events';
import type { CliIo } from './cli-io.ts';
import { displayPath, EXAMPLE_POLICY } from './open-session.ts';
import { startSeededSimulator } from './start-seeded-simulator.ts';

/** Flags of `simulate`. */
export interface SimulateFlags {
  seed?: number;
  size?: number;
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
  const simulator = await startSeededSimulator({ seed: flags.seed, size: flags.size });
  const policy = displayPath(EXAMPLE_POLICY);
  io.out(
    [
      `CoreWeave gateway API simulator: ${simulator.list().length} seeded gateways (seed ${flags.seed ?? 42})`,
      `  URL:   ${simulator.url}`,
      `  token: ${simulator.token}`,
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
