import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDynamoDbRegistry } from '#adapters/aws/dynamodb-registry';
import { createMemoryRegistry } from '#adapters/memory-registry';
import { buildAuditView } from '#cli/audit/build-audit-view';
import { collectAuditLines } from '#cli/audit/parse-audit-line';
import type { Registry } from '#core/registry-port';
import { type SnsDouble, startSnsDouble } from '#test/fakes/sns-double';
import { testId } from '#test/fixtures/gateway-builder';
import { SCHEDULED_EVENT } from '#test/fixtures/scheduled-event';
import { wire } from '#test/fixtures/wire-fleet';
import { leakedCanaries } from '#test/support/canaries';
import { auditLines, captureOutput } from '#test/support/capture-output';
import { type Harness, lambdaContext, startHarness } from '#test/support/janitor-harness';
import { localClient, startLocalDynamoDb } from '#test/support/local-dynamodb';
import { createSweepHandler } from '../../functions/sweep.ts';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:gateway-janitor-dev-notices';
const MIN = 60_000;
const H = 60 * MIN;
const POLICY = {
  rules: [
    { id: 'pr-previews', match: { name: 'pr-*' }, maxAge: '72h', owner: 'team-pr' },
    { id: 'search', match: { name: 'search-*' }, maxAge: '72h', owner: 'team-search' },
  ],
  limits: { maxDeletesPerRun: 25, maxDeletePercent: 100 },
  notice: { before: '1h', defaultOwner: 'platform' },
};
// Two owners' expired gateways, one due within the hour, one not yet to be told.
const FLEET = [
  wire(1, 'pr-1-old', 100),
  wire(2, 'pr-2-nearly', 71.5),
  wire(3, 'search-3-old', 90),
  wire(4, 'pr-4-young', 10),
];
const EXPIRED = [testId(1), testId(3)];

describe('notice before deletion, through the sweep handler', () => {
  let harness: Harness;
  let sns: SnsDouble;
  let output: ReturnType<typeof captureOutput>;
  let now: number;

  beforeEach(async () => {
    sns = await startSnsDouble({ topics: [TOPIC] });
    harness = await startHarness({
      gateways: FLEET,
      sdkEnv: { AWS_ENDPOINT_URL_SNS: sns.url },
    });
    now = Date.now();
    output = captureOutput();
  });
  afterEach(async () => {
    output.restore();
    expect(leakedCanaries(output.text())).toEqual([]);
    await Promise.all([harness.close(), sns.close()]);
  });

  const sweep = (registry: Registry | undefined, env: Record<string, string> = {}) =>
    createSweepHandler({
      env: {
        ...harness.env,
        JANITOR_POLICY: JSON.stringify(POLICY),
        NOTICE_TOPIC_ARN: TOPIC,
        DRY_RUN: 'false',
        ...env,
      },
      clock: { now: () => now },
      ...(registry ? { registry } : {}),
    })(SCHEDULED_EVENT, lambdaContext());
  const audit = () => auditLines(output.lines());
  const outcomes = (event: string) =>
    audit()
      .filter((r) => r.event === event)
      .map((r) => [r.gatewayId, r.reason])
      .sort();
  const messageOf = (owner: string) => sns.published.find((m) => m.attributes.owner === owner);

  it('tells two owners in one message each, listing only their own gateways, and deletes nothing yet', async () => {
    // Prepare
    const { registry, store } = createMemoryRegistry();
    // Act
    await sweep(registry);
    // Assess
    expect(harness.simulator.deletes()).toEqual([]);
    expect(sns.published.map((m) => m.attributes.owner).sort()).toEqual(['team-pr', 'team-search']);
    const pr = JSON.parse(messageOf('team-pr')?.message ?? '{}').default as string;
    expect(pr).toContain(`- pr-1-old (${testId(1)})`);
    expect(pr).toContain(`- pr-2-nearly (${testId(2)})`);
    expect(pr).not.toContain('search-3-old');
    expect(pr).not.toContain('pr-4-young');
    expect(JSON.parse(messageOf('team-search')?.message ?? '{}').default).toContain(
      `npx gateway-janitor keep ${testId(3)} --for 7d --reason`,
    );
    expect(outcomes('gateway.noticed')).toEqual([
      [testId(1), 'notice_pending'],
      [testId(2), 'notice_pending'],
      [testId(3), 'notice_pending'],
    ]);
    expect(store.items().filter((item) => item.sk === 'notice')).toHaveLength(3);
  });

  it('deletes no gateway before the grace, and each on the first sweep after it', async () => {
    // Prepare
    const { registry } = createMemoryRegistry();
    await sweep(registry);
    // Act
    now += 59 * MIN;
    await sweep(registry);
    const beforeGrace = harness.simulator.deletes();
    now += MIN;
    await sweep(registry);
    // Assess
    expect(beforeGrace).toEqual([]);
    expect(outcomes('gateway.skipped')).toEqual([
      [testId(1), 'notice_pending'],
      [testId(2), 'notice_pending'],
      [testId(3), 'notice_pending'],
    ]);
    expect(harness.simulator.deletes().sort()).toEqual([...EXPIRED, testId(2)].sort());
    expect(sns.published).toHaveLength(2);
  });

  it('keeps everything when the notice cannot be published: notice_failed, nothing recorded', async () => {
    // Prepare
    const { registry, store } = createMemoryRegistry();
    sns.fail({ status: 500, code: 'InternalError', message: 'try later' }, 20);
    // Act
    await sweep(registry);
    now += 2 * H;
    await sweep(registry);
    // Assess
    expect(harness.simulator.deletes()).toEqual([]);
    // No notice recorded: only the sweeps' last-run record.
    expect(store.items().map((item) => item.pk)).toEqual(['run']);
    const failed = audit().filter((r) => r.reason === 'notice_failed');
    expect(failed.length).toBeGreaterThanOrEqual(EXPIRED.length * 2);
    expect(failed[0]).toMatchObject({
      event: 'gateway.skipped',
      error: { code: 'NOTICE_UNPUBLISHED' },
    });
  });

  it('voids a notice when the lease is extended: no deletion at the old time, a new notice later', async () => {
    // Prepare
    const { registry } = createMemoryRegistry();
    harness.simulator.seed([wire(7, 'demo-7', 5)]);
    await registry.setLease(
      {
        gatewayId: testId(7),
        expiresAt: now + 30 * MIN,
        owner: 'team-demo',
        identity: { name: 'demo-7' },
      },
      now,
    );
    await sweep(registry);
    await registry.extendLease(testId(7), { byMs: 2 * H }, now + 10 * MIN);
    // Act
    now += 70 * MIN;
    await sweep(registry);
    const afterOldGrace = harness.simulator.deletes();
    now += 90 * MIN;
    await sweep(registry);
    const atNewTime = harness.simulator.deletes();
    now += H;
    await sweep(registry);
    // Assess
    expect(afterOldGrace).toEqual([]);
    expect(atNewTime).toEqual([]);
    expect(sns.published.map((m) => m.attributes.owner)).toEqual(['team-demo', 'team-demo']);
    expect(JSON.parse(sns.published[1]?.message ?? '{}').default).toContain(
      `npx gateway-janitor lease extend ${testId(7)} --by 1d`,
    );
    expect(harness.simulator.deletes()).toEqual([testId(7)]);
  });

  it('sends and writes nothing in a dry run, and shows who would be told', async () => {
    // Prepare
    const { registry, store } = createMemoryRegistry();
    // Act
    const result = await sweep(registry, { DRY_RUN: 'true' });
    // Assess
    expect(sns.published).toEqual([]);
    // Nothing but the last-run record, which a dry run writes too (for status).
    expect(store.items().map((item) => item.pk)).toEqual(['run']);
    expect(harness.simulator.deletes()).toEqual([]);
    expect(
      audit()
        .filter((r) => r.event === 'gateway.skipped')
        .map((r) => [r.gatewayId, r.reason, r.owner]),
    ).toEqual([
      [testId(1), 'notice_pending', 'team-pr'],
      [testId(3), 'notice_pending', 'team-search'],
    ]);
    expect(result.expiringWithin24h).toBe(3);
  });

  it('refuses notice without a registry, naming the key, before anything is listed', async () => {
    // Act
    const failure = await sweep(undefined).catch((error: unknown) => error);
    // Assess
    expect(failure).toMatchObject({ code: 'CONFIG_INVALID', field: 'policy.notice' });
    expect(harness.simulator.requests).toEqual([]);
  });

  it('publishes how many gateways go within 24 hours as an embedded metric', async () => {
    // Prepare
    const lines: string[] = [];
    const { registry } = createMemoryRegistry();
    // Act
    await createSweepHandler({
      env: { ...harness.env, JANITOR_POLICY: JSON.stringify(POLICY), NOTICE_TOPIC_ARN: TOPIC },
      registry,
      writeMetric: (line) => lines.push(line),
    })(SCHEDULED_EVENT, lambdaContext());
    // Assess
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ ExpiringWithin24h: 3, service: 'gateway-janitor' }),
    ]);
  });

  it('shows the gateway.noticed records in the audit history', async () => {
    // Prepare
    const { registry } = createMemoryRegistry();
    await sweep(registry);
    // Act
    const history = buildAuditView('history', collectAuditLines(output.lines()).records, {
      gateway: new Set([testId(1)]),
    });
    // Assess
    expect(history.rows.map((row) => [row.gatewayId, row.event, row.reason])).toEqual([
      [testId(1), 'gateway.noticed', 'notice_pending'],
    ]);
  });

  it('records notices in the DynamoDB registry and deletes after the grace', async () => {
    // Prepare
    const db = await startLocalDynamoDb();
    try {
      await db.createTable('registry');
      const registry = createDynamoDbRegistry({
        tableName: 'registry',
        client: localClient(db.endpoint),
      });
      await sweep(registry);
      // Act
      now += H;
      await sweep(registry);
      // Assess
      expect((await registry.snapshot()).notices.size).toBe(3);
      expect(harness.simulator.deletes().sort()).toEqual([...EXPIRED, testId(2)].sort());
      expect(sns.published).toHaveLength(2);
    } finally {
      await db.close();
    }
  });
});
