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

  it('reports a failed GetSecretValue by its error name', async () => {
    const failure = Object.assign(new Error('Secrets Manager cannot find the secret'), {
      name: 'ResourceNotFoundException',
    });
    const tokens = new SecretTokenSource({ secretId: 's', client: fakeClient(failure) as never });
    await expect(tokens.get()).rejects.toMatchObject({
      code: 'TOKEN_UNAVAILABLE',
      message: 'COREWEAVE_TOKEN_SECRET_ID: GetSecretValue failed (ResourceNotFoundException)',
    });
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
