import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { seedFleet } from '#simulator/fleet';
import { type Simulator, startSimulator, type WireGateway } from '#simulator/server';
import {
  type SecretsManagerDouble,
  startSecretsManagerDouble,
} from '#test/fakes/secrets-manager-double';
import { SCHEDULED_EVENT } from '#test/fixtures/scheduled-event';
import { JANITOR_ROLE_ID } from '#test/fixtures/sqs-event';
import { startLocalSqs } from '#test/support/local-sqs';
import { type BundleRun, runBundle } from '#test/support/run-bundle';
import { unzipArtifact } from '#test/support/unzip-artifact';
import { buildAll } from '../../infra/build.ts';

// The artifact, not the TypeScript, is what Lambda runs: build the zips, unpack them as
// the runtime would, and invoke each handler in a fresh Node 24 process against the
// loopback CoreWeave simulator and the Secrets Manager double.

const SECRET_ID = 'coreweave/api-token';
const POLICY = {
  rules: [{ id: 'pr-previews', match: { name: 'pr-*' }, maxAge: '72h' }],
  protect: { ids: [], names: ['prod-*'] },
  limits: { maxDeletesPerRun: 40, maxDeletePercent: 100 },
};

function sqsEvent(bodies: Array<{ messageId: string; body: string }>) {
  return {
    Records: bodies.map(({ messageId, body }) => ({
      messageId,
      receiptHandle: `AQEB-${messageId}`,
      body,
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: '1795700000000',
        SenderId: 'AIDAEXAMPLE',
        ApproximateFirstReceiveTimestamp: '1795700000001',
      },
      messageAttributes: {},
      md5OfBody: 'd41d8cd98f00b204e9800998ecf8427e',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:gateway-janitor-prod-teardown',
      awsRegion: 'us-east-1',
    })),
  };
}

function auditRecords(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { audit?: Record<string, unknown> })
    .flatMap((line) => (line.audit ? [line.audit] : []));
}

function byName(fleet: WireGateway[], name: string): WireGateway {
  const gateway = fleet.find((candidate) => candidate.spec.name === name);
  if (!gateway) throw new Error(`the seeded fleet has no ${name}`);
  return gateway;
}

/** The files a module loads before it runs: itself and its static imports, transitively. */
async function staticImportClosure(dir: string, entry: string): Promise<string[]> {
  const seen = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const code = await readFile(join(dir, file), 'utf8');
    for (const match of code.matchAll(/(?:\bfrom|\bimport)\s*["'](\.\.?\/[^"']+)["']/g)) {
      pending.push(posix.normalize(posix.join(posix.dirname(file), match[1] as string)));
    }
  }
  return [...seen];
}

/** The code of every file a built handler loads at init, as one text. */
async function codeLoadedAtInit(dir: string): Promise<string> {
  const files = await staticImportClosure(dir, 'index.mjs');
  return (await Promise.all(files.map((file) => readFile(join(dir, file), 'utf8')))).join('\n');
}

describe('built Lambda bundles', () => {
  let outDir: string;
  let sweepBundle: string;
  let teardownBundle: string;
  let simulator: Simulator;
  let secrets: SecretsManagerDouble;
  let fleet: WireGateway[];

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'janitor-dist-'));
    const built = await buildAll({ outDir });
    expect(built.map((size) => size.name)).toEqual(['sweep', 'teardown']);
    for (const { name } of built) {
      const names = await unzipArtifact(join(outDir, `${name}.zip`), join(outDir, `${name}-zip`));
      expect(names).toEqual(expect.arrayContaining(['index.mjs', 'index.mjs.map']));
      const chunks = names.filter((entry) => !/^index\.mjs/.test(entry));
      expect(chunks.every((entry) => /^chunks\/[\w-]+\.mjs(\.map)?$/.test(entry))).toBe(true);
    }
    sweepBundle = join(outDir, 'sweep-zip', 'index.mjs');
    teardownBundle = join(outDir, 'teardown-zip', 'index.mjs');
  }, 60_000);

  afterAll(async () => {
    await rm(outDir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    fleet = seedFleet({ now: new Date() });
    simulator = await startSimulator({ gateways: fleet, deleteDelayMs: 50 });
    secrets = await startSecretsManagerDouble({ secrets: { [SECRET_ID]: simulator.token } });
  });

  afterEach(async () => {
    await simulator.close();
    await secrets.close();
  });

  function lambdaEnv(overrides: Record<string, string> = {}): Record<string, string> {
    return {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
      // Any SQS call would fail fast here: the sweeps must not need one.
      AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:9',
      COREWEAVE_API_URL: simulator.url,
      COREWEAVE_TOKEN_SECRET_ID: SECRET_ID,
      JANITOR_POLICY: JSON.stringify(POLICY),
      DRY_RUN: 'false',
      TEARDOWN_QUEUE_URL: 'http://127.0.0.1:9/123456789012/gateway-janitor-test-teardown',
      JANITOR_ROLE_IDS: JANITOR_ROLE_ID,
      POWERTOOLS_SERVICE_NAME: 'gateway-janitor',
      NODE_OPTIONS: '--max-semi-space-size=4',
      ...overrides,
    };
  }

  it.each(['sweep', 'teardown'])(
    '%s loads none of the SDK credential providers Lambda does not use at init',
    async (name) => {
      const dir = join(outDir, `${name}-zip`);

      const loadedAtInit = await staticImportClosure(dir, 'index.mjs');

      expect(loadedAtInit).toContain('index.mjs');
      for (const file of loadedAtInit) {
        const code = await readFile(join(dir, file), 'utf8');
        // Markers of the web-identity and SSO providers; Lambda's credentials come from
        // the environment, so these are loaded only if that chain falls through.
        expect(code, file).not.toContain('AWS_WEB_IDENTITY_TOKEN_FILE');
        expect(code, file).not.toContain('sso_start_url');
      }
    },
  );

  it.each(['sweep', 'teardown'])(
    '%s validates with zod/mini: zod classic is not loaded at init',
    async (name) => {
      const dir = join(outDir, `${name}-zip`);

      const code = await codeLoadedAtInit(dir);
      // zod names each schema class in its constructor: classic's are `ZodString`, mini's
      // `ZodMiniString`. Classic costs about six times mini's import CPU (docs/benchmarks.md).
      expect({
        mini: code.includes('"ZodMiniString"'),
        classic: code.includes('"ZodString"'),
      }).toEqual({ mini: true, classic: false });
    },
  );

  it.each([
    ['sweep', 'to send a confirmation'],
    ['teardown', 'with its first batch'],
  ])('%s loads the SQS client only %s, not at init', async (name) => {
    const dir = join(outDir, `${name}-zip`);

    const code = await codeLoadedAtInit(dir);
    // The SQS client's model names its service namespace; most sweeps delete nothing, and
    // the teardown's init stays as short (docs/benchmarks.md, "Import cost").
    expect(code.includes('com.amazonaws.sqs')).toBe(false);
  });

  it.each(['sweep', 'teardown'])(
    '%s loads the SNS client only to publish a run notice, not at init',
    async (name) => {
      const dir = join(outDir, `${name}-zip`);

      const shipped = await readdir(join(dir, 'chunks'));

      const atInit = await codeLoadedAtInit(dir);
      const inZip = (
        await Promise.all(shipped.map((file) => readFile(join(dir, 'chunks', file), 'utf8')))
      ).join('\n');
      // Run notices are off by default (NOTIFY=off): the client is shipped, never loaded.
      expect({
        shipped: inZip.includes('com.amazonaws.sns'),
        atInit: atInit.includes('com.amazonaws.sns'),
      }).toEqual({ shipped: true, atInit: false });
    },
  );

  function expectNoTokenIn(run: BundleRun) {
    expect(run.stdout).not.toContain(simulator.token);
    expect(run.stderr).not.toContain(simulator.token);
  }

  it('sweep deletes the expired gateways on a scheduled event and audits each', async () => {
    const run = await runBundle(sweepBundle, SCHEDULED_EVENT, lambdaEnv());

    expect(run.outcome).toMatchObject({
      ok: true,
      result: { trigger: 'schedule', dryRun: false, status: 'completed' },
    });
    const deleted = simulator.deletes();
    const names = deleted.map((id) => fleet.find((g) => g.spec.id === id)?.spec.name);
    expect(deleted.length).toBeGreaterThan(0);
    expect(names).toContain('pr-1301-batching');
    expect(names).not.toContain('pr-1423-tokenizer-fix');
    expect(names.every((name) => name?.startsWith('pr-'))).toBe(true);
    const audits = auditRecords(run.stdout);
    const deletedAudits = audits.filter((record) => record.event === 'gateway.deleted');
    expect(deletedAudits.map((record) => record.gatewayId).sort()).toEqual([...deleted].sort());
    expect(deletedAudits[0]).toMatchObject({
      schemaVersion: 1,
      trigger: 'schedule',
      dryRun: false,
    });
    expect(audits.some((record) => record.event === 'run.summary')).toBe(true);
    expect(secrets.calls).toEqual([{ secretId: SECRET_ID }]);
    expectNoTokenIn(run);
  });

  it('sweep deletes nothing while DRY_RUN is not false', async () => {
    const run = await runBundle(sweepBundle, SCHEDULED_EVENT, lambdaEnv({ DRY_RUN: 'true' }));

    expect(run.outcome).toMatchObject({ ok: true, result: { dryRun: true } });
    expect(simulator.deletes()).toEqual([]);
    expect(auditRecords(run.stdout).some((r) => r.event === 'gateway.would_delete')).toBe(true);
  });

  it('teardown deletes the gateway an SQS message names', async () => {
    const target = byName(fleet, 'loadtest-llama-70b');
    const sqs = await startLocalSqs();
    const event = await sqs.deliver(
      sqsEvent([
        {
          messageId: '059f36b4-87a3-44ab-83d2-661975830a7d',
          body: JSON.stringify({ gatewayId: target.spec.id, requestedBy: 'ci/pr-1500' }),
        },
      ]),
    );

    const run = await runBundle(
      teardownBundle,
      event,
      lambdaEnv({ AWS_ENDPOINT_URL_SQS: sqs.endpoint, TEARDOWN_QUEUE_URL: sqs.queueUrl }),
    ).finally(() => sqs.close());

    expect(run.outcome).toEqual({ ok: true, result: { batchItemFailures: [] } });
    expect(simulator.deletes()).toEqual([target.spec.id]);
    expect(auditRecords(run.stdout)).toContainEqual(
      expect.objectContaining({
        event: 'gateway.deleted',
        gatewayId: target.spec.id,
        trigger: 'sqs',
        sqsMessageId: '059f36b4-87a3-44ab-83d2-661975830a7d',
        requestedBy: 'ci/pr-1500',
      }),
    );
    expectNoTokenIn(run);
  });
});
