import { describe, expect, it } from 'vitest';
import { ROTATED_TOKEN } from '#test/support/canaries';
import { SECRET_ID } from '#test/support/janitor-harness';
import { useFaultWorld } from './support/fault-world.ts';

import {
  ALL_DELETED,
  BAD_REQUEST,
  EXPIRED,
  FIRST,
  httpDateIn,
  MAX_ATTEMPTS,
  PROXY_401,
  REFERENCED,
  retryGapMs,
  runSweepCase,
  type SweepCase,
  status,
  until,
} from './support/sweep-matrix.ts';

// Each row is a fault on a DELETE (faults named by gateway hit an expired one), or a
// token that rotates mid-run.
const MATRIX: Array<[string, SweepCase]> = [
  [
    'delete: latency spike',
    { faults: () => [{ route: 'delete', kind: 'latency', ms: 200 }], counts: ALL_DELETED },
  ],
  [
    'delete: 429 without Retry-After',
    { faults: () => [status('delete', 429, { gatewayId: FIRST, times: 2 })], counts: ALL_DELETED },
  ],
  [
    'delete: 429 with Retry-After as an HTTP date',
    {
      faults: () => [
        status('delete', 429, {
          gatewayId: FIRST,
          times: 1,
          headers: { 'retry-after': httpDateIn(2_000) },
        }),
      ],
      counts: ALL_DELETED,
      // An HTTP date has whole seconds: the wait is at least one of them.
      check: (world) => expect(retryGapMs(world, 'delete', FIRST)).toBeGreaterThanOrEqual(900),
    },
  ],
  [
    'delete: 500 twice',
    { faults: () => [status('delete', 500, { gatewayId: FIRST, times: 2 })], counts: ALL_DELETED },
  ],
  [
    'delete: 502 twice',
    { faults: () => [status('delete', 502, { gatewayId: FIRST, times: 2 })], counts: ALL_DELETED },
  ],
  [
    'delete: 503 twice',
    { faults: () => [status('delete', 503, { gatewayId: FIRST, times: 2 })], counts: ALL_DELETED },
  ],
  [
    'delete: 504 twice',
    { faults: () => [status('delete', 504, { gatewayId: FIRST, times: 2 })], counts: ALL_DELETED },
  ],
  [
    'delete: 503 on every attempt for one gateway',
    {
      faults: () => [status('delete', 503, { gatewayId: FIRST })],
      counts: { 'gateway.deleted': 3, 'gateway.delete_failed': 1 },
      check: (world) => expect(world.calls('DELETE', FIRST)).toHaveLength(MAX_ATTEMPTS),
    },
  ],
  [
    'delete: 501 is not retried',
    {
      faults: () => [status('delete', 501)],
      counts: { 'gateway.delete_failed': 4 },
      check: (world) => {
        for (const id of EXPIRED) expect(world.calls('DELETE', id)).toHaveLength(1);
      },
    },
  ],
  [
    'delete: connection reset',
    {
      faults: () => [{ route: 'delete', kind: 'reset', gatewayId: FIRST, times: 2 }],
      counts: ALL_DELETED,
    },
  ],
  [
    'delete: reset mid-body after the deletion started',
    {
      faults: () => [{ route: 'delete', kind: 'reset-mid-body', gatewayId: FIRST, times: 1 }],
      counts: ALL_DELETED,
      // The retry finds the gateway DELETING and the API answers 200 again: one record.
      check: (world) =>
        expect(world.calls('DELETE', FIRST).map((c) => c.status)).toEqual([200, 200]),
    },
  ],
  [
    'delete: stall past the timeout',
    {
      faults: () => [{ route: 'delete', kind: 'stall', ms: 1_000, gatewayId: FIRST, times: 1 }],
      counts: ALL_DELETED,
    },
  ],
  [
    'delete: non-JSON 200',
    {
      faults: () => [{ route: 'delete', kind: 'malformed', gatewayId: FIRST, times: 1 }],
      counts: ALL_DELETED,
    },
  ],
  [
    'delete: truncated 200',
    {
      faults: () => [{ route: 'delete', kind: 'truncated', gatewayId: FIRST, times: 1 }],
      counts: ALL_DELETED,
    },
  ],
  [
    'delete: non-JSON 401 from a proxy, once',
    {
      faults: () => [status('delete', 401, { gatewayId: FIRST, times: 1, body: PROXY_401 })],
      counts: ALL_DELETED,
    },
  ],
  [
    'delete: 401 after the token is fetched again stops the run',
    {
      faults: () => [status('delete', 401)],
      error: 'API_UNAUTHENTICATED',
      counts: { 'gateway.delete_failed': 4 },
    },
  ],
  [
    'delete: 403 stops the run',
    {
      faults: () => [status('delete', 403)],
      error: 'API_FORBIDDEN',
      counts: { 'gateway.delete_failed': 4 },
    },
  ],
  [
    'delete: 404 is already gone, not retried',
    {
      faults: () => [status('delete', 404, { gatewayId: FIRST })],
      counts: { 'gateway.deleted': 3, 'gateway.already_gone': 1 },
      check: (world) => expect(world.calls('DELETE', FIRST)).toHaveLength(1),
    },
  ],
  [
    'delete: 409 still referenced by deployments',
    {
      faults: () => [status('delete', 409, { gatewayId: FIRST, body: REFERENCED })],
      counts: { 'gateway.deleted': 3, 'gateway.delete_failed': 1 },
      check: (world) => {
        const failed = world.records().find((r) => r.event === 'gateway.delete_failed');
        expect(failed).toMatchObject({ gatewayId: FIRST, http: { status: 409, attempts: 1 } });
        expect(failed?.error?.message).toContain('referenced by 2 deployments');
      },
    },
  ],
  [
    'delete: 400 with a google.rpc.BadRequest body',
    {
      faults: () => [status('delete', 400, { gatewayId: FIRST, body: BAD_REQUEST })],
      counts: { 'gateway.deleted': 3, 'gateway.delete_failed': 1 },
      check: (world) => expect(world.calls('DELETE', FIRST)).toHaveLength(1),
    },
  ],
  [
    'token rotated mid-run: 401, then the new token works',
    {
      faults: () => [{ route: 'delete', kind: 'latency', ms: 150, times: 1 }],
      during: async (world) => {
        await until(() => world.calls('DELETE').length > 0);
        world.harness.simulator.rotateToken(ROTATED_TOKEN);
        world.harness.secrets.setSecret(SECRET_ID, ROTATED_TOKEN);
      },
      counts: ALL_DELETED,
      check: (world) => {
        expect(world.harness.simulator.requests.some((r) => r.status === 401)).toBe(true);
        expect(world.harness.secrets.calls).toHaveLength(2);
      },
    },
  ],
];

describe('sweep handler under delete faults (fault matrix)', () => {
  const world = useFaultWorld();

  it.each(MATRIX)('%s', async (_name, row) => {
    await runSweepCase(world, row);
  });
});
