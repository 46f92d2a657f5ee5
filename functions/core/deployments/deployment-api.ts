import type { HttpSummary } from '../common/errors.ts';
import type { Deadline } from '../common/ports.ts';
import type { Deployment } from './deployment.ts';

/** A deployment DELETE's answer: the final state, or already gone (404). */
export type DeploymentDeleteResult =
  | { kind: 'deleted'; deployment: Deployment; http: HttpSummary }
  | { kind: 'already_gone'; http: HttpSummary };

/**
 * The deployments the token can read. A 404 on the list means there are none, and says so
 * (`notFound`), for the run summary: a wrong URL would otherwise look like an idle fleet.
 */
export interface DeploymentList {
  deployments: Deployment[];
  notFound?: true;
}

/** The CoreWeave deployment API, as far as the janitor uses it. Failures throw ApiError. */
export interface DeploymentApi {
  listDeployments(deadline: Deadline): Promise<DeploymentList>;
  deleteDeployment(id: string, deadline: Deadline): Promise<DeploymentDeleteResult>;
}
