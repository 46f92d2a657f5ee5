/** A response decided by a handler but not yet written, so faults can rewrite or cut it. */
export type Reply = { status: number; body: string | Buffer; headers: Record<string, string> };

/** gRPC codes used on the REST path (API doc section 5.2, google.rpc.Status numbering). */
export const RPC_CODES = {
  INVALID_ARGUMENT: 3,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

const CODE_BY_HTTP_STATUS: Record<number, number> = {
  400: RPC_CODES.INVALID_ARGUMENT,
  401: RPC_CODES.UNAUTHENTICATED,
  403: RPC_CODES.PERMISSION_DENIED,
  404: RPC_CODES.NOT_FOUND,
  405: RPC_CODES.UNIMPLEMENTED,
  409: RPC_CODES.ALREADY_EXISTS,
  429: RPC_CODES.RESOURCE_EXHAUSTED,
  500: RPC_CODES.INTERNAL,
  503: RPC_CODES.UNAVAILABLE,
};

const JSON_TYPE = 'application/json';

export function jsonReply(status: number, payload: unknown, headers: Record<string, string> = {}) {
  return textReply(status, JSON.stringify(payload), { 'content-type': JSON_TYPE, ...headers });
}

export function textReply(
  status: number,
  body: string | Buffer,
  headers: Record<string, string>,
): Reply {
  return { status, body, headers };
}

/** A google.rpc.Status-like error body, the likely REST error shape (API doc 5.2). */
export function rpcError(
  status: number,
  code: number,
  message: string,
  details?: unknown[],
  headers: Record<string, string> = {},
): Reply {
  return jsonReply(status, details ? { code, message, details } : { code, message }, headers);
}

/** The error body a fault answers when the rule gives none. */
export function defaultErrorFor(status: number): Reply {
  const code = CODE_BY_HTTP_STATUS[status] ?? (status >= 500 ? RPC_CODES.INTERNAL : 2);
  return rpcError(status, code, `simulated ${status} fault`);
}

export const notFound = (): Reply => rpcError(404, RPC_CODES.NOT_FOUND, 'gateway not found');

export const unauthenticated = (): Reply =>
  rpcError(401, RPC_CODES.UNAUTHENTICATED, 'unauthenticated');

export const permissionDenied = (): Reply =>
  rpcError(403, RPC_CODES.PERMISSION_DENIED, 'permission denied: Inference Admin role required');

export const invalidArgument = (violations: Array<{ field: string; description: string }>) =>
  rpcError(400, RPC_CODES.INVALID_ARGUMENT, violations.map((v) => v.description).join('; '), [
    { '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: violations },
  ]);
