import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// infra/deploy-params.cjs and infra/operators.cjs resolve `${file(...)}` in serverless.yml
// at packaging time; a param not given resolves to null (`${param:x, null}`).
type Resolver = (context: {
  resolveVariable: (name: string) => Promise<unknown>;
}) => Promise<Record<string, unknown>>;
const load = (file: string) => createRequire(import.meta.url)(`../../infra/${file}`) as Resolver;
const deployParams = load('deploy-params.cjs');
const operators = load('operators.cjs');

const SECRET = 'arn:aws:secretsmanager:eu-west-1:304957182634:secret:janitor/token-Qx7Lm2';
const KEY = 'arn:aws:kms:eu-west-1:304957182634:key/0b7f3c1e-5a2d-4c8e-9f1b-6d3a2e4c5b7a';
const withParams = (params: Record<string, unknown>) => ({
  resolveVariable: async (name: string) => {
    const match = /^param:(\w+), null$/.exec(name);
    if (!match?.[1]) throw new Error(`unexpected variable ${name}`);
    return params[match[1]] ?? null;
  },
});

describe('deploy-params (dryRun, secretArn, kmsKeyArn)', () => {
  it.each([
    ['true', 'true'],
    ['false', 'false'],
    [true, 'true'],
    [false, 'false'],
  ])('reads dryRun %j as %s', async (dryRun, expected) => {
    await expect(deployParams(withParams({ dryRun, secretArn: SECRET }))).resolves.toEqual({
      dryRun: expected,
      secretArn: SECRET,
      kmsKeyArn: '',
    });
  });

  it('requires dryRun on every deploy: no default to fall back to', async () => {
    await expect(deployParams(withParams({ secretArn: SECRET }))).rejects.toThrow(
      'dryRun: required on every deploy: --param dryRun=true',
    );
  });

  it.each(['TRUE', 'yes', '', '0', 'false '])(
    'refuses dryRun %j: only true or false',
    async (dryRun) => {
      await expect(deployParams(withParams({ dryRun, secretArn: SECRET }))).rejects.toThrow(
        `dryRun: expected exactly true or false, got "${dryRun}"`,
      );
    },
  );

  it('requires a secret ARN, naming the param', async () => {
    await expect(deployParams(withParams({ dryRun: 'true' }))).rejects.toThrow(
      'secretArn: required',
    );
    await expect(
      deployParams(withParams({ dryRun: 'true', secretArn: 'coreweave-token' })),
    ).rejects.toThrow('secretArn: "coreweave-token" is not a Secrets Manager secret ARN');
  });

  it.each([
    ['an all-zero account', 'arn:aws:secretsmanager:us-east-1:000000000000:secret:token-Qx7Lm2'],
    ['the documentation account', 'arn:aws:secretsmanager:us-east-1:123456789012:secret:t-Qx7Lm2'],
    ['the examples’ suffix', 'arn:aws:secretsmanager:us-east-1:304957182634:secret:token-AbCdEf'],
  ])('refuses a placeholder secret ARN: %s', async (_what, secretArn) => {
    await expect(deployParams(withParams({ dryRun: 'false', secretArn }))).rejects.toThrow(
      `secretArn: "${secretArn}" is a placeholder`,
    );
  });

  it('takes a KMS key ARN, and refuses a malformed or placeholder one', async () => {
    await expect(
      deployParams(withParams({ dryRun: 'true', secretArn: SECRET, kmsKeyArn: KEY })),
    ).resolves.toMatchObject({ kmsKeyArn: KEY });
    await expect(
      deployParams(withParams({ dryRun: 'true', secretArn: SECRET, kmsKeyArn: 'alias/x' })),
    ).rejects.toThrow('kmsKeyArn: "alias/x" is not a KMS key ARN');
    const placeholder = KEY.replace('304957182634', '111111111111');
    await expect(
      deployParams(withParams({ dryRun: 'true', secretArn: SECRET, kmsKeyArn: placeholder })),
    ).rejects.toThrow('kmsKeyArn: ');
  });

  it('reports errors without a stack trace, which osls would print under the message', async () => {
    const error = await deployParams(withParams({ secretArn: SECRET })).catch((e: Error) => e);

    expect((error as Error).stack).toBe((error as Error).message);
  });
});

describe('operators (who may receive, delete and purge)', () => {
  it('reads no param as only the janitor', async () => {
    await expect(operators(withParams({}))).resolves.toEqual({ arns: [], joined: '' });
  });

  it('takes role and user ARNs, trimmed and without duplicates', async () => {
    const role = 'arn:aws:iam::304957182634:role/platform-oncall';
    const user = 'arn:aws:iam::304957182634:user/break-glass';

    await expect(
      operators(withParams({ operators: ` ${role}, ${user} ,${role}` })),
    ).resolves.toEqual({ arns: [role, user], joined: `${role},${user}` });
  });

  it.each([
    ['an account root', 'arn:aws:iam::304957182634:root', 'is not an IAM role or user ARN'],
    ['a wildcard', 'arn:aws:iam::304957182634:role/*', 'is not an IAM role or user ARN'],
    ['a placeholder account', 'arn:aws:iam::123456789012:role/ops', 'is a placeholder'],
  ])('fails packaging on %s, naming the param', async (_what, value, why) => {
    await expect(operators(withParams({ operators: value }))).rejects.toThrow(
      `operators: "${value}" ${why}`,
    );
  });
});
