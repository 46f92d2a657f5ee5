import type { FaultKind } from './fault-book.ts';
import type { SimRoute } from './match-route.ts';

/** One request as the simulator saw it. Headers (and so the token) are never kept. */
export type RecordedRequest = {
  method: string;
  path: string;
  route: SimRoute;
  gatewayId?: string;
  deploymentId?: string;
  /** HTTP status sent; 0 when the connection was dropped without a status line. */
  status: number;
  /** The bearer token was valid and allowed for this method. */
  authorized: boolean;
  at: number;
  faults?: Array<FaultKind['kind']>;
};

export type SimulatorStats = {
  total: number;
  byRoute: Partial<Record<SimRoute, number>>;
  byStatus: Record<string, number>;
  byRouteStatus: Record<string, number>;
  rateLimited: number;
};

export class RequestLog {
  readonly requests: RecordedRequest[] = [];
  readonly deleted: string[] = [];
  readonly deletedDeployments: string[] = [];

  record(entry: RecordedRequest): RecordedRequest {
    this.requests.push(entry);
    return entry;
  }

  clear(): void {
    this.requests.length = 0;
    this.deleted.length = 0;
    this.deletedDeployments.length = 0;
  }

  stats(): SimulatorStats {
    const stats: SimulatorStats = {
      total: 0,
      byRoute: {},
      byStatus: {},
      byRouteStatus: {},
      rateLimited: 0,
    };
    for (const { route, status } of this.requests) {
      stats.total += 1;
      stats.byRoute[route] = (stats.byRoute[route] ?? 0) + 1;
      stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
      const key = `${route} ${status}`;
      stats.byRouteStatus[key] = (stats.byRouteStatus[key] ?? 0) + 1;
      if (status === 429) stats.rateLimited += 1;
    }
    return stats;
  }
}
