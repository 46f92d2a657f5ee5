import { randomUUID } from 'node:crypto';
import { type BearerAuth, bearerOf } from './bearer-auth.ts';
import type { DeploymentStore } from './deployment-store.ts';
import type { GatewayStore } from './gateway-store.ts';
import type { RouteMatch } from './match-route.ts';
import type { TokenBuckets } from './rate-limit.ts';
import {
  invalidArgument,
  jsonReply,
  notFound,
  permissionDenied,
  type Reply,
  RPC_CODES,
  rpcError,
  textReply,
  unauthenticated,
} from './reply.ts';
import { validateGatewaySpec } from './validate-gateway-spec.ts';
import { omitZeroValues, type WireGateway } from './wire.ts';
import type { WireDeployment } from './wire-deployment.ts';

const JSON_TYPE = { 'content-type': 'application/json' };
const LIST_OPEN = Buffer.from('{"items":[');
const LIST_CLOSE = Buffer.from(']}');

export type ApiState = {
  store: GatewayStore;
  deployments: DeploymentStore;
  auth: BearerAuth;
  zones: readonly string[];
  organizationId: string;
  echoApiKey: boolean;
  limiter: TokenBuckets | undefined;
};

export type ApiRequest = {
  method: string;
  match: RouteMatch;
  query: URLSearchParams;
  authorization: string | undefined;
  body: Buffer;
};

/** Whether the bearer may call this method: viewers read, only the admin token writes. */
export const isAuthorized = (state: ApiState, request: ApiRequest): boolean =>
  state.auth.check(bearerOf(request.authorization), request.method !== 'GET') === 'ok';

/** The API's answer to one request; `commit: false` answers without changing state. */
export function decideReply(state: ApiState, request: ApiRequest, commit: boolean): Reply {
  const { match } = request;
  if (match.route === 'unknown') {
    return match.allow
      ? rpcError(405, RPC_CODES.UNIMPLEMENTED, 'method not allowed', undefined, {
          allow: match.allow,
        })
      : rpcError(404, RPC_CODES.NOT_FOUND, 'route not found');
  }
  const bearer = bearerOf(request.authorization);
  const verdict = state.auth.check(bearer, request.method !== 'GET');
  if (verdict === 'unauthenticated' || bearer === undefined) return unauthenticated();
  if (verdict === 'forbidden') return permissionDenied();
  const limited = state.limiter?.take(bearer);
  if (limited && !limited.ok) {
    return rpcError(429, RPC_CODES.RESOURCE_EXHAUSTED, 'rate limit exceeded', undefined, {
      'retry-after': String(limited.retryAfterSeconds),
    });
  }
  const present = (gateway: WireGateway) =>
    textReply(200, `{"gateway":${renderGateway(state.echoApiKey, gateway)}}`, JSON_TYPE);
  const id = match.gatewayId ?? '';
  switch (match.route) {
    case 'parameters':
      return jsonReply(200, { zones: state.zones });
    case 'list':
      return listReply(state, request.query);
    case 'get': {
      const gateway = state.store.get(id);
      return gateway ? present(gateway) : notFound();
    }
    case 'delete': {
      const users = state.store.has(id) ? state.deployments.referencing(id) : [];
      if (users.length > 0) return stillReferenced(users);
      const gateway = state.store.delete(id, commit);
      return gateway ? present(gateway) : notFound();
    }
    case 'deployment-list':
      return deploymentListReply(state);
    case 'deployment-get': {
      const deployment = state.deployments.get(match.deploymentId ?? '');
      return deployment ? presentDeployment(deployment) : deploymentNotFound();
    }
    case 'deployment-delete': {
      const deployment = state.deployments.delete(match.deploymentId ?? '', commit);
      return deployment ? presentDeployment(deployment) : deploymentNotFound();
    }
    case 'create':
    case 'update':
      return writeReply(state, request, commit, present);
  }
}

function listReply(state: ApiState, query: URLSearchParams): Reply {
  const updatedAfter = query.get('updatedAfter');
  const after = updatedAfter === null ? undefined : Date.parse(updatedAfter);
  if (after !== undefined && Number.isNaN(after)) {
    return invalidArgument([
      { field: 'updatedAfter', description: 'updatedAfter must be RFC 3339' },
    ]);
  }
  const items = state.store.listJson(
    after === undefined ? undefined : (g) => Date.parse(g.status?.updatedAt ?? '') > after,
  );
  // proto3 JSON omits an empty repeated field, so an empty list is `{}` (API doc 2.1).
  if (items.length === 0) return textReply(200, '{}', JSON_TYPE);
  const body = Buffer.concat([LIST_OPEN, ...items, LIST_CLOSE]);
  body[body.length - LIST_CLOSE.length - 1] = 0x20; // the last item's comma becomes a space
  return textReply(200, body, JSON_TYPE);
}

const presentDeployment = (deployment: WireDeployment): Reply =>
  textReply(200, `{"deployment":${JSON.stringify(omitZeroValues(deployment))}}`, JSON_TYPE);

const deploymentNotFound = (): Reply => rpcError(404, RPC_CODES.NOT_FOUND, 'deployment not found');

function deploymentListReply(state: ApiState): Reply {
  const items = state.deployments.list().map(omitZeroValues);
  // Omitted when empty, like the gateway list (proto3 JSON).
  return jsonReply(200, items.length === 0 ? {} : { items });
}

/**
 * What the real API answers here is undocumented (docs/coreweave-api.md "Still unknown"); the
 * simulator answers FAILED_PRECONDITION on 409, the answer the janitor must survive.
 */
function stillReferenced(users: readonly WireDeployment[]): Reply {
  const names = users.map((deployment) => deployment.spec.name).join(', ');
  return rpcError(409, RPC_CODES.FAILED_PRECONDITION, `gateway is used by deployments: ${names}`, [
    {
      '@type': 'type.googleapis.com/google.rpc.PreconditionFailure',
      violations: users.map((deployment) => ({
        type: 'DEPLOYMENT',
        subject: deployment.spec.id,
        description: 'deployment references this gateway',
      })),
    },
  ]);
}

function writeReply(
  state: ApiState,
  request: ApiRequest,
  commit: boolean,
  present: (gateway: WireGateway) => Reply,
): Reply {
  let body: unknown;
  try {
    body = JSON.parse(request.body.toString('utf8') || 'null');
  } catch {
    return invalidArgument([{ field: 'body', description: 'request body is not valid JSON' }]);
  }
  const validation = validateGatewaySpec(body, state.zones);
  if (!validation.ok) return invalidArgument(validation.violations);
  const draft = validation.spec;
  if (request.match.route === 'create') {
    const id = draft.id ?? randomUUID();
    if (state.store.has(id))
      return rpcError(409, RPC_CODES.ALREADY_EXISTS, 'gateway already exists');
    const spec = { ...draft, id, organizationId: state.organizationId };
    return present(state.store.create(spec, commit));
  }
  const id = request.match.gatewayId ?? '';
  if (draft.id !== undefined && draft.id !== id) {
    return invalidArgument([{ field: 'id', description: 'id must match the path' }]);
  }
  if (!state.store.has(id)) return notFound();
  if (state.store.isDeleting(id)) {
    return rpcError(400, RPC_CODES.FAILED_PRECONDITION, 'gateway is being deleted');
  }
  const updated = state.store.update({ ...draft, id }, commit);
  return updated ? present(updated) : notFound();
}

/**
 * One gateway as served: proto3 zero values omitted, and no W&B apiKey, which the real
 * API never returns (provider PR #337) unless echoApiKey opts in.
 */
export function renderGateway(echoApiKey: boolean, gateway: WireGateway): string {
  const wandb = gateway.spec.weightsAndBiasesAuth;
  if (echoApiKey || wandb?.apiKey === undefined) return JSON.stringify(omitZeroValues(gateway));
  const { apiKey: _apiKey, ...rest } = wandb;
  const redacted = { ...gateway, spec: { ...gateway.spec, weightsAndBiasesAuth: rest } };
  return JSON.stringify(omitZeroValues(redacted));
}
