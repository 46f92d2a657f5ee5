import { iso } from './gateway-transitions.ts';
import { omitZeroValues } from './wire.ts';
import type { WireDeployment } from './wire-deployment.ts';

export type DeploymentStoreOptions = {
  clock: () => number;
  /** How long a deleted deployment stays STATUS_DELETING before it vanishes. */
  deleteDelayMs: number;
};

type Entry = { deployment: WireDeployment; deletingSince?: number };

/**
 * The simulator's deployments, keyed by id. Deletion is lazy like the gateway store's:
 * DELETE moves a deployment to STATUS_DELETING and it vanishes deleteDelayMs later. A
 * deployment keeps its gateways referenced until it has vanished.
 */
export class DeploymentStore {
  #entries = new Map<string, Entry>();
  #options: DeploymentStoreOptions;

  constructor(options: DeploymentStoreOptions) {
    this.#options = options;
  }

  /** Replaces every deployment. Deployments seeded as DELETING vanish deleteDelayMs from now. */
  seed(deployments: readonly WireDeployment[]): void {
    this.#entries.clear();
    const now = this.#options.clock();
    for (const deployment of deployments) {
      const deleting = deployment.status?.status === 'STATUS_DELETING';
      this.#entries.set(
        deployment.spec.id,
        deleting ? { deployment, deletingSince: now } : { deployment },
      );
    }
  }

  get(id: string): WireDeployment | undefined {
    const entry = this.#entries.get(id);
    return entry && this.#resolve(id, entry, this.#options.clock());
  }

  list(): WireDeployment[] {
    const now = this.#options.clock();
    const out: WireDeployment[] = [];
    for (const [id, entry] of this.#entries) {
      const deployment = this.#resolve(id, entry, now);
      if (deployment) out.push(deployment);
    }
    return out;
  }

  /** The live deployments (deleting ones included) that serve through this gateway. */
  referencing(gatewayId: string): WireDeployment[] {
    const wanted = gatewayId.toLowerCase();
    return this.list().filter((deployment) =>
      (deployment.spec.gatewayIds ?? []).some((id) => id.toLowerCase() === wanted),
    );
  }

  /** Starts deletion (idempotent while DELETING); `commit: false` only previews the answer. */
  delete(id: string, commit = true): WireDeployment | undefined {
    const entry = this.#entries.get(id);
    const now = this.#options.clock();
    const current = entry && this.#resolve(id, entry, now);
    if (!entry || !current || entry.deletingSince !== undefined) return current;
    const deleting = omitZeroValues({
      spec: current.spec,
      status: { ...current.status, status: 'STATUS_DELETING', updatedAt: iso(now) },
    });
    if (commit) {
      entry.deployment = deleting;
      entry.deletingSince = now;
    }
    return deleting;
  }

  #resolve(id: string, entry: Entry, now: number): WireDeployment | undefined {
    if (entry.deletingSince === undefined) return entry.deployment;
    if (now - entry.deletingSince < this.#options.deleteDelayMs) return entry.deployment;
    this.#entries.delete(id);
    return undefined;
  }
}
