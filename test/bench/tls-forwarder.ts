import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { createServer, type TLSSocket } from 'node:tls';
import { LOOPBACK_TLS } from '#test/fixtures/loopback-tls';

/** An HTTPS front for a plain-HTTP loopback server. */
export interface TlsForwarder {
  /** `https://127.0.0.1:<port>`, serving the loopback certificate (LOOPBACK_TLS) */
  url: string;
  close(): Promise<void>;
}

/**
 * Terminates TLS on 127.0.0.1 and pipes each connection to `target` (an http:// URL on
 * loopback). In Lambda every endpoint is HTTPS: the AWS SDK then takes its static
 * `node:https` path, where over a plain-HTTP endpoint it imports `node:http` as ESM on its
 * first call (~45-60 ms of CPU that Lambda never pays), and undici does TLS handshakes.
 * Clients trust the certificate through NODE_EXTRA_CA_CERTS.
 */
export async function startTlsForwarder(target: string): Promise<TlsForwarder> {
  const { hostname, port } = new URL(target);
  const open = new Set<Socket>();
  const server = createServer(LOOPBACK_TLS, (front: TLSSocket) => {
    const back = connect({ port: Number(port), host: hostname, noDelay: true });
    // No Nagle on either leg: a piped request or answer must not wait for an ACK.
    front.setNoDelay(true);
    open.add(front).add(back);
    const end = () => {
      front.destroy();
      back.destroy();
      open.delete(front);
      open.delete(back);
    };
    front.on('error', end).on('close', end);
    back.on('error', end).on('close', end);
    front.pipe(back).pipe(front);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return {
    url: `https://127.0.0.1:${address.port}`,
    close: async () => {
      for (const socket of open) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
