import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoDbRegistry } from '#adapters/aws/dynamodb-registry';
import type { RegistryError } from '#core/errors';
import { type LocalDynamoDb, localClient, startLocalDynamoDb } from '#test/support/local-dynamodb';

const NOW = Date.parse('2026-06-01T12:00:00.000Z');
const ID = '0b7e6a0c-1f2d-4c3b-9a8e-5d6c7b8a9f01';

async function failure(promise: Promise<unknown>): Promise<RegistryError> {
  try {
    await promise;
  } catch (error) {
    return error as RegistryError;
  }
  throw new Error('expected a rejection');
}

describe('createDynamoDbRegistry', () => {
  let db: LocalDynamoDb;
  beforeAll(async () => {
    db = await startLocalDynamoDb();
    await db.createTable('registry');
  });
  afterAll(() => db.close());

  it('answers REGISTRY_UNAVAILABLE naming the table when the table does not exist', async () => {
    const registry = createDynamoDbRegistry({
      tableName: 'missing',
      client: localClient(db.endpoint),
    });
    const error = await failure(registry.snapshot());
    expect(error.code).toBe('REGISTRY_UNAVAILABLE');
    expect(error.message).toBe('registry missing: Scan failed: table not found');
  });

  it('retries a throttled call as the SDK does, then answers REGISTRY_UNAVAILABLE', async () => {
    const registry = createDynamoDbRegistry({
      tableName: 'registry',
      client: localClient(db.endpoint, 2),
    });
    db.throttle(['GetItem']);
    const before = db.calls().length;
    const error = await failure(registry.readControl());
    db.throttle(undefined);
    expect(error.message).toBe('registry registry: GetItem failed: throttled');
    expect(db.calls().slice(before)).toEqual(['GetItem', 'GetItem']);
  });

  it("stops a call at the invocation's remaining time", async () => {
    const registry = createDynamoDbRegistry({
      tableName: 'registry',
      client: localClient(db.endpoint),
      time: { signal: () => AbortSignal.abort() },
    });
    const error = await failure(
      registry.setLease(
        { gatewayId: ID, expiresAt: NOW + 60_000, owner: 'x', identity: { name: 'n' } },
        NOW,
      ),
    );
    expect(error.code).toBe('REGISTRY_UNAVAILABLE');
    expect(error.message).toContain("did not answer within the invocation's remaining time");
  });

  it('makes its client on the first call, not when constructed', async () => {
    let made = 0;
    const registry = createDynamoDbRegistry({
      tableName: 'registry',
      client: async () => {
        made += 1;
        return localClient(db.endpoint);
      },
    });
    const madeBefore = made;
    await registry.readControl();
    await registry.snapshot();
    expect([madeBefore, made]).toEqual([0, 1]);
  });

  it('reports the read units a snapshot consumed', async () => {
    const registry = createDynamoDbRegistry({
      tableName: 'registry',
      client: localClient(db.endpoint),
    });
    await registry.keep(
      { gatewayId: ID, until: Date.now() + 60_000, reason: 'r', setBy: 'me' },
      Date.now(),
    );
    const { stats } = await registry.snapshot();
    expect(stats).toMatchObject({ items: 1, pages: 1 });
    expect(stats.readUnits).toBeGreaterThan(0);
  });
});
