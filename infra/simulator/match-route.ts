export type SimRoute =
  | 'list'
  | 'get'
  | 'delete'
  | 'create'
  | 'parameters'
  | 'update'
  | 'deployment-list'
  | 'deployment-get'
  | 'deployment-delete'
  | 'unknown';

/** `allow` is set when the path exists but the method does not (405). */
export type RouteMatch = {
  route: SimRoute;
  gatewayId?: string;
  deploymentId?: string;
  allow?: string;
};

const BASE = '/v1alpha1/inference/gateways';
const COLLECTION: Record<string, SimRoute> = { GET: 'list', POST: 'create' };
const ITEM: Record<string, SimRoute> = { GET: 'get', PATCH: 'update', DELETE: 'delete' };

const DEPLOYMENTS = '/v1alpha1/inference/deployments';

/** REST routes of API doc section 2; `/gateways/parameters` is matched before `/{id}`. */
export function matchRoute(method: string, pathname: string): RouteMatch {
  const path = pathname.length > 1 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname;
  if (path === DEPLOYMENTS || path.startsWith(`${DEPLOYMENTS}/`)) {
    return matchDeploymentRoute(method, path);
  }
  if (path === BASE) {
    const route = COLLECTION[method];
    return route ? { route } : { route: 'unknown', allow: 'GET, POST' };
  }
  if (path === `${BASE}/parameters`) {
    return method === 'GET' ? { route: 'parameters' } : { route: 'unknown', allow: 'GET' };
  }
  if (!path.startsWith(`${BASE}/`)) return { route: 'unknown' };
  const segment = path.slice(BASE.length + 1);
  if (segment.includes('/')) return { route: 'unknown' };
  const gatewayId = safeDecode(segment);
  if (gatewayId === undefined) return { route: 'unknown' };
  const route = ITEM[method];
  return route
    ? { route, gatewayId }
    : { route: 'unknown', gatewayId, allow: 'GET, PATCH, DELETE' };
}

/** The deployment routes the janitor uses: list, get and delete one. */
function matchDeploymentRoute(method: string, path: string): RouteMatch {
  if (path === DEPLOYMENTS) {
    return method === 'GET' ? { route: 'deployment-list' } : { route: 'unknown', allow: 'GET' };
  }
  const segment = path.slice(DEPLOYMENTS.length + 1);
  if (segment.includes('/')) return { route: 'unknown' };
  const deploymentId = safeDecode(segment);
  if (deploymentId === undefined) return { route: 'unknown' };
  if (method === 'GET') return { route: 'deployment-get', deploymentId };
  if (method === 'DELETE') return { route: 'deployment-delete', deploymentId };
  return { route: 'unknown', deploymentId, allow: 'GET, DELETE' };
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
