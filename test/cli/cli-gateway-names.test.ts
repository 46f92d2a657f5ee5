import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCliConfig } from '#cli/load-cli-config';
import type { Session } from '#cli/open-session';
import { teardownCommand } from '#cli/teardown-command';
import { compilePolicy } from '#core/policy/compile-policy';
import { parsePolicyJson } from '#core/policy/policy';
import type { GatewayApi } from '#core/ports';
import { MemoryGatewayApi } from '#test/fakes/memory-gateway-api';
import { aGateway } from '#test/fixtures/gateway-builder';
import { runCliInProcess } from './run-cli-in-process.ts';
import { auditRecords } from './spawn-cli.ts';

// Names and ids of the seeded demo fleet (seed 42): the same on every run.
const FAILED_BUILD = '87c41305-06f1-42a7-ac4a-1230d7ba68b3';

describe('naming a gateway on the command line', () => {
  it('tears down by exact name and by the 8-character id prefix plan prints', async () => {
    // Act
    const run = await runCliInProcess(
      ['teardown', '--simulate', '--json', 'pr-1301-batching', '87c41305'],
      { env: {} },
    );
    // Assess
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const wouldDelete = auditRecords(run.stdout).filter((r) => r.event === 'gateway.would_delete');
    expect(wouldDelete.map((r) => [r.gatewayName, r.gatewayId])).toEqual([
      ['pr-1301-batching', 'bee8a835-4e97-46b4-b27f-3a3f802fcec6'],
      ['pr-1290-failed-build', FAILED_BUILD],
    ]);
  });

  it('refuses, before any deletion, a name that matches no gateway (exit 2)', async () => {
    const run = await runCliInProcess(['teardown', '--simulate', '--apply', 'pr-1290'], {
      env: {},
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('<gateway> #1: no gateway is named "pr-1290"');
    expect(run.stdout).not.toContain('deleted');
  });

  it('pins a gateway named by name to the one listed: a recreated gateway is not deleted', async () => {
    // Prepare: the list shows one gateway; by the GET, the id belongs to a newer one.
    const listed = aGateway({ name: 'pr-7', createdAt: '2026-11-01T00:00:00Z' });
    const recreated = { ...listed, createdAt: '2026-11-20T00:00:00Z' };
    const before = new MemoryGatewayApi([listed]);
    const after = new MemoryGatewayApi([recreated]);
    const api: GatewayApi = {
      list: () => before.list(),
      get: (id) => after.get(id),
      delete: (id) => after.delete(id),
      listDeployments: () => after.listDeployments(),
      deleteDeployment: (id) => after.deleteDeployment(id),
    };
    const session: Session = {
      api,
      config: loadCliConfig({ apply: true }, { COREWEAVE_API_TOKEN: 'test-token' }),
      policy: compilePolicy(
        parsePolicyJson('{"rules": [{"id": "all", "match": {}, "maxAge": "1d"}]}', 'policy'),
      ),
      target: 'memory',
      close: async () => {},
    };
    let out = '';
    const io = {
      out: (text: string) => {
        out += text;
      },
      err: () => {},
      progress: false,
      env: {},
    };
    // Act
    const code = await teardownCommand(session, ['pr-7'], { apply: true, json: true }, io);
    // Assess
    const records = auditRecords(out);
    expect(records.find((r) => r.event === 'gateway.skipped')?.reason).toBe('stale_request');
    expect(after.calls).not.toContain(`DELETE ${listed.id}`);
    expect(code).toBe(0);
  });

  it('shows full ids with plan --wide, and the 8-character prefix without it', async () => {
    const wide = await runCliInProcess(['plan', '--simulate', '--wide'], { env: {} });
    const narrow = await runCliInProcess(['plan', '--simulate'], { env: {} });
    expect(wide.stdout).toMatch(new RegExp(`^pr-1290-failed-build\\s+${FAILED_BUILD}\\s`, 'm'));
    expect(narrow.stdout).toMatch(/^pr-1290-failed-build\s+87c41305\s/m);
  });

  it('filters audit records by an id prefix, and refuses a prefix of several ids', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'janitor-names-'));
    const file = join(dir, 'cli.jsonl');
    await runCliInProcess(['sweep', '--simulate', '--audit-file', file], { env: {} });
    // Act
    const one = await runCliInProcess(
      ['audit', 'history', '--file', file, '--gateway', '87c41305', '--format', 'json'],
      { env: {} },
    );
    const shared = await runCliInProcess(
      ['audit', 'history', '--file', 'examples/audit/sweep.log', '--gateway', '00000000'],
      { env: {} },
    );
    // Assess
    expect(one.code).toBe(0);
    const rows = JSON.parse(one.stdout) as Array<{ gatewayId: string }>;
    expect(rows.length).toBeGreaterThan(0);
    expect(new Set(rows.map((r) => r.gatewayId))).toEqual(new Set([FAILED_BUILD]));
    expect(shared.code).toBe(2);
    expect(shared.stderr).toContain('--gateway: "00000000" matches 4 gateways');
    expect(shared.stderr).toContain('00000000-0000-4000-8000-000000000001  pr-101-old');
    expect((await readFile(file, 'utf8')).length).toBeGreaterThan(0);
  });
});
