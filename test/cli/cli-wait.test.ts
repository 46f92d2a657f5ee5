import { afterEach, describe, expect, it } from 'vitest';
import { confirmDeletions } from '#cli/confirm-deletions';
import { loadCliEnvConfig } from '#config/load-config';
import type { AuditRecord } from '#core/audit/record';
import type { ConfirmableDeletion } from '#core/confirmation/confirmation';
import { seedFleet } from '#simulator/fleet';
import { type Simulator, startSimulator } from '#simulator/server';
import { CANARY_TOKEN, leakedCanaries } from '#test/support/canaries';
import { createGatewayApi } from '#wiring/gateway-api';
import { runCliInProcess } from './run-cli-in-process.ts';

const run = (args: string[]) =>
  runCliInProcess(args, { env: { COREWEAVE_API_TOKEN: CANARY_TOKEN } });

const records = (stdout: string) =>
  stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => (JSON.parse(line) as { audit: AuditRecord }).audit);

describe('gateway-janitor sweep --apply --wait', () => {
  it('confirms every deletion of the run once the gateways vanish, and exits 0', async () => {
    // Act
    const result = await run(['sweep', '--simulate', '--apply', '--wait', '--json']);
    // Assess
    expect(result.code).toBe(0);
    const audit = records(result.stdout);
    const deleted = audit.filter((r) => r.event === 'gateway.deleted').map((r) => r.gatewayId);
    const confirmed = audit.filter((r) => r.event === 'gateway.delete_confirmed');
    expect(deleted.length).toBeGreaterThan(0);
    expect(confirmed.map((r) => r.gatewayId).sort()).toEqual([...deleted].sort());
    for (const record of confirmed) {
      expect(record).toMatchObject({ reason: 'gone', trigger: 'cli', dryRun: false });
      expect(record.deletedAt).toEqual(expect.any(String));
      expect(record.secondsToGone).toBeGreaterThanOrEqual(0);
    }
    expect(leakedCanaries(result.stdout + result.stderr)).toEqual([]);
  }, 20_000);

  it('teardown --apply --wait confirms the deletion of the gateway it tore down', async () => {
    // Prepare
    const target = seedFleet({ now: new Date() }).find((g) => g.spec.name === 'pr-1301-batching');
    const id = target?.spec.id as string;
    // Act
    const result = await run(['teardown', id, '--simulate', '--apply', '--wait', '--json']);
    // Assess
    expect(result.code).toBe(0);
    expect(records(result.stdout).map((r) => `${r.event}:${r.gatewayId}`)).toEqual(
      expect.arrayContaining([`gateway.deleted:${id}`, `gateway.delete_confirmed:${id}`]),
    );
  }, 20_000);

  it('refuses --wait without --apply: a dry run deletes nothing', async () => {
    // Act
    const result = await run(['sweep', '--simulate', '--wait']);
    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--wait: needs --apply');
  });

  it('refuses a --confirm-within that is not a duration, naming the flag', async () => {
    // Act
    const result = await run(['sweep', '--simulate', '--apply', '--confirm-within', 'soon']);
    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--confirm-within: expected a duration');
  });
});

describe('confirmDeletions', () => {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
  });

  it('records a deletion that sticks as gateway.delete_stuck with the live state, and answers false', async () => {
    // Prepare
    const NOW = Date.parse('2026-09-01T12:00:00Z');
    const time = { now: NOW };
    const fleet = seedFleet({ seed: 3, now: new Date(NOW) });
    const target = fleet.find((g) => g.status?.status === 'STATUS_READY');
    const id = target?.spec.id as string;
    sim = await startSimulator({
      gateways: fleet,
      token: CANARY_TOKEN,
      clock: () => time.now,
      deleteDelayMs: 1_000,
      stuckDeletions: [id],
    });
    const response = await fetch(`${sim.url}/v1alpha1/inference/gateways/${id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${CANARY_TOKEN}` },
    });
    await response.arrayBuffer();
    const config = loadCliEnvConfig({
      COREWEAVE_API_URL: sim.url,
      COREWEAVE_API_TOKEN: CANARY_TOKEN,
    });
    const { api } = createGatewayApi(config, { profile: 'cli' });
    const written: AuditRecord[] = [];
    const run = {
      runId: '7d1f0c8e-5b7a-4d38-9f5e-2a9c41b0e6d3',
      trigger: 'cli',
      dryRun: false,
    } as const;
    const deletion: ConfirmableDeletion = {
      gatewayId: id,
      gateway: { name: target?.spec.name ?? '' },
      deletedAt: new Date(NOW).toISOString(),
    };
    let err = '';
    // Act
    const ok = await confirmDeletions({
      api,
      deletions: [deletion],
      sink: { write: (record) => written.push(record) },
      run,
      confirmWithinMs: 60_000,
      io: { out: () => {}, err: (t) => (err += t), progress: false, env: {} },
      report: true,
      clock: { now: () => time.now },
      sleep: async (ms) => {
        time.now += ms;
      },
    });
    // Assess
    expect(ok).toBe(false);
    expect(written).toEqual([
      expect.objectContaining({
        event: 'gateway.delete_stuck',
        reason: 'deleting_too_long',
        gatewayId: id,
        gatewayName: target?.spec.name,
        deletedAt: new Date(NOW).toISOString(),
        finalState: expect.objectContaining({
          status: expect.objectContaining({ status: 'STATUS_DELETING' }),
        }),
      }),
    ]);
    expect(err).toBe(
      `gateway-janitor: 1 of 1 deletion(s) did not finish: 1 stuck (${target?.spec.name}). Exit 1: a stuck gateway may still be billed; see docs/operations.md, "delete-stuck".\n`,
    );
  });
});
