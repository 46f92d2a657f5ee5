import { randomUUID } from 'node:crypto';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbRegistryStore } from '#adapters/aws/dynamodb-registry';
import { MemoryRegistryStore } from '#adapters/memory-registry';
import { createRegistry } from '#core/registry/create-registry';
import type { Registry, RegistryCaps, RegistryStore, StoredItem } from '#core/registry-port';
import { type LocalDynamoDb, localClient, startLocalDynamoDb } from './local-dynamodb.ts';

/** One registry under test, with the means to seed it and to make it unreachable. */
export interface RegistryUnderTest {
  registry: Registry;
  store: RegistryStore;
  /** Writes items as they are, without conditions. */
  seed(items: StoredItem[]): Promise<void>;
  /** Every call fails from now on (a throttled table, or an unreachable one). */
  breakIt(): void;
}

/** An implementation the contract suite runs against. */
export interface RegistrySubject {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  make(caps?: RegistryCaps): Promise<RegistryUnderTest>;
}

/** The in-memory registry. */
export const memorySubject: RegistrySubject = {
  name: 'memory',
  start: async () => {},
  stop: async () => {},
  async make(caps) {
    const store = new MemoryRegistryStore();
    return {
      registry: createRegistry(store, caps),
      store,
      seed: async (items) => {
        for (const item of items) store.inject(item);
      },
      breakIt: () => {
        store.unavailable = true;
      },
    };
  },
};

/** The DynamoDB registry on dynalite, one fresh table per registry. */
export function dynamoDbSubject(): RegistrySubject & { local(): LocalDynamoDb } {
  let local: LocalDynamoDb | undefined;
  const running = () => {
    if (!local) throw new Error('dynalite not started');
    return local;
  };
  return {
    name: 'dynamodb (dynalite)',
    local: running,
    async start() {
      local = await startLocalDynamoDb();
    },
    async stop() {
      await local?.close();
    },
    async make(caps) {
      const db = running();
      db.throttle(undefined);
      const tableName = `registry-${randomUUID()}`;
      await db.createTable(tableName);
      const store = new DynamoDbRegistryStore({ tableName, client: localClient(db.endpoint, 1) });
      const doc = DynamoDBDocumentClient.from(db.client);
      return {
        registry: createRegistry(store, caps),
        store,
        async seed(items) {
          const batches: StoredItem[][] = [];
          for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
          for (let i = 0; i < batches.length; i += 8) {
            await Promise.all(
              batches.slice(i, i + 8).map((batch) =>
                doc.send(
                  new BatchWriteCommand({
                    RequestItems: { [tableName]: batch.map((Item) => ({ PutRequest: { Item } })) },
                  }),
                ),
              ),
            );
          }
        },
        breakIt: () =>
          db.throttle(['Scan', 'Query', 'GetItem', 'PutItem', 'DeleteItem', 'UpdateItem']),
      };
    },
  };
}

/** What a promise rejects with; a promise that fulfils fails the test. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}
