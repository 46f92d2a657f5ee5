import type { Deployment, Gateway } from '#core/model';
import type { DeleteResult, DeploymentDeleteResult, DeploymentList, GatewayApi } from '#core/ports';

const HTTP_OK = { status: 200, attempts: 1, durationMs: 1 };
const HTTP_NOT_FOUND = { status: 404, attempts: 1, durationMs: 1 };

/**
 * The gateway API in memory, for use-case tests: a fleet to list, GET and DELETE, the
 * calls it was asked for, and failures scripted per call. DELETE answers the gateway in
 * STATUS_DELETING and removes it, so a second DELETE or a GET answers 404. Deployments
 * (none unless given) are listed and deleted the same way (`LIST DEPLOYMENTS`,
 * `DELETE DEPLOYMENT <id>`).
 */
export class MemoryGatewayApi implements GatewayApi {
  readonly calls: string[] = [];
  readonly #fleet = new Map<string, Gateway>();
  readonly #failures = new Map<string, unknown>();
  readonly #deployments = new Map<string, Deployment>();
  readonly #ghosts = new Map<string, Gateway>();
  readonly #after = new Map<string, () => void>();
  #deploymentListNotFound = false;

  constructor(gateways: readonly Gateway[] = [], deployments: readonly Deployment[] = []) {
    for (const gateway of gateways) this.#fleet.set(gateway.id, gateway);
    for (const deployment of deployments) this.#deployments.set(deployment.id, deployment);
  }

  /** The next `LIST`, `GET <id>` or `DELETE <id>` call throws `error` instead of answering. */
  failNext(call: string, error: unknown): this {
    this.#failures.set(call, error);
    return this;
  }

  /** `effect` runs once the next such call has its answer (time passing, say). */
  afterNext(call: string, effect: () => void): this {
    this.#after.set(call, effect);
    return this;
  }

  /** The gateway is deleted by someone else after the next LIST still shows it. */
  goneAfterListing(id: string): this {
    const gateway = this.#fleet.get(id);
    if (gateway) this.#ghosts.set(id, gateway);
    this.#fleet.delete(id);
    return this;
  }

  /** The deployment list answers 404 from now on (read as none, and said so). */
  deploymentListNotFound(): this {
    this.#deploymentListNotFound = true;
    return this;
  }

  /** The names of the gateways still in the fleet, sorted. */
  names(): string[] {
    return [...this.#fleet.values()].map((gateway) => gateway.name).sort();
  }

  async list(): Promise<Gateway[]> {
    this.#call('LIST');
    const listed = [...this.#fleet.values(), ...this.#ghosts.values()];
    this.#ghosts.clear();
    return listed;
  }

  async get(id: string) {
    this.#call(`GET ${id}`);
    const gateway = this.#fleet.get(id);
    this.#answered(`GET ${id}`);
    return { gateway, http: gateway ? HTTP_OK : HTTP_NOT_FOUND };
  }

  async delete(id: string): Promise<DeleteResult> {
    this.#call(`DELETE ${id}`);
    const gateway = this.#fleet.get(id);
    if (!gateway) return { kind: 'already_gone', http: HTTP_NOT_FOUND };
    this.#fleet.delete(id);
    this.#answered(`DELETE ${id}`);
    return { kind: 'deleted', gateway: { ...gateway, status: 'STATUS_DELETING' }, http: HTTP_OK };
  }

  async listDeployments(): Promise<DeploymentList> {
    this.#call('LIST DEPLOYMENTS');
    if (this.#deploymentListNotFound) return { deployments: [], notFound: true };
    return { deployments: [...this.#deployments.values()] };
  }

  async deleteDeployment(id: string): Promise<DeploymentDeleteResult> {
    this.#call(`DELETE DEPLOYMENT ${id}`);
    const deployment = this.#deployments.get(id);
    if (!deployment) return { kind: 'already_gone', http: HTTP_NOT_FOUND };
    this.#deployments.delete(id);
    return {
      kind: 'deleted',
      deployment: { ...deployment, status: 'STATUS_DELETING' },
      http: HTTP_OK,
    };
  }

  #answered(call: string): void {
    const effect = this.#after.get(call);
    this.#after.delete(call);
    effect?.();
  }

  #call(call: string): void {
    this.calls.push(call);
    const failure = this.#failures.get(call);
    if (failure === undefined) return;
    this.#failures.delete(call);
    throw failure;
  }
}
