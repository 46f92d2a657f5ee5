import { randomBytes } from 'node:crypto';

export type AuthVerdict = 'ok' | 'unauthenticated' | 'forbidden';

export const randomToken = (): string => `CW-SECRET-sim-${randomBytes(16).toString('hex')}`;

/** One admin token (rotatable) plus read-only viewer tokens (Inference Viewer role). */
export class BearerAuth {
  #admin: string;
  #viewers: Set<string>;

  constructor(admin: string, viewers: readonly string[]) {
    this.#admin = admin;
    this.#viewers = new Set(viewers);
  }

  get token(): string {
    return this.#admin;
  }

  /** The old token is invalid from now on (401). */
  rotate(next: string = randomToken()): string {
    this.#admin = next;
    return next;
  }

  check(bearer: string | undefined, write: boolean): AuthVerdict {
    if (bearer === undefined) return 'unauthenticated';
    if (bearer === this.#admin) return 'ok';
    if (this.#viewers.has(bearer)) return write ? 'forbidden' : 'ok';
    return 'unauthenticated';
  }
}

/** The token of an `Authorization: Bearer <token>` header, if well-formed. */
export function bearerOf(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1];
}
