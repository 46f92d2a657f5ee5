import type { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { SecretTokenSource } from '#adapters/aws/secret-token-source';

/** A Secrets Manager client double that answers from a list and counts calls. */
function fakeClient(...answers: Array<string | Error>) {
  const calls: string[] = [];
  return {
    calls,
    send: async (command: GetSecretValueCommand) => {
      calls.push(command.input.SecretId ?? '');
      const answer = answers[Math.min(calls.length, answers.length) - 1];
      if (answer instanceof Error) throw answer;
      return { SecretString: answer };
    },
  };
}

describe('SecretTokenSource', () => {
  it('reads the whole secret string as the token, once while it is fresh', async () => {
    let now = 0;
    const client = fakeClient('CW-SECRET-a\n', 'CW-SECRET-b');
    const tokens = new SecretTokenSource({
      secretId: 's',
      client: client as never,
      now: () => now,
    });
    expect(await tokens.get()).toBe('CW-SECRET-a');
    now = 14 * 60_000;
    expect(await tokens.get()).toBe('CW-SECRET-a');
    now = 16 * 60_000;
    expect(await tokens.get()).toBe('CW-SECRET-b');
    expect(client.calls).toEqual(['s', 's']);
  });

  it('reads one key of a JSON secret', async () => {
    const client = fakeClient('{"token":"CW-SECRET-j","other":"x"}');
    const tokens = new SecretTokenSource({
      secretId: 's',
      secretKey: 'token',
      client: client as never,
    });
    expect(await tokens.get()).toBe('CW-SECRET-j');
  });

  it.each([
    [
      '{"other":"CW-SECRET-hidden"}',
      'token',
      'COREWEAVE_TOKEN_SECRET_KEY: the secret has no string key "token"',
    ],
    ['CW-SECRET-hidden', 'token', 'COREWEAVE_TOKEN_SECRET_KEY: the secret string is not JSON'],
    ['', undefined, 'COREWEAVE_TOKEN_SECRET_ID: the secret has no SecretString'],
  ])('names the variable, never the value, for %j', async (secret, secretKey, message) => {
    const tokens = new SecretTokenSource({
      secretId: 's',
      secretKey,
      client: fakeClient(secret) as never,
    });
    const error = (await tokens.get().catch((e: unknown) => e)) as Error & { code: string };
    expect(error).toMatchObject({ code: 'TOKEN_UNAVAILABLE', message });
    expect(`${error.message}${error.stack}`).not.toContain('hidden');
  });

  it.each([
    [
      'a missing secret, with the region it was looked up in',
      Object.assign(new Error("Secrets Manager can't find the specified secret."), {
        name: 'ResourceNotFoundException',
      }),
      's',
      "GetSecretValue failed (ResourceNotFoundException: Secrets Manager can't find the specified secret.); no such secret in region us-east-1 (AWS_REGION)",
    ],
    [
      'an ARN of another region than the client asks',
      Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' }),
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:token-AbCdEf',
      "the secret's ARN names region eu-west-1, but the client asks region us-east-1 (AWS_REGION): set AWS_REGION=eu-west-1",
    ],
    [
      'a caller without the grant',
      Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' }),
      's',
      'it needs secretsmanager:GetSecretValue on the secret',
    ],
    [
      'no credentials',
      Object.assign(new Error('Could not load credentials from any providers'), {
        name: 'CredentialsProviderError',
      }),
      's',
      'no valid AWS credentials',
    ],
    [
      'a plain Error, by its cause',
      new Error('connect ECONNREFUSED 127.0.0.1:9'),
      's',
      'GetSecretValue failed (Error: connect ECONNREFUSED 127.0.0.1:9); looked up in region us-east-1',
    ],
  ])(
    'reports a failed GetSecretValue with its cause and what to check: %s',
    async (_case, failure, secretId, hint) => {
      const tokens = new SecretTokenSource({
        secretId,
        region: 'us-east-1',
        client: fakeClient(failure) as never,
      });
      const error = (await tokens.get().catch((e: unknown) => e)) as Error & { code: string };
      expect(error.code).toBe('TOKEN_UNAVAILABLE');
      expect(error.message).toMatch(/^COREWEAVE_TOKEN_SECRET_ID: GetSecretValue failed \(/);
      expect(error.message).toContain(hint);
    },
  );

  it('says to set AWS_REGION when the SDK has no region', async () => {
    const tokens = new SecretTokenSource({
      secretId: 's',
      region: undefined,
      client: fakeClient(new Error('Region is missing')) as never,
    });
    await expect(tokens.get()).rejects.toThrow(/no region: set AWS_REGION/);
  });

  it('refreshes a rejected token once for all callers at the same moment', async () => {
    let now = 0;
    const client = fakeClient('CW-SECRET-old', 'CW-SECRET-new');
    const tokens = new SecretTokenSource({
      secretId: 's',
      client: client as never,
      now: () => now,
    });
    const stale = await tokens.get();
    now = 60_000;
    const fresh = await Promise.all(Array.from({ length: 8 }, () => tokens.refresh(stale)));
    expect(new Set(fresh)).toEqual(new Set(['CW-SECRET-new']));
    // A caller that still holds the old token gets the new one without another read.
    expect(await tokens.refresh(stale)).toBe('CW-SECRET-new');
    expect(client.calls).toHaveLength(2);
  });

  it('reads a revoked-but-unchanged secret once, however many requests it fails', async () => {
    let now = 0;
    const client = fakeClient('CW-SECRET-revoked');
    const tokens = new SecretTokenSource({
      secretId: 's',
      client: client as never,
      now: () => now,
    });
    const token = await tokens.get();
    now = 60_000;
    await tokens.refresh(token);
    for (let i = 0; i < 8; i++) await tokens.refresh(token);
    expect(client.calls).toHaveLength(2);
    now = 70_000;
    await tokens.refresh(token);
    expect(client.calls).toHaveLength(3);
  });
});
