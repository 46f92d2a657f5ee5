import { describe, expect, it } from 'vitest';
import { largeFleet } from '#simulator/fleet';
import { testId } from '#test/fixtures/gateway-builder';
import { mixedFleet, wire } from '#test/fixtures/wire-fleet';
import { useFaultWorld } from './support/fault-world.ts';

import {
  ALL_DELETED,
  FIRST,
  PROXY_401,
  retryGapMs,
  runSweepCase,
  type SweepCase,
  status,
  withExtraFields,
  withStatus,
} from './support/sweep-matrix.ts';

// Each row is a fault on the list (the sweep makes no GET); rows that need time
// (Retry-After, stalls) are few and short.
const MATRIX: Array<[string, SweepCase]> = [
  ['no fault (baseline)', { counts: ALL_DELETED }],
  [
    'list: latency spike',
    { faults: () => [{ route: 'list', kind: 'latency', ms: 200 }], counts: ALL_DELETED },
  ],
  [
    'list: 429 without Retry-After, twice',
    { faults: () => [status('list', 429, { times: 2 })], counts: ALL_DELETED },
  ],
  [
    'list: 429 with Retry-After: 1 (seconds)',
    {
      faults: () => [status('list', 429, { times: 1, headers: { 'retry-after': '1' } })],
      counts: ALL_DELETED,
      check: (world) => expect(retryGapMs(world, 'list')).toBeGreaterThanOrEqual(950),
    },
  ],
  ['list: 500 twice', { faults: () => [status('list', 500, { times: 2 })], counts: ALL_DELETED }],
  ['list: 502 twice', { faults: () => [status('list', 502, { times: 2 })], counts: ALL_DELETED }],
  ['list: 503 twice', { faults: () => [status('list', 503, { times: 2 })], counts: ALL_DELETED }],
  ['list: 504 twice', { faults: () => [status('list', 504, { times: 2 })], counts: ALL_DELETED }],
  ['list: 503 on every attempt', { faults: () => [status('list', 503)], error: 'API_TRANSIENT' }],
  ['list: 501 is not retried', { faults: () => [status('list', 501)], error: 'API_PERMANENT' }],
  [
    'list: connection reset',
    { faults: () => [{ route: 'list', kind: 'reset', times: 2 }], counts: ALL_DELETED },
  ],
  [
    'list: reset mid-body',
    { faults: () => [{ route: 'list', kind: 'reset-mid-body', times: 1 }], counts: ALL_DELETED },
  ],
  [
    'list: stall past the timeout',
    { faults: () => [{ route: 'list', kind: 'stall', ms: 1_000, times: 1 }], counts: ALL_DELETED },
  ],
  [
    'list: non-JSON 200',
    { faults: () => [{ route: 'list', kind: 'malformed', times: 1 }], counts: ALL_DELETED },
  ],
  [
    'list: truncated 200',
    { faults: () => [{ route: 'list', kind: 'truncated', times: 1 }], counts: ALL_DELETED },
  ],
  [
    'list: non-JSON 200 on every attempt',
    { faults: () => [{ route: 'list', kind: 'malformed' }], error: 'API_BAD_RESPONSE' },
  ],
  [
    'list: non-JSON 401 from a proxy, once (token fetched again)',
    {
      faults: () => [status('list', 401, { times: 1, body: PROXY_401 })],
      counts: ALL_DELETED,
      check: (world) => expect(world.harness.secrets.calls).toHaveLength(2),
    },
  ],
  [
    'list: non-JSON 401 from a proxy, always',
    { faults: () => [status('list', 401, { body: PROXY_401 })], error: 'API_UNAUTHENTICATED' },
  ],
  ['list: 403', { faults: () => [status('list', 403)], error: 'API_FORBIDDEN' }],
  [
    'list: 404 is a wrong URL, not an empty fleet',
    { faults: () => [status('list', 404)], error: 'API_NOT_FOUND', counts: {} },
  ],
  ['list: {}', { faults: () => [status('list', 200, { body: {} })], counts: {} }],
  [
    'list: {"items": null}',
    { faults: () => [status('list', 200, { body: { items: null } })], counts: {} },
  ],
  [
    'list: an array instead of an object',
    { faults: () => [status('list', 200, { body: [] })], error: 'API_BAD_RESPONSE' },
  ],
  [
    'list: an item without an id is kept (unknown_identity)',
    {
      faults: () => [
        status('list', 200, {
          body: { items: [{ spec: { name: 'pr-1' }, status: { status: 'STATUS_FAILED' } }] },
        }),
      ],
      counts: {},
      check: (world) => expect(world.calls('DELETE')).toEqual([]),
    },
  ],
  [
    'list: a failed gateway without a name is kept (unknown_identity)',
    {
      fleet: () => {
        const { gateways, expired } = mixedFleet();
        return {
          gateways: [...gateways, wire(30, '', 100, { status: 'STATUS_FAILED' })],
          expired,
        };
      },
      counts: ALL_DELETED,
    },
  ],
  [
    'list: one id twice, once under a protected name (duplicate_id)',
    {
      faults: () => [{ route: 'list', kind: 'list-duplicate', id: FIRST, name: 'prod-api-2' }],
      fleet: () => ({
        gateways: mixedFleet().gateways,
        expired: [testId(2), testId(4), testId(10)],
      }),
      counts: { 'gateway.deleted': 3 },
    },
  ],
  [
    'list and delete: enum values as numbers (a status rule never matches a number)',
    {
      faults: () => [{ route: 'any', kind: 'numeric-enums' }],
      // failed-gw (4) is matched only by its status: kept. pr-107-deleting (7) is matched by
      // name once its status is unknown; deleting it again is harmless.
      fleet: () => ({
        gateways: mixedFleet().gateways,
        expired: [testId(1), testId(2), testId(7), testId(10)],
      }),
      check: (world) => {
        expect(world.calls('DELETE', testId(4))).toEqual([]);
        expect(world.records().filter((r) => r.event === 'gateway.delete_failed')).toEqual([]);
      },
    },
  ],
  [
    'list: unknown status strings',
    {
      fleet: () => {
        const { gateways } = mixedFleet();
        const renamed = gateways.map((g) =>
          g.spec.id === testId(1)
            ? withStatus(g, 'STATUS_HIBERNATING') // matched by name: still expired
            : g.spec.id === testId(4)
              ? withStatus(g, 'STATUS_QUARANTINED') // matched only by status: no rule now
              : g,
        );
        return { gateways: renamed, expired: [testId(1), testId(2), testId(10)] };
      },
      counts: { 'gateway.deleted': 3 },
    },
  ],
  [
    'list and delete: unknown extra fields',
    {
      fleet: () => {
        const { gateways, expired } = mixedFleet();
        return { gateways: gateways.map(withExtraFields), expired };
      },
      counts: ALL_DELETED,
      check: (world) => {
        const text = JSON.stringify(world.records());
        expect(text).not.toContain('edgeProxyMode');
        expect(text).not.toContain('internalNotes');
      },
    },
  ],
  [
    'list: extra top-level fields and an echoed apiKey in a raw body',
    {
      faults: () => [
        status('list', 200, {
          body: { items: mixedFleet().gateways, nextPageToken: '', totalSize: 12 },
        }),
      ],
      counts: ALL_DELETED,
    },
  ],
  [
    'list: 10,000 gateways',
    {
      fleet: () => {
        const now = new Date();
        const gateways = largeFleet({ count: 10_000, expiredShare: 0.001, now });
        const cutoff = now.getTime() - 30 * 86_400_000;
        const expired = gateways
          .filter((g) => Date.parse(g.status?.createdAt ?? '') <= cutoff)
          .map((g) => g.spec.id);
        return { gateways, expired };
      },
      policy: { rules: [{ id: 'bench', match: { name: 'bench-*' }, maxAge: '30d' }] },
      counts: { 'gateway.deleted': 10 },
    },
  ],
];

describe('sweep handler under list faults (fault matrix)', () => {
  const world = useFaultWorld();

  it.each(MATRIX)('%s', async (_name, row) => {
    await runSweepCase(world, row);
  });
});
