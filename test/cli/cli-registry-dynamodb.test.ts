import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbRegistry } from '#adapters/aws/dynamodb-registry';
import type { Registry } from '#core/registry-port';
import { seedFleet } from '#simulator/fleet';
import { type Simulator, startSimulator } from '#simulator/server';
import { CANARY_TOKEN, leakedCanaries } from '#test/support/canaries';
import { type LocalDynamoDb, localClient, startLocalDynamoDb } from '#test/support/local-dynamodb';
import { operatorEnv } from './canary-fleet.ts';
import { auditRecords, type CliRun, spawnCli } from './spawn-cli.ts';

const TABLE = 'janitor-registry-cli';
const TWIN = '5eed0000-0000-4000-8000-000000000002';

// The real CLI process against a real DynamoDB API (dynalite, in process, loopback): the
// AWS SDK's own configuration from the environment, as an operator's shell would have it.
describe('gateway-janitor registry commands on a DynamoDB table', () => {
  let db: LocalDynamoDb;
  let simulator: Simulator;
  let registry: Registry;
  const runs: CliRun[] = [];
  const env = (table = TABLE) => ({
    ...operatorEnv(simulator),
    JANITOR_REGISTRY_TABLE: table,
    AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST',
    AWS_SECRET_ACCESS_KEY: 'local-test-secret',
    AWS_MAX_ATTEMPTS: '1',
    // Who makes a change is the AWS caller when STS answers; nothing listens here, so the
    // CLI falls back to the OS user without leaving the machine.
    AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:9',
  });
  const cli = async (args: string[], given = env()) => {
    const run = await spawnCli(args, { env: given });
    runs.push(run);
    return run;
  };
  const writes = () =>
    db.calls().filter((call) => ['PutItem', 'DeleteItem', 'UpdateItem'].includes(call));

  beforeAll(async () => {
    db = await startLocalDynamoDb();
    await db.createTable(TABLE);
    registry = createDynamoDbRegistry({ tableName: TABLE, client: localClient(db.endpoint) });
    // Two gateways named alike, so a name can be ambiguous.
    const fleet = seedFleet({ now: new Date(), size: 12 });
    const first = fleet[0];
    if (!first) throw new Error('empty fleet');
    const twin = { ...first, spec: { ...first.spec, id: TWIN } };
    simulator = await startSimulator({ token: CANARY_TOKEN, gateways: [...fleet, twin] });
  });
  afterAll(async () => {
    for (const run of runs) expect(leakedCanaries(run.stdout + run.stderr)).toEqual([]);
    await simulator.close();
    await db.close();
  });

  it('sets, extends, keeps and lists through the table, each change one audit record', async () => {
    // Prepare
    const target = seedFleet({ now: new Date(), size: 12 })[3]?.spec;
    const name = target?.name ?? '';
    // Act
    const set = await cli(['lease', 'set', name, '--ttl', '2d', '--owner', 'team-x', '--json']);
    const extend = await cli(['lease', 'extend', name, '--by', '12h', '--json']);
    const keep = await cli(['keep', name, '--for', '1d', '--reason', 'demo', '--json']);
    const list = await cli(['lease', 'list', '--format', 'csv']);
    // Assess
    for (const run of [set, extend, keep, list]) expect(run.code, run.stderr).toBe(0);
    expect(auditRecords(set.stdout + extend.stdout + keep.stdout).map((r) => r.event)).toEqual([
      'lease.set',
      'lease.extended',
      'gateway.exempted',
    ]);
    const snap = await registry.snapshot();
    const lease = snap.leases.get(target?.id ?? '');
    expect(lease).toMatchObject({ owner: 'team-x', version: 2, identity: { name } });
    expect(snap.exemptions.get(target?.id ?? '')?.setBy).toMatch(/^cli:/);
    expect(list.stdout.split('\n')[1]).toMatch(new RegExp(`^${target?.id},${name},team-x,`));
  });

  it('pauses, shows it in status with the table named, and resumes', async () => {
    const pause = await cli([
      'pause',
      '--until',
      new Date(Date.now() + 3_600_000).toISOString(),
      '--reason',
      'incident 7',
    ]);
    const status = await cli(['status']);
    const resume = await cli(['resume', '--reason', 'fixed']);
    expect([pause.code, status.code, resume.code]).toEqual([0, 0, 0]);
    expect(status.stdout).toContain(`registry: ${TABLE}`);
    expect(status.stdout).toMatch(/pause: +PAUSED until .*: incident 7/);
    expect((await registry.readControl()).control).toMatchObject({
      paused: false,
      reason: 'fixed',
    });
  });

  it('lists the candidates of an ambiguous name with exit 2, writing nothing', async () => {
    const name = seedFleet({ now: new Date(), size: 12 })[0]?.spec.name ?? '';
    const before = writes().length;
    const run = await cli(['lease', 'set', name, '--ttl', '1d', '--owner', 'x']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`"${name}" matches 2 gateways`);
    expect(run.stderr).toContain(TWIN);
    expect(writes().length).toBe(before);
  });

  it('exits 1 naming the table when it is throttled, writing nothing', async () => {
    db.throttle(['GetItem', 'PutItem', 'Query', 'Scan']);
    try {
      const run = await cli(['pause', '--reason', 'x']);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`registry ${TABLE}: GetItem failed: throttled`);
    } finally {
      db.throttle(undefined);
    }
    expect((await registry.readControl()).control?.paused).toBe(false);
  });

  it('exits 1 when the table does not exist, and status says the registry cannot be read', async () => {
    const run = await cli(['keep', TWIN, '--for', '1h', '--reason', 'x'], env('no-such-table'));
    const status = await cli(['status'], env('no-such-table'));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('registry no-such-table: GetItem failed: table not found');
    expect(run.stderr).toContain('nothing was changed');
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/pause: +UNREADABLE: counts as paused/);
  });
});
