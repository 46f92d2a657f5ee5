import type { Registry, RegistryCaps } from '#core/registry-port';

/**
 * Opens the registry: the one a caller shares (the demo's), the in-memory one with an embedded simulator (`--simulate`,
 * `npm start`), the DynamoDB table of `--registry-table` / JANITOR_REGISTRY_TABLE, or none.
 * The AWS SDK loads only when a table is named.
 */
export async function openRegistry(
  table: string | undefined,
  caps: RegistryCaps,
  embedded: boolean,
  given?: Registry,
): Promise<{ registry: Registry | undefined; registryName: string }> {
  if (given) return { registry: given, registryName: 'in memory (given)' };
  if (embedded) {
    const { createMemoryRegistry } = await import('#adapters/memory-registry');
    return { registry: createMemoryRegistry(caps).registry, registryName: 'in memory (embedded)' };
  }
  if (!table) return { registry: undefined, registryName: 'off' };
  const { createDynamoDbRegistry } = await import('#adapters/aws/dynamodb-registry');
  return { registry: createDynamoDbRegistry({ tableName: table }, caps), registryName: table };
}
