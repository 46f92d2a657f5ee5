import { once } from 'node:events';
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgent, sendOnce } from '#adapters/coreweave/send-once';
import { LOOPBACK_TLS } from '#test/fixtures/loopback-tls';

// The API serves REST/JSON over HTTP/1.1 (docs/coreweave-api.md). undici 8 offers h2 in
// TLS ALPN unless told not to; the janitor's Agent offers only http/1.1, the protocol the
// simulator and the tests speak.
describe('createAgent', () => {
  let server: Http2SecureServer;
  let origin: string;

  beforeAll(async () => {
    // A server that speaks both and prefers h2, as an ALPN peer may.
    server = createSecureServer({ ...LOOPBACK_TLS, allowHTTP1: true }, (request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ httpVersion: request.httpVersion }));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.close();
  });

  async function versionSeenWith(agent: Agent): Promise<unknown> {
    try {
      const exchange = await sendOnce(agent, {
        origin,
        method: 'GET',
        path: '/v1alpha1/inference/gateways',
        token: 'not-a-real-token',
        timeoutMs: 5_000,
      });
      return exchange.errorCode ?? JSON.parse(exchange.text ?? '{}').httpVersion;
    } finally {
      await agent.close();
    }
  }

  it('speaks HTTP/1.1 to a server that offers h2', async () => {
    const agent = createAgent({ connect: { ca: LOOPBACK_TLS.cert } });

    expect(await versionSeenWith(agent)).toBe('1.1');
  });

  it('differs from undici’s default Agent, which negotiates h2 with the same server', async () => {
    const agent = new Agent({ connect: { ca: LOOPBACK_TLS.cert } });

    expect(await versionSeenWith(agent)).toBe('2.0');
  });
});
