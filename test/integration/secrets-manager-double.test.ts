import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type SecretsManagerDouble,
  startSecretsManagerDouble,
} from '#test/fakes/secrets-manager-double';

const credentials = { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake-secret' };
const SECRET_ID = 'gateway-janitor/coreweave-token';

describe('startSecretsManagerDouble', () => {
  let double: SecretsManagerDouble | undefined;
  const clients: SecretsManagerClient[] = [];
  const start = async () => {
    double = await startSecretsManagerDouble({ secrets: { [SECRET_ID]: 'CW-SECRET-abc' } });
    return double;
  };
  const clientFor = (endpoint?: string) => {
    const client = new SecretsManagerClient({
      region: 'us-east-1',
      credentials,
      maxAttempts: 1,
      ...(endpoint ? { endpoint } : {}),
    });
    clients.push(client);
    return client;
  };

  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await double?.close();
    double = undefined;
  });

  it('serves GetSecretValue to the real SDK client', async () => {
    // Prepare
    const sm = await start();
    // Act
    const out = await clientFor(sm.url).send(new GetSecretValueCommand({ SecretId: SECRET_ID }));
    // Assess
    expect(out.SecretString).toBe('CW-SECRET-abc');
    expect(out.Name).toBe(SECRET_ID);
    expect(out.ARN).toBe(
      `arn:aws:secretsmanager:us-east-1:123456789012:secret:${SECRET_ID}-AbCdEf`,
    );
    expect(out.VersionStages).toEqual(['AWSCURRENT']);
    expect(out.CreatedDate).toBeInstanceOf(Date);
    expect(sm.calls).toEqual([{ secretId: SECRET_ID }]);
  });

  it('answers ResourceNotFoundException for an unknown secret', async () => {
    // Prepare
    const sm = await start();
    // Act
    const call = clientFor(sm.url).send(new GetSecretValueCommand({ SecretId: 'nope' }));
    // Assess
    await expect(call).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(call).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 } });
  });

  it('serves a secret set later and answers injected failures first', async () => {
    // Prepare
    const sm = await start();
    sm.setSecret('other', 'v2');
    sm.fail({ status: 500, type: 'InternalServiceError', message: 'boom' });
    const client = clientFor(sm.url);
    // Act
    const failed = client.send(new GetSecretValueCommand({ SecretId: 'other' }));
    await expect(failed).rejects.toMatchObject({ name: 'InternalServiceError' });
    const out = await client.send(new GetSecretValueCommand({ SecretId: 'other' }));
    // Assess
    expect(out.SecretString).toBe('v2');
    expect(sm.calls).toHaveLength(2);
  });

  it('is reachable through AWS_ENDPOINT_URL_SECRETS_MANAGER', async () => {
    // Prepare
    const sm = await start();
    const previous = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = sm.url;
    try {
      // Act
      const out = await clientFor().send(new GetSecretValueCommand({ SecretId: SECRET_ID }));
      // Assess
      expect(out.SecretString).toBe('CW-SECRET-abc');
      expect(sm.calls).toHaveLength(1);
    } finally {
      if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
      else process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = previous;
    }
  });
});
