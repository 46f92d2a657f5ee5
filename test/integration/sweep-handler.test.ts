import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testId } from '#test/fixtures/gateway-builder';
import { SCHEDULED_EVENT } from '#test/fixtures/scheduled-event';
import { ago, mixedFleet, TEST_POLICY, wire } from '#test/fixtures/wire-fleet';
import { ROTATED_TOKEN } from '#test/support/canaries';
import { auditLines, captureOutput } from '#test/support/capture-output';
import {
  closeChecked,
  type Harness,
  lambdaContext,
  SECRET_ID,
  startHarness,
} from '#test/support/janitor-harness';
import { createSweepHandler } from '../../functions/sweep.ts';

describe('sweep handler against the simulator', () => {
  let harness: Harness;
  let output: ReturnType<typeof captureOutput>;
  const { gateways, expired } = mixedFleet();

  beforeEach(async () => {
    harness = await startHarness({ gateways, echoApiKey: true });
    output = captureOutput();
  });
  afterEach(async () => {
    await closeChecked(harness, output);
  });

  const handler = (env: Record<string, string> = {}) =>
    createSweepHandler({
      env: { ...harness.env, JANITOR_POLICY: JSON.stringify(TEST_POLICY), ...env },
    });
  const audit = () => auditLines(output.lines());
  const ids = (event: string) =>
    audit()
      .filter((r) => r.event === event)
      .map((r) => r.gatewayId)
      .sort();

  it('deletes exactly the expired gateways and records each final state', async () => {
    // Act
    const result = await handler({ DRY_RUN: 'false' })(SCHEDULED_EVENT, lambdaContext());
    // Assess
    expect(harness.simulator.deletes().sort()).toEqual(expired);
    expect(ids('gateway.deleted')).toEqual(expired);
    for (const record of audit().filter((r) => r.event === 'gateway.deleted')) {
      expect(record).toMatchObject({
        schemaVersion: 1,
        trigger: 'schedule',
        dryRun: false,
        runId: 'req-0001',
        reason: 'expired',
      });
      expect(record.finalState).toMatchObject({
        spec: { id: record.gatewayId },
        status: { status: 'STATUS_DELETING' },
      });
      expect(record.http).toMatchObject({ status: 200, attempts: 1 });
    }
    expect(audit().find((r) => r.gatewayId === testId(10))?.finalState).toMatchObject({
      spec: { auth: 'weightsAndBiasesAuth', routing: 'headerBasedRouting' },
    });
    const summary = audit().find((r) => r.event === 'run.summary');
    expect(summary?.counts).toEqual({ listed: 12, expired: 4, 'gateway.deleted': 4 });
    expect(result).toMatchObject({
      status: 'completed',
      listed: 12,
      expired: 4,
      counts: { 'gateway.deleted': 4 },
    });
    expect(result.kept).toEqual({
      too_young: 2,
      protected: 1,
      already_deleting: 1,
      unknown_age: 2,
      no_matching_rule: 2,
    });
  });

  it('decides the same in a dry run and deletes nothing', async () => {
    const result = await handler({})(SCHEDULED_EVENT, lambdaContext());
    expect(harness.simulator.requests.filter((r) => r.method === 'DELETE')).toEqual([]);
    expect(ids('gateway.would_delete')).toEqual(expired);
    expect(ids('gateway.deleted')).toEqual([]);
    expect(result).toMatchObject({ dryRun: true, counts: { 'gateway.would_delete': 4 } });
  });

  it('lets an event force a dry run but never a live one', async () => {
    await handler({ DRY_RUN: 'false' })({ dryRun: true }, lambdaContext());
    await handler({ DRY_RUN: 'true' })({ dryRun: false }, lambdaContext());
    expect(harness.simulator.deletes()).toEqual([]);
    expect(
      audit()
        .filter((r) => r.event === 'run.summary')
        .map((r) => [r.trigger, r.dryRun]),
    ).toEqual([
      ['direct', true],
      ['direct', true],
    ]);
  });

  it('fetches the token again after a 401 and carries on with the rotated one', async () => {
    const sweep = handler({ DRY_RUN: 'false' });
    await sweep({}, lambdaContext());
    harness.simulator.seed([wire(50, 'pr-50', 100), ...gateways]);
    harness.simulator.rotateToken(ROTATED_TOKEN);
    harness.secrets.setSecret(SECRET_ID, ROTATED_TOKEN);
    const result = await sweep({}, lambdaContext());
    expect(result.counts['gateway.deleted']).toBe(5);
    expect(harness.secrets.calls).toHaveLength(2);
  });

  it('fetches the secret once per execution environment in steady state', async () => {
    const sweep = handler({});
    for (let i = 0; i < 3; i++) await sweep({}, lambdaContext());
    expect(harness.secrets.calls).toHaveLength(1);
  });

  it('rides out a 429 storm and honours Retry-After', async () => {
    harness.simulator.addFault({
      route: 'delete',
      kind: 'status',
      status: 429,
      headers: { 'retry-after': '0' },
      times: 6,
    });
    const result = await handler({ DRY_RUN: 'false' })({}, lambdaContext());
    expect(result.counts).toEqual({ 'gateway.deleted': 4 });
    expect(harness.simulator.deletes().sort()).toEqual(expired);
  });

  it('records a 404 on DELETE as already gone', async () => {
    harness.simulator.addFault({
      route: 'delete',
      gatewayId: testId(1),
      kind: 'status',
      status: 404,
      body: { code: 5, message: 'gateway not found' },
    });
    const result = await handler({ DRY_RUN: 'false' })({}, lambdaContext());
    expect(ids('gateway.already_gone')).toEqual([testId(1)]);
    expect(result.counts).toEqual({ 'gateway.deleted': 3, 'gateway.already_gone': 1 });
  });

  it('records a permanent 409 as a failed deletion and goes on with the rest', async () => {
    harness.simulator.addFault({
      route: 'delete',
      gatewayId: testId(2),
      kind: 'status',
      status: 409,
      body: { code: 9, message: 'gateway is referenced by 2 deployments' },
    });
    const result = await handler({ DRY_RUN: 'false' })({}, lambdaContext());
    const failed = audit().find((r) => r.event === 'gateway.delete_failed');
    expect(failed).toMatchObject({
      gatewayId: testId(2),
      http: { status: 409, attempts: 1 },
      error: { code: 'API_PERMANENT' },
    });
    expect(JSON.stringify(failed?.error)).toContain('referenced by 2 deployments');
    expect(result.counts).toEqual({ 'gateway.deleted': 3, 'gateway.delete_failed': 1 });
  });

  it('aborts without deleting when the blast radius is exceeded, and fails the invocation', async () => {
    const policy = { ...TEST_POLICY, limits: { maxDeletesPerRun: 3, maxDeletePercent: 50 } };
    const act = handler({ DRY_RUN: 'false', JANITOR_POLICY: JSON.stringify(policy) })(
      {},
      lambdaContext(),
    );
    await expect(act).rejects.toMatchObject({ code: 'BLAST_RADIUS_EXCEEDED' });
    expect(harness.simulator.deletes()).toEqual([]);
    expect(audit().find((r) => r.event === 'run.aborted')?.counts).toEqual({
      expired: 4,
      listed: 12,
      maxDeletesPerRun: 3,
      maxDeletePercent: 50,
    });
    expect(ids('gateway.skipped')).toEqual(expired);
  });

  it('stops the run on 403 and fails the invocation', async () => {
    harness.simulator.addFault({
      route: 'delete',
      kind: 'status',
      status: 403,
      body: { code: 7, message: 'permission denied' },
    });
    await expect(
      handler({ DRY_RUN: 'false', DELETE_CONCURRENCY: '1' })({}, lambdaContext()),
    ).rejects.toMatchObject({ code: 'API_FORBIDDEN' });
    expect(harness.simulator.requests.filter((r) => r.method === 'DELETE')).toHaveLength(1);
    expect(ids('gateway.delete_failed')).toHaveLength(1);
    expect(ids('gateway.skipped')).toHaveLength(3);
  });

  it('rejects an event that is not an object, and bad configuration, before any HTTP call', async () => {
    await expect(handler({})([1, 2], lambdaContext())).rejects.toMatchObject({
      code: 'EVENT_INVALID',
      field: 'event',
    });
    await expect(handler({})({ dryRun: 'yes' }, lambdaContext())).rejects.toMatchObject({
      field: 'event.dryRun',
    });
    await expect(handler({ DRY_RUN: 'maybe' })({}, lambdaContext())).rejects.toMatchObject({
      field: 'DRY_RUN',
    });
    expect(harness.simulator.requests).toEqual([]);
    expect(harness.secrets.calls).toEqual([]);
  });

  it('starts no deletion when the invocation is out of time, and says so', async () => {
    const result = await handler({ DRY_RUN: 'false' })({}, lambdaContext(5_000));
    expect(result.status).toBe('truncated');
    expect(harness.simulator.deletes()).toEqual([]);
    expect(audit().find((r) => r.event === 'run.truncated')?.counts).toEqual({
      notStarted: 4,
      expired: 4,
    });
  });
});

describe('sweep handler: deletion safety', () => {
  let harness: Harness;
  let output: ReturnType<typeof captureOutput>;
  const { gateways } = mixedFleet();

  beforeEach(async () => {
    harness = await startHarness({ gateways });
    output = captureOutput();
  });
  afterEach(async () => {
    await closeChecked(harness, output);
  });

  const live = (env: Record<string, string> = {}) =>
    createSweepHandler({
      env: {
        ...harness.env,
        JANITOR_POLICY: JSON.stringify(TEST_POLICY),
        DRY_RUN: 'false',
        ...env,
      },
    })({}, lambdaContext());
  const audit = () => auditLines(output.lines());
  const recordsFor = (id: string) => audit().filter((r) => r.gatewayId === id);

  it('keeps a 24-hour-old failed gateway whose status arrives as the number 6', async () => {
    // Prepare
    harness.simulator.seed([wire(20, 'chat-east', 24, { status: 'STATUS_FAILED' }), ...gateways]);
    harness.simulator.addFault({ route: 'list', kind: 'numeric-enums' });
    // Act
    const result = await live();
    // Assess
    expect(harness.simulator.deletes()).not.toContain(testId(20));
    expect(harness.simulator.deletes()).not.toContain(testId(4)); // failed-gw: a status rule only
    expect(recordsFor(testId(20))).toEqual([]);
    expect(result.status).toBe('completed');
  });

  it('keeps a failed gateway listed without a name (unknown_identity)', async () => {
    // Prepare
    harness.simulator.seed([wire(21, '', 100, { status: 'STATUS_FAILED' }), ...gateways]);
    // Act
    const result = await live();
    // Assess
    expect(harness.simulator.deletes()).not.toContain(testId(21));
    expect(recordsFor(testId(21))).toEqual([]);
    expect(result.kept.unknown_identity).toBe(1);
    expect(result.counts).toEqual({ 'gateway.deleted': 4 });
  });

  it('keeps every entry of an id the API lists twice, once under a protected name, and sends that id no DELETE (duplicate_id)', async () => {
    // Prepare
    harness.simulator.addFault({
      route: 'list',
      kind: 'list-duplicate',
      id: testId(1),
      name: 'prod-api-2',
    });
    // Act
    const result = await live();
    // Assess
    expect(harness.simulator.deletes()).not.toContain(testId(1));
    expect(recordsFor(testId(1))).toEqual([]);
    expect(result.kept.duplicate_id).toBe(2);
    expect(result.counts).toEqual({ 'gateway.deleted': 3 });
    expect(audit().find((r) => r.event === 'run.summary')?.counts).toMatchObject({
      listed: 13,
      expired: 3,
    });
  });

  it('under the example policy, keeps a 30-day-old gateway five minutes after it entered STATUS_ERROR', async () => {
    // Prepare
    const example = readFileSync(new URL('../../examples/policy.json', import.meta.url), 'utf8');
    harness.simulator.seed([
      wire(22, 'pr-2200-chat', 720, { status: 'STATUS_ERROR', updatedAt: ago(5 / 60) }),
      wire(23, 'chat-east', 720, { status: 'STATUS_ERROR', updatedAt: ago(5 / 60) }),
      wire(24, 'chat-west', 720, { status: 'STATUS_FAILED', updatedAt: ago(7) }),
      ...gateways,
    ]);
    // Act
    const result = await live({ JANITOR_POLICY: example });
    // Assess
    expect(harness.simulator.deletes()).not.toContain(testId(22));
    expect(harness.simulator.deletes()).not.toContain(testId(23));
    expect(recordsFor(testId(22))).toEqual([]);
    expect(recordsFor(testId(24))).toMatchObject([
      { event: 'gateway.deleted', ruleId: 'broken', reason: 'expired' },
    ]);
    expect(result.status).toBe('completed');
  });

  it('fails the invocation with API_NOT_FOUND when the list answers 404, deleting nothing', async () => {
    // Prepare
    harness.simulator.addFault({ route: 'list', kind: 'status', status: 404 });
    // Act
    const act = live();
    // Assess
    await expect(act).rejects.toMatchObject({ code: 'API_NOT_FOUND' });
    expect(harness.simulator.requests.filter((r) => r.method === 'DELETE')).toEqual([]);
    expect(audit().filter((r) => r.event === 'run.summary')).toEqual([]);
    expect(output.text()).toContain('sweep failed');
    expect(output.text()).toContain('API_NOT_FOUND');
  });

  it.each(['http://api.coreweave.com', 'http://10.1.2.3:8080'])(
    'refuses COREWEAVE_API_URL=%s before the secret is read',
    async (url) => {
      // Act
      const act = live({ COREWEAVE_API_URL: url });
      // Assess
      await expect(act).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
        field: 'COREWEAVE_API_URL',
      });
      expect(harness.secrets.calls).toEqual([]);
      expect(harness.simulator.requests).toEqual([]);
    },
  );
});
