import { seedFleet } from '#simulator/fleet';
import { type Simulator, startSimulator } from '#simulator/server';
import { CANARY_API_KEY, CANARY_TOKEN } from '#test/support/canaries';

/** The bundled policy the CLI tests plan with; the seeded fleet stays within its limits. */
export const POLICY = 'examples/policy.json';

/**
 * The demo's seeded fleet on a loopback simulator whose token is the canary, with the
 * W&B gateway's apiKey swapped for the canary key and echoed back in every response
 * (the real API never returns it), so any leak into CLI output would be caught.
 */
export function startCanarySimulator(): Promise<Simulator> {
  const gateways = seedFleet({ now: new Date() }).map((gateway) => {
    const wandb = gateway.spec.weightsAndBiasesAuth;
    if (!wandb) return gateway;
    return {
      ...gateway,
      spec: { ...gateway.spec, weightsAndBiasesAuth: { ...wandb, apiKey: CANARY_API_KEY } },
    };
  });
  return startSimulator({ token: CANARY_TOKEN, gateways, echoApiKey: true, deleteDelayMs: 60_000 });
}

/** The environment an operator would have: the API URL and the token, nothing else. */
export function operatorEnv(simulator: Simulator): Record<string, string> {
  return { COREWEAVE_API_URL: simulator.url, COREWEAVE_API_TOKEN: CANARY_TOKEN };
}
