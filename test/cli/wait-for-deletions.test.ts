import { afterEach, describe, expect, it } from 'vitest';
import { type WaitOutcome, waitForDeletions } from '#cli/wait-for-deletions';
import { loadCliEnvConfig } from '#config/load-config';
import { seedFleet } from '#simulator/fleet';
import { type Simulator, startSimulator } from '#simulator/server';
import type { WireGateway } from '#simulator/wire';
import { CANARY_TOKEN } from '#test/support/canaries';
import { createGatewayApi } from '#wiring/gateway-api';

const NOW = Date.parse('2026-09-01T12:00:00Z');
const MINUTE = 60_000;
const fleet = seedFleet({ seed: 7, now: new Date(NOW) });
const ready = fleet.filter((g) => g.status?.status === 'STATUS_READY').slice(0, 3) as [
  WireGateway,
  WireGateway,
  WireGateway,
];

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** A simulator on a fake clock, the janitor's client for it, and a sleep that moves the clock. */
async function start(deleteDelayMs: number) {
  const time = { now: NOW };
  sim = await startSimulator({
    gateways: fleet,
    token: CANARY_TOKEN,
    clock: () => time.now,
    deleteDelayMs,
  });
  const config = loadCliEnvConfig({
    COREWEAVE_API_URL: sim.url,
    COREWEAVE_API_TOKEN: CANARY_TOKEN,
  });
  const { api } = createGatewayApi(config, { profile: 'cli' });
  const pauses: number[] = [];
  const sleep = async (ms: number) => {
    pauses.push(ms);
    time.now += ms;
  };
  return { sim, time, api, pauses, sleep, clock: { now: () => time.now } };
}

async function deleteNow(s: Simulator, id: string) {
  const res = await fetch(`${s.url}/v1alpha1/inference/gateways/${id}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${s.token}` },
  });
  await res.arrayBuffer();
  expect(res.status).toBe(200);
}

const summary = (outcomes: WaitOutcome[]) =>
  Object.fromEntries(
    outcomes.map((o) => [o.gatewayId, o.kind === 'stuck' ? `stuck:${o.reason}` : o.kind]),
  );

describe('waitForDeletions', () => {
  it('ends each deletion as confirmed or stuck: vanished, still deleting past the window, back in ERROR', async () => {
    // Prepare
    const { sim, time, api, sleep, clock } = await start(5_000);
    const [gone, deleting, failed] = ready;
    sim.stickDeletion(deleting.spec.id);
    sim.stickDeletion(failed.spec.name, 'STATUS_ERROR');
    for (const g of ready) await deleteNow(sim, g.spec.id);
    const deletions = ready.map((g) => ({
      gatewayId: g.spec.id,
      gatewayName: g.spec.name,
      deletedAtMs: time.now,
    }));
    const seen: string[] = [];
    // Act
    const outcomes = await waitForDeletions(deletions, {
      api,
      clock,
      sleep,
      confirmWithinMs: 10 * MINUTE,
      onOutcome: (o) => seen.push(o.gatewayId),
    });
    // Assess
    expect(summary(outcomes)).toEqual({
      [gone.spec.id]: 'confirmed',
      [deleting.spec.id]: 'stuck:deleting_too_long',
      [failed.spec.id]: 'stuck:not_deleting',
    });
    expect(seen.sort()).toEqual(ready.map((g) => g.spec.id).sort());
    const confirmed = outcomes.find((o) => o.gatewayId === gone.spec.id);
    expect(confirmed).toMatchObject({ kind: 'confirmed', gatewayName: gone.spec.name });
    expect(confirmed?.kind === 'confirmed' && confirmed.secondsToGone).toBeGreaterThanOrEqual(5);
    const stuck = outcomes.find((o) => o.gatewayId === deleting.spec.id);
    expect(stuck?.kind === 'stuck' && stuck.live.status).toBe('STATUS_DELETING');
    expect(time.now - NOW).toBeGreaterThanOrEqual(10 * MINUTE);
    expect(time.now - NOW).toBeLessThan(11 * MINUTE);
  });

  it('backs off between rounds, capped, and never sleeps far past the end of the window', async () => {
    // Prepare
    const { sim, time, api, pauses, sleep, clock } = await start(60 * MINUTE);
    const [target] = ready;
    await deleteNow(sim, target.spec.id);
    // Act
    const outcomes = await waitForDeletions(
      [{ gatewayId: target.spec.id, deletedAtMs: time.now }],
      { api, clock, sleep, confirmWithinMs: 40_000, initialDelayMs: 1_000, maxDelayMs: 8_000 },
    );
    // Assess
    expect(pauses.slice(0, 5)).toEqual([1_000, 2_000, 4_000, 8_000, 8_000]);
    expect(pauses.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(40_001);
    expect(outcomes).toMatchObject([{ kind: 'stuck', reason: 'deleting_too_long' }]);
  });

  it('gives a gateway up as unknown after consecutive failed GETs, and the rest still settle', async () => {
    // Prepare
    const { sim, time, api, sleep, clock } = await start(1_000);
    const [broken, fine] = ready;
    for (const g of [broken, fine]) await deleteNow(sim, g.spec.id);
    sim.addFault({ route: 'get', gatewayId: broken.spec.id, kind: 'status', status: 400 });
    // Act
    const outcomes = await waitForDeletions(
      [broken, fine].map((g) => ({ gatewayId: g.spec.id, deletedAtMs: time.now })),
      { api, clock, sleep, confirmWithinMs: 60 * MINUTE, maxErrors: 3 },
    );
    // Assess
    expect(summary(outcomes)).toEqual({ [broken.spec.id]: 'unknown', [fine.spec.id]: 'confirmed' });
    const unknown = outcomes.find((o) => o.gatewayId === broken.spec.id);
    expect(unknown).toMatchObject({ kind: 'unknown', error: { code: 'API_PERMANENT' } });
    expect(
      sim.requests.filter((r) => r.route === 'get' && r.gatewayId === broken.spec.id),
    ).toHaveLength(3);
  });

  it('stops after maxRounds, reporting what is still unsettled as unknown', async () => {
    // Prepare
    const { sim, time, api, sleep, clock } = await start(60 * MINUTE);
    const [target] = ready;
    await deleteNow(sim, target.spec.id);
    // Act
    const outcomes = await waitForDeletions(
      [{ gatewayId: target.spec.id, deletedAtMs: time.now }],
      { api, clock, sleep, confirmWithinMs: 60 * MINUTE, maxRounds: 4 },
    );
    // Assess
    expect(outcomes).toMatchObject([{ kind: 'unknown', error: { code: 'WAIT_GAVE_UP' } }]);
    expect(sim.requests.filter((r) => r.route === 'get')).toHaveLength(4);
  });

  it('draws a progress line each round and clears it at the end', async () => {
    // Prepare
    const { sim, time, api, sleep, clock } = await start(1_500);
    const [target] = ready;
    await deleteNow(sim, target.spec.id);
    const lines: string[] = [];
    // Act
    await waitForDeletions([{ gatewayId: target.spec.id, deletedAtMs: time.now }], {
      api,
      clock,
      sleep,
      confirmWithinMs: 60 * MINUTE,
      progress: (line) => lines.push(line),
    });
    // Assess
    expect(lines).toEqual([
      'waiting for 1 deletion(s): 0 confirmed, 0 stuck, 1 still deleting (0s)',
      'waiting for 1 deletion(s): 0 confirmed, 0 stuck, 1 still deleting (1s)',
      '',
    ]);
  });
});
