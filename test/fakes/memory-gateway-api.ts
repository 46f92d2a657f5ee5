import type { Gateway } from '#core/shared/gateway';
import type { DeleteResult, GatewayApi } from '#core/shared/ports';

const HTTP_OK = { status: 200, attempts: 1, durationMs: 1 };
const HTTP_NOT_FOUND = { status: 404, attempts: 1, durationMs: 1 };

/**
 * The gateway API in memory, for use-case tests: a fleet to list, GET and DELETE, the
 * calls it was asked for, and failures scripted per call. DELETE answers the gateway in
 * STATUS_DELETING and removes it, so a second DELETE or a GET answers 404.
 */
export class MemoryGatewayApi implements GatewayApi {
  readonly calls: string[] = [];
  readonly #fleet = new Map<string, Gateway>();
  readonly #failures = new Map<string, unknown>();

  constructor(gateways: readonly Gateway[] = []) {
    for (const gateway of gateways) this.#fleet.set(gateway.id, gateway);
  }

  /** The next `LIST`, `GET <id>` or `DELETE <id>` call throws `error` instead of answering. */
  failNext(call: string, error: unknown): this {
    this.#failures.set(call, error);
    return this;
  }

  /** The gateways still in the fleet, by id. */
  ids(): string[] {
    return [...this.#fleet.keys()];
  }

  async list(): Promise<Gateway[]> {
    this.#call('LIST');
    return [...this.#fleet.values()];
  }

  async get(id: string) {
    this.#call(`GET ${id}`);
    const gateway = this.#fleet.get(id);
    return { gateway, http: gateway ? HTTP_OK : HTTP_NOT_FOUND };
  }

  async delete(id: string): Promise<DeleteResult> {
    this.#call(`DELETE ${id}`);
    const gateway = this.#fleet.get(id);
    if (!gateway) return { kind: 'already_gone', http: HTTP_NOT_FOUND };
    this.#fleet.delete(id);
    return { kind: 'deleted', gateway: { ...gateway, status: 'STATUS_DELETING' }, http: HTTP_OK };
  }

  #call(call: string): void {
    this.calls.push(call);
    const failure = this.#failures.get(call);
    if (failure === undefined) return;
    this.#failures.delete(call);
    throw failure;
  }
}
