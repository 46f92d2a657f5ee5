import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDynamoDbRegistry } from '#adapters/aws/dynamodb-registry';
import type { Registry } from '#core/registry-port';
import { testId } from '#test/fixtures/gateway-builder';
import { SCHEDULED_EVENT } from '#test/fixtures/scheduled-event';
import { sqsRecord } from '#test/fixtures/sqs-event';
import { mixedFleet, TEST_POLICY } from '#test/fixtures/wire-fleet';
import { auditLines, captureOutput } from '#test/support/capture-output';
import {
  closeChecked,
  type Harness,
  lambdaContext,
  startHarness,
} from '#test/support/janitor-harness';
import { type LocalDynamoDb, localClient, startLocalDynamoDb } from '#test/support/local-dynamodb';
import { startTeardownRig, type TeardownRig } from '#test/support/teardown-rig';
import { createSweepHandler } from '../../functions/sweep.ts';

const HOUR = 3_600_000;

// The handlers reach the table as a deployment would: JANITOR_REGISTRY_TABLE names it and
// the SDK's own AWS_ENDPOINT_URL_DYNAMODB points it at dynalite on 127.0.0.1.
describe('the handlers with the registry on DynamoDB (dynalite)', () => {
  let local: LocalDynamoDb;
  let table: string;
  let registry: Registry;

  beforeAll(async () => {
    local = await startLocalDynamoDb();
  });
  afterAll(() => local.close());
  beforeEach(async () => {
    local.throttle(undefined);
    table = `registry-${randomUUID()}`;
    await local.createTable(table);
    registry = createDynamoDbRegistry({ tableName: table, client: localClient(local.endpoint) });
  });

  describe('sweep', () => {
    let harness: Harness;
    let output: ReturnType<typeof captureOutput>;

    beforeEach(async () => {
      harness = await startHarness({
        gateways: mixedFleet().gateways,
        // One attempt: a throttled table fails at once instead of after the SDK's backoff.
        sdkEnv: { AWS_ENDPOINT_URL_DYNAMODB: local.endpoint, AWS_MAX_ATTEMPTS: '1' },
      });
      output = captureOutput();
    });
    afterEach(async () => {
      await closeChecked(harness, output);
    });

    const sweep = (env: Record<string, string> = {}) =>
      createSweepHandler({
        env: {
          ...harness.env,
          JANITOR_POLICY: JSON.stringify(TEST_POLICY),
          JANITOR_REGISTRY_TABLE: table,
          DRY_RUN: 'false',
          ...env,
        },
      })(SCHEDULED_EVENT, lambdaContext());
    const audit = () => auditLines(output.lines());

    it('deletes a gateway whose lease expired, keeps an exempted one, and releases the lease', async () => {
      // Prepare: `demo` matches no rule; pr-101-old is expired under its rule.
      const now = Date.now();
      await registry.setLease(
        {
          gatewayId: testId(11),
          expiresAt: now - 60_000,
          owner: 'team-demo',
          identity: { name: 'demo' },
        },
        now - HOUR,
      );
      await registry.keep(
        { gatewayId: testId(1), until: now + HOUR, reason: 'investigating', setBy: 'ana' },
        now,
      );
      // Act
      const result = await sweep();
      // Assess
      expect(harness.simulator.deletes().sort()).toEqual(
        [testId(2), testId(4), testId(10), testId(11)].sort(),
      );
      expect(
        audit().find((r) => r.gatewayId === testId(11) && r.event === 'gateway.deleted'),
      ).toMatchObject({ reason: 'lease_expired' });
      expect(audit().filter((r) => r.event === 'lease.released')).toMatchObject([
        { gatewayId: testId(11), reason: 'gateway_deleted', owner: 'team-demo' },
      ]);
      expect((await registry.readGateway(testId(11))).lease).toBeUndefined();
      expect(result).toMatchObject({ registry: 'on', kept: { exempt: 1 } });
      expect(audit().find((r) => r.event === 'run.summary')).toMatchObject({ registry: 'on' });
    });

    it('deletes nothing, lists nothing and fails when the registry cannot be read', async () => {
      // Prepare
      local.throttle(['Scan']);
      // Act
      const run = sweep();
      // Assess
      await expect(run).rejects.toMatchObject({ code: 'REGISTRY_UNAVAILABLE' });
      expect(harness.simulator.requests).toEqual([]);
      expect(audit().filter((r) => String(r.event).startsWith('run.'))).toMatchObject([
        { event: 'run.aborted', reason: 'registry_unavailable' },
        { event: 'run.summary', reason: 'aborted', registry: 'on' },
      ]);
    });

    it('fails the same way when the table does not exist', async () => {
      // Act
      const run = sweep({ JANITOR_REGISTRY_TABLE: `missing-${randomUUID()}` });
      // Assess
      await expect(run).rejects.toThrow(/table not found/);
      expect(harness.simulator.deletes()).toEqual([]);
    });
  });

  describe('teardown', () => {
    let rig: TeardownRig;
    beforeEach(async () => {
      rig = await startTeardownRig({
        gateways: mixedFleet().gateways,
        sdkEnv: { AWS_ENDPOINT_URL_DYNAMODB: local.endpoint, AWS_MAX_ATTEMPTS: '1' },
      });
    });
    afterEach(() => rig.close());

    it('turns a future-dated request into a lease, acknowledged and not sent again', async () => {
      // Prepare
      const expiresAt = new Date(Date.now() + 48 * HOUR).toISOString();
      const record = sqsRecord(
        JSON.stringify({ gatewayId: testId(3), expiresAt, requestedBy: 'ci/pr-103' }),
      );
      // Act
      const response = await rig.handler({ JANITOR_REGISTRY_TABLE: table })(
        { Records: [record] },
        lambdaContext(60_000),
      );
      // Assess
      expect(response.batchItemFailures).toEqual([]);
      expect(await rig.sqs.count(rig.sqs.queueUrl)).toEqual({
        visible: 0,
        delayed: 0,
        inFlight: 0,
      });
      expect((await registry.readGateway(testId(3))).lease).toMatchObject({
        owner: 'ci/pr-103',
        expiresAt: Date.parse(expiresAt),
        identity: { name: 'pr-103-young' },
      });
      expect(rig.audit().map((r) => [r.event, r.reason])).toEqual([
        ['lease.set', 'requested'],
        ['gateway.deferred', 'not_due'],
        ['run.summary', 'completed'],
      ]);
    });

    it('sends no DELETE for a due request while the registry cannot be read', async () => {
      // Prepare
      local.throttle(['Query']);
      const record = sqsRecord(JSON.stringify({ gatewayId: testId(3), requestedBy: 'ci' }));
      // Act
      const response = await rig.handler({ JANITOR_REGISTRY_TABLE: table })(
        { Records: [record] },
        lambdaContext(60_000),
      );
      // Assess
      expect(response.batchItemFailures).toEqual([]);
      expect(rig.harness.simulator.deletes()).toEqual([]);
      expect(rig.audit().find((r) => r.event === 'gateway.deferred')).toMatchObject({
        reason: 'registry_unavailable',
      });
      expect((await rig.sqs.count(rig.sqs.queueUrl)).delayed).toBe(1);
    });
  });
});
