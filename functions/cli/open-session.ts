import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Agent } from 'undici';
import type { CliConfig } from '#config/load-config';
import { ValidationError } from '#core/errors';
import { compilePolicy, type Policy } from '#core/policy/compile-policy';
import type { GatewayApi } from '#core/ports';
import { DEFAULT_CAPS } from '#core/registry/create-registry';
import type { Registry } from '#core/registry-port';
import type { Simulator } from '#simulator/server';
import type { CliIo } from './cli-io.ts';
import { type ConnectionFlags, loadCliConfig } from './load-cli-config.ts';
import { openRegistry } from './open-registry.ts';
import { readPolicyFile } from './read-policy-file.ts';

/** The bundled example policy (examples/policy.json), the default with --simulate. */
export const EXAMPLE_POLICY = fileURLToPath(new URL('../../examples/policy.json', import.meta.url));

/** Flags that choose the API, the token and the policy. */
export interface TargetFlags extends ConnectionFlags {
  policy?: string;
  simulate?: boolean;
}

/** A wired API client and policy for one command, plus what to close afterwards. */
export interface Session {
  api: GatewayApi;
  config: CliConfig;
  policy: Policy;
  /** what the command talks to, for headings */
  target: string;
  simulator?: Simulator;
  /**
   * The registry: with --simulate an in-memory one that lives as long as the embedded
   * simulator (the demo's), else the table configured, else none (`registry: off`).
   */
  registry?: Registry;
  registryName?: string;
  close(): Promise<void>;
}

/**
 * Validates flags and environment, reads the policy, and wires the same client the
 * Lambda uses; with --simulate, first starts a fresh embedded simulator to point it at.
 */
export async function openSession(
  flags: TargetFlags,
  io: CliIo,
  shared: { registry?: Registry } = {},
): Promise<Session> {
  const connection = await openApi(flags, io, async (config) => {
    const policy = await chosenPolicy(flags, config);
    if (!policy) {
      throw new ValidationError(
        'CONFIG_INVALID',
        '--policy',
        'required: a policy file, JSON or YAML (see examples/policy.json)',
      );
    }
    return policy;
  });
  const { registry, registryName } = await openRegistry(
    connection.config.registryTable,
    connection.policy.leases ?? DEFAULT_CAPS,
    flags.simulate === true,
    shared.registry,
  );
  return { ...connection, registry, registryName } as Session;
}

/**
 * The API client alone, for commands that name gateways but decide nothing (`request`);
 * `prepare` runs once the configuration is valid, before the client is made.
 */
export async function openApi<T = undefined>(
  flags: TargetFlags,
  io: CliIo,
  prepare?: (config: CliConfig) => Promise<T>,
): Promise<Omit<Session, 'policy'> & { policy: T }> {
  const { env, simulator } = await simulated(flags, io.env);
  const held: HeldAgent = {};
  const close = async () => {
    await held.agent?.close();
    await simulator?.close();
  };
  try {
    const config = loadCliConfig(flags, env);
    const policy = (await prepare?.(config)) as T;
    const api = await wireCliApi(config, held);
    const target = simulator ? `the embedded simulator at ${simulator.url}` : config.apiUrl;
    return { api, config, policy, target, simulator, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The policy --policy names (the example with --simulate), else the configured one. */
export async function chosenPolicy(
  flags: TargetFlags,
  config: CliConfig,
): Promise<Policy | undefined> {
  const file = flags.policy ?? (flags.simulate ? EXAMPLE_POLICY : undefined);
  return file ? compilePolicy(await readPolicyFile(file)) : config.policy;
}

/** A path as the user would type it from the current directory. */
export function displayPath(file: string): string {
  return relative(process.cwd(), file) || file;
}

/**
 * With --simulate, refuses the flags that point elsewhere, starts a fresh embedded
 * simulator and returns the environment aimed at it; otherwise the environment as is.
 */
export async function simulated(
  flags: TargetFlags,
  env: CliIo['env'],
): Promise<{ env: CliIo['env']; simulator?: Simulator }> {
  if (!flags.simulate) return { env };
  for (const [flag, value] of [
    ['--api-url', flags.apiUrl],
    ['--secret-id', flags.secretId],
    ['--registry-table', flags.registryTable],
  ] as const) {
    if (value !== undefined)
      throw new ValidationError('CONFIG_INVALID', flag, 'cannot be combined with --simulate');
  }
  const { startSeededSimulator } = await import('./start-seeded-simulator.ts');
  const simulator = await startSeededSimulator();
  // The simulator issues its own token: nothing from the shell's account is used.
  const aimed: CliIo['env'] = {
    ...env,
    COREWEAVE_API_TOKEN: simulator.token,
    COREWEAVE_API_URL: simulator.url,
  };
  delete aimed.COREWEAVE_TOKEN_SECRET_ID;
  return { env: aimed, simulator };
}

/** The one HTTP agent a command's client keeps, made on first use and closed with it. */
export interface HeldAgent {
  agent?: Agent;
}

/**
 * The client the Lambda uses, with the CLI's agent. Loaded only once the flags are valid,
 * so usage errors and --help answer quickly without loading undici and the AWS SDK.
 */
export async function wireCliApi(config: CliConfig, held: HeldAgent): Promise<GatewayApi> {
  const { createGatewayApi } = await import('#wiring/gateway-api');
  const { createAgent } = await import('#adapters/coreweave/transport');
  held.agent ??= createAgent({ keepAliveTimeout: 5_000 });
  return createGatewayApi(config, { dispatcher: held.agent, profile: 'cli' }).api;
}
