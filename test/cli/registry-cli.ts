import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { createMemoryRegistry, type MemoryRegistryStore } from '#adapters/memory-registry';
import type { Registry } from '#core/registry-port';
import type { Simulator } from '#simulator/server';
import { leakedCanaries } from '#test/support/canaries';
import { operatorEnv, startCanarySimulator } from './canary-fleet.ts';
import { type CliRun, runCliInProcess } from './run-cli-in-process.ts';

/**
 * For one describe of registry commands: the canary simulator, an in-memory registry
 * (`fresh()` makes a new one), a scratch folder, and `cli` running in process against
 * them; at the end no run may have printed a canary.
 */
export function useRegistryCli() {
  const state = {} as {
    simulator: Simulator;
    registry: Registry;
    store: MemoryRegistryStore;
    dir: string;
  };
  const runs: CliRun[] = [];
  beforeAll(async () => {
    state.simulator = await startCanarySimulator();
    state.dir = mkdtempSync(join(tmpdir(), 'janitor-registry-cli-'));
  });
  afterAll(async () => {
    for (const run of runs) expect(leakedCanaries(run.stdout + run.stderr)).toEqual([]);
    await state.simulator.close();
    rmSync(state.dir, { recursive: true, force: true });
  });
  return {
    get simulator() {
      return state.simulator;
    },
    get registry() {
      return state.registry;
    },
    get store() {
      return state.store;
    },
    get dir() {
      return state.dir;
    },
    fresh() {
      ({ registry: state.registry, store: state.store } = createMemoryRegistry());
    },
    async cli(args: string[], env = operatorEnv(state.simulator)) {
      const run = await runCliInProcess(args, { env, deps: { registry: state.registry } });
      runs.push(run);
      return run;
    },
    idOf(name: string) {
      const found = state.simulator.list().find((g) => g.spec.name === name);
      if (!found?.spec.id) throw new Error(`no ${name}`);
      return found.spec.id;
    },
  };
}
