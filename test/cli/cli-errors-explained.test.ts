import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOOPBACK_TLS } from '#test/fixtures/loopback-tls';
import { runCliInProcess } from './run-cli-in-process.ts';
import { REPO_ROOT } from './spawn-cli.ts';

// Errors that say what happened in plain words, and what to do next (issue 24).
describe('errors that say what to do', () => {
  it('explains a certificate the API cannot be trusted with, and sends no token', async () => {
    // Prepare: an HTTPS server with a self-signed certificate, as a wrong URL or an
    // intercepting proxy would present.
    let requests = 0;
    const server = createServer(LOOPBACK_TLS, (_req, res) => {
      requests += 1;
      res.end('{"items":[]}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      // Act
      const run = await runCliInProcess(
        ['plan', '--policy', 'examples/policy.json', '--api-url', `https://127.0.0.1:${port}`],
        { env: { COREWEAVE_API_TOKEN: 'tls-test-token' } },
      );
      // Assess
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(
        "DEPTH_ZERO_SELF_SIGNED_CERT): the server's certificate is self-signed",
      );
      expect(run.stderr).toContain(
        'the server cannot prove it is the API, so the token was not sent',
      );
      expect(run.stderr).toContain('NODE_EXTRA_CA_CERTS');
      expect(requests).toBe(0);
    } finally {
      server.close();
    }
  });

  it('tells to run a teardown again when its deployments are still deleting', async () => {
    // Prepare: the example policy, letting requests cascade.
    const policy = JSON.parse(await readFile(join(REPO_ROOT, 'examples/policy.json'), 'utf8'));
    policy.teardown = { allow: { deleteDeployments: true } };
    const file = join(await mkdtemp(join(tmpdir(), 'janitor-cascade-')), 'policy.json');
    await writeFile(file, JSON.stringify(policy));
    // Act
    const run = await runCliInProcess(
      [
        'teardown',
        '--simulate',
        '--policy',
        file,
        '--apply',
        '--delete-deployments',
        'loadtest-llama-70b',
      ],
      { env: {} },
    );
    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/skipped\s+loadtest-llama-70b\s.*deployments_deleting/);
    expect(run.stdout).toContain(
      'loadtest-llama-70b: its deployments are still deleting. Run the same command again in a minute to delete the gateway.',
    );
  });

  it('does not call a gateway that is still deleting gone, and flags one deleting too long', async () => {
    // Act: the seeded pr-1199-teardown has been deleting for a few minutes.
    const run = await runCliInProcess(
      ['teardown', '--simulate', 'pr-1199-teardown', '--confirm-within', '1m'],
      { env: {} },
    );
    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^ {2}already deleting\s+pr-1199-teardown\s/m);
    expect(run.stdout).not.toMatch(/^ {2}already gone\s/m);
    expect(run.stdout).toMatch(
      /pr-1199-teardown: not gone, still deleting after \d+m, longer than 1m: the deletion may be stuck/,
    );
  });
});
