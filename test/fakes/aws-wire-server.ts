import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Answers one request, given its whole body as text. */
export type AwsWireAnswer = (req: IncomingMessage, res: ServerResponse, raw: string) => void;

/** A loopback server for one AWS service's wire protocol. */
export interface AwsWireServer {
  url: string;
  close(): Promise<void>;
}

const JSON_11 = 'application/x-amz-json-1.1';

/**
 * Starts a loopback HTTP server that reads each request's body and hands it to `answer`:
 * the skeleton of the AWS service doubles, which the real SDK clients reach through
 * their endpoint variables. `close` also drops connections left hanging on purpose.
 */
export async function startAwsWireServer(answer: AwsWireAnswer): Promise<AwsWireServer> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => answer(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** Sends one AWS reply with a request id, as every AWS service does. */
export function sendAwsReply(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string>,
): void {
  const body = Buffer.from(text);
  res.writeHead(status, {
    'content-length': body.length,
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  res.end(body);
}

/** Sends one AWS JSON 1.1 reply. */
export function sendAwsJson(
  res: ServerResponse,
  status: number,
  payload: unknown,
  headers: Record<string, string> = {},
): void {
  sendAwsReply(res, status, JSON.stringify(payload), { 'content-type': JSON_11, ...headers });
}

/** Sends one AWS JSON 1.1 error, its type in the body and in `x-amzn-errortype`. */
export function sendAwsJsonError(
  res: ServerResponse,
  status: number,
  type: string,
  message: string,
): void {
  sendAwsJson(res, status, { __type: type, message }, { 'x-amzn-errortype': type });
}
