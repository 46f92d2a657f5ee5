import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { RegistryError } from '#core/errors';
import { createRegistry } from '#core/registry/create-registry';
import type {
  Expect,
  ItemKey,
  ReadStats,
  Registry,
  RegistryCaps,
  RegistryStore,
  StoredItem,
} from '#core/registry-port';
import type { InvocationTime } from './lambda-deadline.ts';
import { lazyClient } from './lazy-client.ts';

/** Where the registry lives and how calls are bounded. */
export interface DynamoDbRegistryOptions {
  tableName: string;
  /** default: one made on the first call (endpoint from AWS_ENDPOINT_URL_DYNAMODB, if set) */
  client?: Pick<DynamoDBClient, 'send'> | (() => Promise<Pick<DynamoDBClient, 'send'>>);
  /** bounds each call by the invocation's remaining time */
  time?: Pick<InvocationTime, 'signal'>;
}

// 1 MB pages: 1,000 pages is a 1 GB registry, far past any fleet; a bound keeps the loop finite.
const MAX_PAGES = 1_000;
const THROTTLED = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
]);

type DocumentSender = Pick<DynamoDBDocumentClient, 'send'>;
type LibDynamoDb = typeof import('@aws-sdk/lib-dynamodb');
// Each command's output type follows its input; the adapter reads a few fields of each.
// biome-ignore lint/suspicious/noExplicitAny: see above
type MakeCommand = (lib: LibDynamoDb) => any;

/**
 * The registry's store on DynamoDB (docs/contract.md "The registry"; infra/registry.yml).
 * The SDK is imported on the first call, so a function that never reads the registry at
 * init does not pay for it (docs/benchmarks.md). Conditional writes only: no transactions.
 */
export class DynamoDbRegistryStore implements RegistryStore {
  readonly #options: DynamoDbRegistryOptions;
  readonly #client = lazyClient(async () => {
    const lib = await import('@aws-sdk/lib-dynamodb');
    const given = this.#options.client;
    const base =
      typeof given === 'function'
        ? await given()
        : (given ?? new (await import('@aws-sdk/client-dynamodb')).DynamoDBClient({}));
    const doc: DocumentSender = lib.DynamoDBDocumentClient.from(base as DynamoDBClient, {
      marshallOptions: { removeUndefinedValues: true },
    });
    return { lib, doc };
  });

  constructor(options: DynamoDbRegistryOptions) {
    this.#options = options;
  }

  async scan() {
    const items: StoredItem[] = [];
    const stats: ReadStats = { items: 0, pages: 0, readUnits: 0 };
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.#call(
        'Scan',
        ({ ScanCommand }) =>
          new ScanCommand({
            TableName: this.#options.tableName,
            ConsistentRead: true,
            ReturnConsumedCapacity: 'TOTAL',
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
      );
      items.push(...((page.Items ?? []) as StoredItem[]));
      stats.pages += 1;
      stats.readUnits += page.ConsumedCapacity?.CapacityUnits ?? 0;
      start = page.LastEvaluatedKey;
      if (start && stats.pages >= MAX_PAGES) {
        throw new RegistryError(
          'REGISTRY_UNAVAILABLE',
          `registry ${this.#options.tableName}: more than ${MAX_PAGES} pages`,
        );
      }
    } while (start);
    stats.items = items.length;
    return { items, stats };
  }

  async query(pk: string) {
    const items: StoredItem[] = [];
    let start: Record<string, unknown> | undefined;
    let pages = 0;
    do {
      const page = await this.#call(
        'Query',
        ({ QueryCommand }) =>
          new QueryCommand({
            TableName: this.#options.tableName,
            ConsistentRead: true,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': pk },
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
      );
      items.push(...((page.Items ?? []) as StoredItem[]));
      start = page.LastEvaluatedKey;
      pages += 1;
    } while (start && pages < MAX_PAGES);
    return items;
  }

  async get(key: ItemKey) {
    const out = await this.#call(
      'GetItem',
      ({ GetCommand }) =>
        new GetCommand({ TableName: this.#options.tableName, Key: key, ConsistentRead: true }),
    );
    return out.Item as StoredItem | undefined;
  }

  put(item: StoredItem, expect: Expect) {
    return this.#conditional(
      'PutItem',
      ({ PutCommand }) =>
        new PutCommand({ TableName: this.#options.tableName, Item: item, ...condition(expect) }),
    );
  }

  delete(key: ItemKey, expect: Expect | 'present') {
    if (expect === 'absent') return Promise.resolve(false);
    return this.#conditional(
      'DeleteItem',
      ({ DeleteCommand }) =>
        new DeleteCommand({ TableName: this.#options.tableName, Key: key, ...condition(expect) }),
    );
  }

  claimSlot(
    key: ItemKey,
    values: { usedAt: string; by: string; purgeAt: number },
    freeBefore: string,
  ) {
    return this.#conditional(
      'UpdateItem',
      ({ UpdateCommand }) =>
        new UpdateCommand({
          TableName: this.#options.tableName,
          Key: key,
          UpdateExpression: 'SET usedAt = :usedAt, #by = :by, purgeAt = :purgeAt',
          ConditionExpression: 'attribute_not_exists(usedAt) OR usedAt < :freeBefore',
          ExpressionAttributeNames: { '#by': 'by' },
          ExpressionAttributeValues: {
            ':usedAt': values.usedAt,
            ':by': values.by,
            ':purgeAt': values.purgeAt,
            ':freeBefore': freeBefore,
          },
        }),
    );
  }

  async #conditional(operation: string, command: MakeCommand): Promise<boolean> {
    try {
      await this.#call(operation, command);
      return true;
    } catch (error) {
      if (
        error instanceof RegistryError &&
        causeName(error) === 'ConditionalCheckFailedException'
      ) {
        return false;
      }
      throw error;
    }
  }

  // biome-ignore lint/suspicious/noExplicitAny: see MakeCommand
  async #call(operation: string, command: MakeCommand): Promise<any> {
    const abortSignal = this.#options.time?.signal();
    try {
      const { lib, doc } = await this.#client();
      return await doc.send(command(lib), abortSignal ? { abortSignal } : {});
    } catch (error) {
      throw describe(error, operation, this.#options.tableName, abortSignal?.aborted === true);
    }
  }
}

function condition(expect: Expect | 'present') {
  if (expect === 'absent') return { ConditionExpression: 'attribute_not_exists(pk)' };
  if (expect === 'present') return { ConditionExpression: 'attribute_exists(pk)' };
  return {
    ConditionExpression: '#version = :version',
    ExpressionAttributeNames: { '#version': 'version' },
    ExpressionAttributeValues: { ':version': expect.version },
  };
}

const causeName = (error: RegistryError) =>
  error.cause instanceof Error ? error.cause.name : undefined;

/** A coded error naming the table and operation; DynamoDB's messages carry no secrets. */
function describe(error: unknown, operation: string, table: string, aborted: boolean) {
  const name = error instanceof Error ? error.name : 'Error';
  const why = aborted
    ? "did not answer within the invocation's remaining time"
    : name === 'ResourceNotFoundException'
      ? 'table not found'
      : THROTTLED.has(name)
        ? 'throttled'
        : name === 'ConditionalCheckFailedException'
          ? 'condition failed'
          : name;
  return new RegistryError(
    'REGISTRY_UNAVAILABLE',
    `registry ${table}: ${operation} failed: ${why}`,
    {
      cause: error,
    },
  );
}

/** The registry on a DynamoDB table. */
export function createDynamoDbRegistry(
  options: DynamoDbRegistryOptions,
  caps?: RegistryCaps,
): Registry {
  return createRegistry(new DynamoDbRegistryStore(options), caps);
}
