import type { HttpSummary } from '../common/errors.ts';
import type { Deadline } from '../common/ports.ts';
import type { Deployment } from './deployment.ts';

/** A deployment DELETE's answer: the final state, or already gone (404). */
export type DeploymentDeleteResult =
  | { kind: 'deleted'; deployment: Deployment; http: HttpSummary }
  | { kind: 'already_gone'; http: HttpSummary };

/** The CoreWeave deployment API, as far as the janitor uses it. Failures throw ApiError. */
export interface DeploymentApi {
  /** Every deployment the token can read; a 404 on the list means there are none. */
  listDeployments(deadline: Deadline): Promise<Deployment[]>;
  deleteDeployment(id: string, deadline: Deadline): Promise<DeploymentDeleteResult>;
}
