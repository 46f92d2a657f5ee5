import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ApiState, decideReply, isAuthorized } from './decide-reply.ts';
import type { FaultBook, FaultRule, ListDuplicateFault } from './fault-book.ts';
import { matchRoute } from './match-route.ts';
import { defaultErrorFor, type Reply, textReply } from './reply.ts';
import type { RequestLog } from './request-log.ts';
import { toNumericEnums, type WireGateway } from './wire.ts';

export type SimulatorState = ApiState & {
  faults: FaultBook;
  log: RequestLog;
  latencyMs: number;
  clock: () => number;
  timers: Set<NodeJS.Timeout>;
};

const MAX_BODY = 8 * 1024 * 1024;
const EMPTY = Buffer.alloc(0);

/** The request pipeline: read body, record, latency, faults, then the API's answer. */
export async function handleRequest(
  state: SimulatorState,
  req: IncomingMessage,
  res: ServerResponse,
) {
  const body = await readBody(req);
  const method = req.method ?? 'GET';
  const url = new URL(req.url ?? '/', 'http://simulator.invalid');
  const match = matchRoute(method, url.pathname);
  const request = {
    method,
    match,
    query: url.searchParams,
    authorization: req.headers.authorization,
    body: body ?? Buffer.alloc(0),
  };
  const plan = state.faults.take(match.route, match.gatewayId ?? match.deploymentId);
  const record = state.log.record({
    method,
    path: url.pathname + url.search,
    route: match.route,
    ...(match.gatewayId === undefined ? {} : { gatewayId: match.gatewayId }),
    ...(match.deploymentId === undefined ? {} : { deploymentId: match.deploymentId }),
    status: 0,
    authorized: isAuthorized(state, request),
    at: state.clock(),
    ...(plan.applied.length ? { faults: plan.applied.map((rule) => rule.kind) } : {}),
  });
  const delayMs = state.latencyMs + plan.delayMs;
  if (delayMs > 0) await sleep(state, delayMs);
  if (res.destroyed) return;
  if (body === undefined) {
    record.status = 413;
    return send(res, textReply(413, '', {}));
  }
  const fault = plan.fault;
  if (fault?.kind === 'reset') {
    req.socket.destroy();
    return;
  }
  if (fault?.kind === 'stall') {
    await sleep(state, fault.ms);
    req.socket.destroy();
    return;
  }
  if (fault?.kind === 'describe-other') {
    const other = { ...request, match: { ...match, gatewayId: fault.otherId } };
    const reply = decideReply(state, other, false);
    record.status = reply.status;
    return send(res, reply);
  }
  if (
    fault &&
    fault.kind !== 'numeric-enums' &&
    fault.kind !== 'reset-mid-body' &&
    fault.kind !== 'list-duplicate' &&
    fault.kind !== 'trickle'
  ) {
    const reply =
      fault.kind === 'status' || fault.kind === 'malformed'
        ? faultReply(fault)
        : truncate(decideReply(state, request, false));
    record.status = reply.status;
    return send(res, reply);
  }
  let reply = decideReply(state, request, true);
  record.status = reply.status;
  if (match.route === 'delete' && reply.status === 200)
    state.log.deleted.push(match.gatewayId ?? '');
  if (match.route === 'deployment-delete' && reply.status === 200)
    state.log.deletedDeployments.push(match.deploymentId ?? '');
  if (fault?.kind === 'numeric-enums' && reply.status === 200) {
    reply = { ...reply, body: toNumericEnums(reply.body.toString()) };
  }
  if (fault?.kind === 'list-duplicate' && match.route === 'list' && reply.status === 200) {
    reply = { ...reply, body: listTwice(reply.body.toString(), fault) };
  }
  if (fault?.kind === 'reset-mid-body') return sendHalfThenReset(res, reply);
  if (fault?.kind === 'trickle') return sendTrickle(state, res, reply, fault.intervalMs);
  send(res, reply);
}

function faultReply(fault: FaultRule): Reply {
  if (fault.kind === 'malformed') {
    return textReply(200, '<html><body>upstream returned garbage</body></html>', {
      'content-type': 'application/json',
    });
  }
  if (fault.kind !== 'status') return defaultErrorFor(500);
  const base =
    fault.body === undefined
      ? defaultErrorFor(fault.status)
      : typeof fault.body === 'string'
        ? textReply(fault.status, fault.body, {
            'content-type': fault.body.trimStart().startsWith('<') ? 'text/html' : 'text/plain',
          })
        : textReply(fault.status, JSON.stringify(fault.body), {
            'content-type': 'application/json',
          });
  return { ...base, status: fault.status, headers: { ...base.headers, ...fault.headers } };
}

/** The would-be answer cut in half, with a Content-Length that matches the cut body. */
function truncate(reply: Reply): Reply {
  const full = Buffer.from(reply.body);
  const body = full.subarray(0, Math.max(1, Math.floor(full.length / 2)));
  return { status: 200, body, headers: { 'content-type': 'application/json' } };
}

function send(res: ServerResponse, reply: Reply): void {
  const body = Buffer.from(reply.body);
  res.writeHead(reply.status, { ...reply.headers, 'content-length': body.length });
  res.end(body);
}

function sendHalfThenReset(res: ServerResponse, reply: Reply): void {
  const body = Buffer.from(reply.body);
  res.writeHead(reply.status, { ...reply.headers, 'content-length': body.length });
  res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.socket?.destroy());
}

/** The answer one byte at a time; bounded by the body's length, and stops once the client leaves. */
async function sendTrickle(
  state: SimulatorState,
  res: ServerResponse,
  reply: Reply,
  intervalMs: number,
): Promise<void> {
  const body = Buffer.from(reply.body);
  res.writeHead(reply.status, { ...reply.headers, 'content-length': body.length });
  for (let at = 0; at < body.length; at++) {
    if (res.destroyed) return;
    res.write(body.subarray(at, at + 1));
    await sleep(state, intervalMs);
  }
  res.end();
}

function sleep(state: SimulatorState, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      state.timers.delete(timer);
      resolve();
    }, ms);
    state.timers.add(timer);
  });
}

/** Reads and discards the body fully (undefined if over the size cap). */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  if (
    req.headers['content-length'] === undefined &&
    req.headers['transfer-encoding'] === undefined
  ) {
    req.resume();
    return EMPTY;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_BODY) chunks.push(chunk);
  }
  return size <= MAX_BODY ? Buffer.concat(chunks) : undefined;
}

/** A list body with gateway `fault.id` listed once more, renamed when the fault says so. */
function listTwice(json: string, fault: ListDuplicateFault): string {
  const body = JSON.parse(json) as { items?: WireGateway[] };
  const items = body.items ?? [];
  const original = items.find((item) => item.spec.id === fault.id);
  if (!original) return json;
  const copy = { ...original, spec: { ...original.spec, name: fault.name ?? original.spec.name } };
  return JSON.stringify({ ...body, items: [...items, copy] });
}
