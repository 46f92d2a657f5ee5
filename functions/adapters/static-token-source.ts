import type { TokenSource } from '#core/ports';

/** A fixed token (the CLI's COREWEAVE_API_TOKEN): nothing to refresh. */
export class StaticTokenSource implements TokenSource {
  readonly #token: string;
  constructor(token: string) {
    this.#token = token;
  }
  get(): Promise<string> {
    return Promise.resolve(this.#token);
  }
  refresh(): Promise<string> {
    return Promise.resolve(this.#token);
  }
}
