import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// infra/teardown-senders.cjs resolves `${file(...)}` in serverless.yml at packaging time.
const teardownSenders = createRequire(import.meta.url)(
  '../../infra/teardown-senders.cjs',
) as (context: {
  resolveVariable: (name: string) => Promise<unknown>;
}) => Promise<{ arns: string[]; joined: string }>;
const withParam = (value: string) => ({
  resolveVariable: async (name: string) => {
    if (name !== 'param:teardownSenders, null') throw new Error(`unexpected variable ${name}`);
    return value;
  },
});

describe('teardown-senders (the teardownSenders deploy param)', () => {
  it('reads an empty param as nobody', async () => {
    await expect(teardownSenders(withParam(''))).resolves.toEqual({ arns: [], joined: '' });
  });

  it('trims, drops empty entries and duplicates, and keeps the order', async () => {
    const role = 'arn:aws:iam::111122223333:role/service-role/ci-preview';
    const user = 'arn:aws-us-gov:iam::444455556666:user/release-bot';

    const senders = await teardownSenders(withParam(` ${role} ,, ${user},${role} `));

    expect(senders).toEqual({ arns: [role, user], joined: `${role},${user}` });
  });

  it.each([
    ['an account root', 'arn:aws:iam::111122223333:root'],
    ['a wildcard', 'arn:aws:iam::111122223333:role/*'],
    ['a bare account id', '111122223333'],
    ['an STS session', 'arn:aws:sts::111122223333:assumed-role/ci/session'],
  ])('fails packaging on %s, naming the param', async (_what, value) => {
    await expect(teardownSenders(withParam(value))).rejects.toThrow(
      `teardownSenders: "${value}" is not an IAM role or user ARN`,
    );
  });
});
