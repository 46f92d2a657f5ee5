import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';

/** The registry table's key schema, as infra/registry.yml declares it. */
export const REGISTRY_KEY_SCHEMA: Pick<
  CreateTableCommandInput,
  'KeySchema' | 'AttributeDefinitions' | 'BillingMode'
> = {
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'S' },
  ],
  BillingMode: 'PAY_PER_REQUEST',
};

/** A real DynamoDB API (dynalite, in process) on 127.0.0.1. */
export interface LocalDynamoDb {
  endpoint: string;
  client: DynamoDBClient;
  /** Creates a registry table and waits until it is active. */
  createTable(name: string): Promise<void>;
  /** From now on, calls whose X-Amz-Target ends with one of `operations` are throttled. */
  throttle(operations: string[] | undefined): void;
  /** Every operation served, in order (e.g. `PutItem`). */
  calls(): string[];
  close(): Promise<void>;
}

/** A client for the local endpoint; `maxAttempts` 2 keeps the SDK's throttle retries short. */
export function localClient(endpoint: string, maxAttempts = 2): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    maxAttempts,
    credentials: { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-test-secret' },
  });
}

/** Starts dynalite on loopback only, with a switch that throttles chosen operations. */
export async function startLocalDynamoDb(): Promise<LocalDynamoDb> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const [serve] = server.listeners('request') as RequestListener[];
  if (!serve) throw new Error('dynalite: no request listener');
  server.removeAllListeners('request');
  let throttled = new Set<string>();
  const served: string[] = [];
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    served.push(operation);
    if (!throttled.has(operation)) return serve(request, response);
    request.resume();
    response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
    response.end(
      JSON.stringify({
        __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
        message: 'The level of configured provisioned throughput for the table was exceeded.',
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = localClient(endpoint);
  return {
    endpoint,
    client,
    async createTable(name) {
      await client.send(new CreateTableCommand({ TableName: name, ...REGISTRY_KEY_SCHEMA }));
      for (let i = 0; i < 50; i += 1) {
        const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
        if (Table?.TableStatus === 'ACTIVE') return;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error(`table ${name} did not become active`);
    },
    throttle(operations) {
      throttled = new Set(operations ?? []);
    },
    calls: () => [...served],
    async close() {
      client.destroy();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
