import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { lintTemplate } from '#test/support/lint-template';
import { REGISTRY_KEY_SCHEMA } from '#test/support/local-dynamodb';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are free-form JSON, which the assertions below check
type Template = { Resources: Record<string, { Properties: Record<string, any> }> };

const load = async (): Promise<Template> => {
  const text = await readFile(new URL('../../infra/registry.yml', import.meta.url), 'utf8');
  return parse(text.replaceAll(`\${self:service}`, 'gateway-janitor')) as Template;
};

describe('infra/registry.yml', () => {
  it('declares the key schema the adapter and its tests use', async () => {
    const table = (await load()).Resources.RegistryTable?.Properties;
    expect(table?.KeySchema).toEqual(REGISTRY_KEY_SCHEMA.KeySchema);
    expect(table?.AttributeDefinitions).toEqual(REGISTRY_KEY_SCHEMA.AttributeDefinitions);
    expect(table?.BillingMode).toBe(REGISTRY_KEY_SCHEMA.BillingMode);
  });

  it('keeps the table safe: recovery, encryption, deletion protection, TTL for housekeeping', async () => {
    const table = (await load()).Resources.RegistryTable?.Properties;
    expect(table).toMatchObject({
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      DeletionProtectionEnabled: true,
      TimeToLiveSpecification: { AttributeName: 'purgeAt', Enabled: true },
    });
  });

  it('passes cfn-lint against the current resource specification', async () => {
    const lint = lintTemplate({ AWSTemplateFormatVersion: '2010-09-09', ...(await load()) });
    expect(lint.errors.crit).toEqual([]);
    expect(lint.templateValid).toBe(true);
  });
});
