import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTeardownRequest } from '#core/teardown/request';
import { testId } from '#test/fixtures/gateway-builder';
import { sqsEvent } from '#test/fixtures/sqs-event';
import { CANARY_API_KEY, CANARY_TOKEN } from '#test/support/canaries';
import { DLQ_URL, type FaultWorld, useFaultWorld } from './support/fault-world.ts';

const ID = testId(3);
const json = (value: object) => JSON.stringify(value);

/** Nothing reached the API or Secrets Manager. */
function expectNoCalls(world: FaultWorld): void {
  expect(world.harness.simulator.requests).toEqual([]);
  expect(world.harness.secrets.calls).toEqual([]);
}

describe('teardown handler: malformed SQS bodies', () => {
  const world = useFaultWorld();

  // [body, the field the rejection names]
  it.each([
    ['', 'body'],
    ['   ', 'body'],
    ['null', 'body'],
    ['true', 'body'],
    ['42', 'body'],
    ['"6f1c2a9e-3b7d-4c1e-9a52-0d8e4f7b21aa"', 'body'],
    ['[]', 'body'],
    [json([{ gatewayId: ID }]), 'body'],
    ['{', 'body'],
    [`\uFEFF${json({ gatewayId: ID })}`, 'body'],
    [`${json({ gatewayId: ID })}\n${json({ gatewayId: ID })}`, 'body'],
    ['x'.repeat(300_000), 'body'],
    [json({ gatewayId: ID, reason: 'y'.repeat(20_000) }), 'body'],
    ['{}', 'gatewayId'],
    [json({ gatewayId: null }), 'gatewayId'],
    [json({ gatewayId: [ID] }), 'gatewayId'],
    [json({ gatewayId: { id: ID } }), 'gatewayId'],
    [json({ gatewayId: '' }), 'gatewayId'],
    [json({ gatewayId: `../${ID}` }), 'gatewayId'],
    [json({ gatewayId: `${ID}/../../parameters` }), 'gatewayId'],
    [json({ gatewayId: ID.replace('-', '%2F') }), 'gatewayId'],
    [json({ gatewayId: `${ID}%2F..` }), 'gatewayId'],
    [json({ gatewayId: ` ${ID}` }), 'gatewayId'],
    [json({ gatewayId: `${ID}\n` }), 'gatewayId'],
    [json({ gatewayId: `{${ID}}` }), 'gatewayId'],
    [json({ gatewayId: ID.replaceAll('-', '') }), 'gatewayId'],
    [`{"gatewayId":"${ID}","__proto__":{"gatewayId":"${testId(4)}"}}`, 'body'],
    [`{"__proto__":{"polluted":true},"gatewayId":"${ID}"}`, 'body'],
    [`{"gatewayId":"${ID}","constructor":{"prototype":{"polluted":true}}}`, 'body'],
    [json({ gatewayId: ID, prototype: {} }), 'body'],
    [json({ gatewayId: ID, dryRun: false }), 'body'],
    [json({ gatewayId: ID, expiresAt: '2026-11-26T12:00:00' }), 'expiresAt'],
    [json({ gatewayId: ID, expiresAt: '2026-11-26' }), 'expiresAt'],
    [json({ gatewayId: ID, expiresAt: '2026-02-30T12:00:00Z' }), 'expiresAt'],
    [json({ gatewayId: ID, expiresAt: '2026-11-26T25:00:00Z' }), 'expiresAt'],
    [json({ gatewayId: ID, expiresAt: '2026-13-01T00:00:00Z' }), 'expiresAt'],
    [json({ gatewayId: ID, expiresAt: 1764158400 }), 'expiresAt'],
    [json({ gatewayId: ID, expiresAt: 'now' }), 'expiresAt'],
    [json({ gatewayId: ID, expectedCreatedAt: '2026-11-26 12:00:00Z' }), 'expectedCreatedAt'],
    [json({ gatewayId: ID, requestedBy: 'ci\u001b[31m' }), 'requestedBy'],
    [json({ gatewayId: ID, expectedName: 7 }), 'expectedName'],
    [json({ gatewayId: CANARY_TOKEN }), 'gatewayId'],
  ])('rejects %j naming %s, parks it, calls nothing', async (body, field) => {
    // Act
    const run = await world.teardown()(sqsEvent(body));
    // Assess: acknowledged (not returned to the queue), recorded, parked, no call.
    expect(run.ok && run.value.batchItemFailures).toEqual([]);
    expect(world.records().map((r) => r.event)).toEqual(['request.rejected', 'run.summary']);
    expect(world.records()[0]?.error).toMatchObject({ code: 'REQUEST_INVALID', field });
    expect(world.sent).toEqual([{ queueUrl: DLQ_URL, body, delaySeconds: undefined }]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expectNoCalls(world);
  });

  it('normalises an upper-case uuid in a queued request: it deletes the gateway by its lower-case path', async () => {
    const run = await world.teardown()(sqsEvent({ gatewayId: ID.toUpperCase() }));
    expect(run.ok && run.value.batchItemFailures).toEqual([]);
    expect(world.records()[0]).toMatchObject({ event: 'gateway.deleted', gatewayId: ID });
    expect(world.harness.simulator.requests.map((r) => r.path)).toEqual([
      `/v1alpha1/inference/gateways/${ID}`,
      '/v1alpha1/inference/deployments',
      `/v1alpha1/inference/gateways/${ID}`,
    ]);
  });

  it('takes the last of duplicated JSON keys, as JSON.parse does, and validates that', async () => {
    const body = `{"gatewayId":"${ID}","gatewayId":"../../etc/passwd"}`;
    await world.teardown()(sqsEvent(body));
    expect(world.records()[0]).toMatchObject({ event: 'request.rejected' });
    expectNoCalls(world);
  });

  it('ends any body as exactly one of: rejected and parked with no call, or served (property)', async () => {
    // Prepare: one warm handler, as Lambda reuses an execution environment.
    const teardown = world.teardown({ env: { DRY_RUN: 'true' } });
    const uuid = fc.constantFrom(ID, ID.toUpperCase(), testId(404), `../${ID}`, '', CANARY_API_KEY);
    const timestamp = fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.constantFrom('2026-02-30T00:00:00Z', '2026-11-26T12:00:00', 'soon'),
    );
    const nearlyValid = fc
      .record(
        {
          gatewayId: fc.oneof(uuid, fc.jsonValue()),
          expiresAt: timestamp,
          reason: fc.string({ maxLength: 600 }),
          requestedBy: fc.string(),
          expectedName: fc.string(),
          __proto__: fc.jsonValue(),
          constructor: fc.jsonValue(),
        },
        { requiredKeys: [] },
      )
      .map((value) => JSON.stringify(value));
    const body = fc.oneof(fc.string(), fc.json(), nearlyValid);

    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        // Act
        const before = { calls: world.harness.simulator.requests.length, sent: world.sent.length };
        world.sink.records.length = 0;
        const run = await teardown(sqsEvent(text));
        // Assess
        expect(run.ok).toBe(true);
        if (!run.ok) return;
        const [record, ...rest] = world.records();
        expect(rest.map((r) => r.event)).toEqual(['run.summary']);
        expect(run.value.batchItemFailures).toEqual([]);
        if (parseTeardownRequest(text).ok) {
          expect(record?.event).not.toBe('request.rejected');
        } else {
          expect(record?.event).toBe('request.rejected');
          expect(record?.error?.field).toBeTruthy();
          expect(world.harness.simulator.requests.length).toBe(before.calls);
          expect(world.sent.length).toBe(before.sent + 1);
        }
      }),
      { numRuns: 150, seed: 7 },
    );
  });
});

describe('sweep handler: malformed scheduled events', () => {
  const world = useFaultWorld();

  it.each([
    [null, 'event'],
    [undefined, 'event'],
    ['{"dryRun": true}', 'event'],
    [42, 'event'],
    [true, 'event'],
    [[], 'event'],
    [[{ dryRun: true }], 'event'],
    [{ dryRun: 'true' }, 'event.dryRun'],
    [{ dryRun: 1 }, 'event.dryRun'],
    [{ dryRun: null }, 'event.dryRun'],
    [{ dryRun: { value: true } }, 'event.dryRun'],
    [{ 'detail-type': 'Scheduled Event', dryRun: 'false' }, 'event.dryRun'],
  ])('rejects %j naming %s before any call', async (event, field) => {
    const run = await world.sweep()(event);
    expect(run.ok ? 'completed' : run.error).toMatchObject({ code: 'EVENT_INVALID', field });
    expect(world.records()).toEqual([]);
    expectNoCalls(world);
  });

  it.each([
    [{}, 'direct'],
    [JSON.parse('{"__proto__": {"dryRun": false}, "detail": {"dryRun": false}}'), 'direct'],
    [{ 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} }, 'schedule'],
    [{ 'detail-type': 'Scheduled Event', detail: { dryRun: false }, unknown: [1] }, 'schedule'],
  ])(
    'starts a sweep for %j (trigger %s), never a live one unless DRY_RUN is false',
    async (event, trigger) => {
      const run = await world.sweep({ env: { DRY_RUN: 'true' } })(event);
      expect(run.ok && run.value).toMatchObject({ trigger, dryRun: true, status: 'completed' });
      expect(world.calls('DELETE')).toEqual([]);
    },
  );
});

describe('handlers: invalid policies', () => {
  const world = useFaultWorld();
  const rule = { id: 'r', match: { name: 'pr-*' }, maxAge: '72h' };
  const policy = (override: object) => JSON.stringify({ rules: [rule], ...override });
  const withMatch = (match: object) => policy({ rules: [{ ...rule, match }] });
  const withAge = (maxAge: unknown) => policy({ rules: [{ ...rule, maxAge }] });

  // [JANITOR_POLICY, the path the error names]
  const POLICIES: Array<[string, string]> = [
    ['not json', 'JANITOR_POLICY'],
    ['null', 'JANITOR_POLICY'],
    ['[]', 'JANITOR_POLICY'],
    ['{}', 'JANITOR_POLICY.rules'],
    ['{"rules":[]}', 'JANITOR_POLICY.rules'],
    [policy({ rulez: [] }), 'JANITOR_POLICY'],
    [policy({ protect: { names: ['prod-*'], idz: [] } }), 'JANITOR_POLICY.protect'],
    [policy({ protect: { ids: ['prod-api'] } }), 'JANITOR_POLICY.protect.ids[0]'],
    [policy({ limits: { maxDeletePercent: 150 } }), 'JANITOR_POLICY.limits.maxDeletePercent'],
    [policy({ limits: { maxDeletesPerRun: '25' } }), 'JANITOR_POLICY.limits.maxDeletesPerRun'],
    [policy({ rules: [rule, rule] }), 'JANITOR_POLICY.rules'],
    [policy({ rules: [{ ...rule, id: 'has space' }] }), 'JANITOR_POLICY.rules[0].id'],
    [policy({ rules: [{ ...rule, ttl: '1h' }] }), 'JANITOR_POLICY.rules[0]'],
    [withAge('72 hours'), 'JANITOR_POLICY.rules[0].maxAge'],
    [withAge('0h'), 'JANITOR_POLICY.rules[0].maxAge'],
    [withAge('-1h'), 'JANITOR_POLICY.rules[0].maxAge'],
    [withAge('1y'), 'JANITOR_POLICY.rules[0].maxAge'],
    [withAge(''), 'JANITOR_POLICY.rules[0].maxAge'],
    [withAge(72), 'JANITOR_POLICY.rules[0].maxAge'],
    [withAge('99999999999999d'), 'JANITOR_POLICY.rules[0].maxAge'],
    [withMatch({ nam: 'pr-*' }), 'JANITOR_POLICY.rules[0].match'],
    [withMatch({ name: '' }), 'JANITOR_POLICY.rules[0].match.name'],
    [withMatch({ status: ['READY'] }), 'JANITOR_POLICY.rules[0].match.status[0]'],
    [withMatch({ status: [] }), 'JANITOR_POLICY.rules[0].match.status'],
    [withMatch({ zones: 'US-EAST-04A' }), 'JANITOR_POLICY.rules[0].match.zones'],
    [withMatch({ nameRegex: '([a-z' }), 'JANITOR_POLICY.rules[0].match.nameRegex'],
    [withMatch({ nameRegex: '(a+)+$' }), 'JANITOR_POLICY.rules[0].match.nameRegex'],
    [withMatch({ nameRegex: '((a+))+$' }), 'JANITOR_POLICY.rules[0].match.nameRegex'],
    [withMatch({ nameRegex: '(?:(pr-\\w+))*$' }), 'JANITOR_POLICY.rules[0].match.nameRegex'],
    [withMatch({ nameRegex: '^(\\w+){20}$' }), 'JANITOR_POLICY.rules[0].match.nameRegex'],
    [withMatch({ nameRegex: '(a|aa)*b' }), 'JANITOR_POLICY.rules[0].match.nameRegex'],
    [withMatch({ nameRegex: '(pr)-\\1' }), 'JANITOR_POLICY.rules[0].match.nameRegex'],
  ];

  it.each(POLICIES)('sweep rejects %s naming %s before any call', async (text, field) => {
    const run = await world.sweep({ env: { JANITOR_POLICY: text } })({});
    expect(run.ok ? 'completed' : run.error).toMatchObject({ code: 'POLICY_INVALID', field });
    expectNoCalls(world);
  });

  it.each(POLICIES.slice(0, 6))(
    'teardown rejects %s naming %s; the batch comes back whole',
    async (text, field) => {
      const run = await world.teardown({ env: { JANITOR_POLICY: text } })(
        sqsEvent({ gatewayId: ID }),
      );
      expect(run.ok ? 'returned' : run.error).toMatchObject({ code: 'POLICY_INVALID', field });
      expectNoCalls(world);
    },
  );
});

describe('handlers: invalid environment', () => {
  const world = useFaultWorld();

  // [variable overrides, the variable the error names]; canaries as values must not echo.
  const ENVIRONMENTS: Array<[Record<string, string>, string]> = [
    [{ DRY_RUN: 'yes' }, 'DRY_RUN'],
    [{ DRY_RUN: 'FALSE' }, 'DRY_RUN'],
    [{ DRY_RUN: CANARY_TOKEN }, 'DRY_RUN'],
    [{ DELETE_CONCURRENCY: '0' }, 'DELETE_CONCURRENCY'],
    [{ DELETE_CONCURRENCY: '-1' }, 'DELETE_CONCURRENCY'],
    [{ DELETE_CONCURRENCY: '1.5' }, 'DELETE_CONCURRENCY'],
    [{ DELETE_CONCURRENCY: '1e3' }, 'DELETE_CONCURRENCY'],
    [{ DELETE_CONCURRENCY: CANARY_API_KEY }, 'DELETE_CONCURRENCY'],
    [{ COREWEAVE_API_URL: 'ftp://api.coreweave.com' }, 'COREWEAVE_API_URL'],
    [{ COREWEAVE_API_URL: 'api.coreweave.com' }, 'COREWEAVE_API_URL'],
    [{ COREWEAVE_API_URL: CANARY_TOKEN }, 'COREWEAVE_API_URL'],
    [{ COREWEAVE_API_URL: 'http://api.coreweave.com' }, 'COREWEAVE_API_URL'],
    [{ COREWEAVE_API_URL: 'http://127.0.0.1.example.com:8080' }, 'COREWEAVE_API_URL'],
    [{ COREWEAVE_HTTP_TIMEOUT_MS: '10' }, 'COREWEAVE_HTTP_TIMEOUT_MS'],
    [{ COREWEAVE_HTTP_TIMEOUT_MS: '10s' }, 'COREWEAVE_HTTP_TIMEOUT_MS'],
    [{ COREWEAVE_TOKEN_SECRET_ID: '' }, 'COREWEAVE_TOKEN_SECRET_ID'],
    [{ JANITOR_POLICY: '' }, 'JANITOR_POLICY'],
    [{ TEARDOWN_QUEUE_URL: 'teardown' }, 'TEARDOWN_QUEUE_URL'],
  ];
  // What only the teardown needs (docs/configuration.md): the sweep runs without the queue
  // and never reads the dead-letter queue's variable.
  const TEARDOWN_ONLY: Array<[Record<string, string>, string]> = [
    [{ TEARDOWN_QUEUE_URL: '' }, 'TEARDOWN_QUEUE_URL'],
    [{ TEARDOWN_DLQ_URL: 'teardown-dlq' }, 'TEARDOWN_DLQ_URL'],
  ];

  it.each(ENVIRONMENTS)('sweep rejects %j naming %s before any call', async (env, field) => {
    const run = await world.sweep({ env })({});
    expect(run.ok ? 'completed' : run.error).toMatchObject({ code: 'CONFIG_INVALID', field });
    expectNoCalls(world);
  });

  it.each([...ENVIRONMENTS, ...TEARDOWN_ONLY])(
    'teardown rejects %j naming %s; the batch comes back whole',
    async (env, field) => {
      const run = await world.teardown({ env })(sqsEvent({ gatewayId: ID }));
      expect(run.ok ? 'returned' : run.error).toMatchObject({ code: 'CONFIG_INVALID', field });
      expectNoCalls(world);
    },
  );
});
