import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** When each step of one invocation reached the Runtime API (performance.now()). */
export interface InvocationTimes {
  /** the runtime's first GET .../invocation/next: init is over */
  firstNextAt?: number;
  /** the handler's answer, on .../response or .../error */
  doneAt?: number;
  outcome?: 'response' | 'error' | 'init-error';
  body?: string;
}

/** A loopback stand-in for the Lambda Runtime API, serving one queued event per runtime. */
export interface RuntimeApi {
  /** host:port, the value of AWS_LAMBDA_RUNTIME_API */
  address: string;
  /** Queues one event and returns the record its invocation will fill in. */
  enqueue(event: unknown, requestId: string): InvocationTimes;
  /** Resolves when the invocation of `requestId` has answered (or `timeoutMs` passed). */
  done(requestId: string, timeoutMs: number): Promise<InvocationTimes>;
  close(): Promise<void>;
}

const PREFIX = '/2018-06-01/runtime';

/** Starts the Runtime API double on 127.0.0.1 (an ephemeral port). */
export async function startRuntimeApi(): Promise<RuntimeApi> {
  const queue: Array<{ event: unknown; requestId: string }> = [];
  const times = new Map<string, InvocationTimes>();
  const waiters = new Map<string, () => void>();
  // A runtime asks for the next event as soon as it has answered; that request is held
  // open (as Lambda does while the environment is frozen) until the runtime is stopped.
  const held = new Set<ServerResponse>();
  let current: string | undefined;

  const finish = (requestId: string, outcome: InvocationTimes['outcome'], body: string) => {
    const record = times.get(requestId);
    if (!record || record.doneAt !== undefined) return;
    Object.assign(record, { doneAt: performance.now(), outcome, body });
    waiters.get(requestId)?.();
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = req.url ?? '';
      const body = Buffer.concat(chunks).toString();
      if (req.method === 'GET' && url === `${PREFIX}/invocation/next`) {
        const next = queue.shift();
        if (!next) {
          held.add(res);
          res.on('close', () => held.delete(res));
          return;
        }
        current = next.requestId;
        const record = times.get(next.requestId) as InvocationTimes;
        record.firstNextAt ??= performance.now();
        res.writeHead(200, {
          'content-type': 'application/json',
          'lambda-runtime-aws-request-id': next.requestId,
          'lambda-runtime-deadline-ms': String(Date.now() + 300_000),
          'lambda-runtime-invoked-function-arn':
            'arn:aws:lambda:us-east-1:123456789012:function:gateway-janitor-bench',
          'lambda-runtime-trace-id': 'Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=0',
        });
        res.end(JSON.stringify(next.event));
        return;
      }
      const invocation = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(url);
      if (req.method === 'POST' && invocation) {
        finish(
          decodeURIComponent(invocation[1] as string),
          invocation[2] as 'response' | 'error',
          body,
        );
        res.writeHead(202).end('{"status":"OK"}');
        return;
      }
      if (req.method === 'POST' && url === `${PREFIX}/init/error`) {
        if (current === undefined && queue[0]) finish(queue[0].requestId, 'init-error', body);
        res.writeHead(202).end('{"status":"OK"}');
        return;
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    enqueue(event, requestId) {
      const record: InvocationTimes = {};
      times.set(requestId, record);
      queue.push({ event, requestId });
      current = undefined;
      return record;
    },
    done(requestId, timeoutMs) {
      const record = times.get(requestId) as InvocationTimes;
      if (record.doneAt !== undefined) return Promise.resolve(record);
      return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(record), timeoutMs);
        waiters.set(requestId, () => {
          clearTimeout(timer);
          resolve(record);
        });
      });
    },
    async close() {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
