import { describe, expect, it } from 'vitest';
import { loadCliEnvConfig, loadSweepConfig, loadTeardownConfig } from '#config/load-config';

const policy = JSON.stringify({ rules: [{ id: 'r', match: {}, maxAge: '1h' }] });
const base = { COREWEAVE_TOKEN_SECRET_ID: 'cw-token', JANITOR_POLICY: policy };

describe('loadSweepConfig', () => {
  it('applies the defaults of docs/contract.md', () => {
    const config = loadSweepConfig(base);
    expect(config).toMatchObject({
      apiUrl: 'https://api.coreweave.com',
      dryRun: true,
      deleteConcurrency: 8,
      tokenSecretId: 'cw-token',
    });
    expect(config.policy?.rules[0]?.id).toBe('r');
  });

  it.each([
    ['true', true],
    ['false', false],
    [undefined, true],
    ['', true],
  ])('DRY_RUN=%s means dryRun %s', (value, dryRun) => {
    expect(loadSweepConfig({ ...base, DRY_RUN: value }).dryRun).toBe(dryRun);
  });

  it.each([
    [{ DRY_RUN: 'no' }, 'DRY_RUN'],
    [{ DRY_RUN: 'FALSE' }, 'DRY_RUN'],
    [{ DELETE_CONCURRENCY: '0' }, 'DELETE_CONCURRENCY'],
    [{ DELETE_CONCURRENCY: 'eight' }, 'DELETE_CONCURRENCY'],
    [{ DELETE_CONCURRENCY: '100000' }, 'DELETE_CONCURRENCY'],
    [{ COREWEAVE_API_URL: 'ftp://x' }, 'COREWEAVE_API_URL'],
    [{ COREWEAVE_API_URL: 'not a url' }, 'COREWEAVE_API_URL'],
    [{ COREWEAVE_TOKEN_SECRET_ID: undefined }, 'COREWEAVE_TOKEN_SECRET_ID'],
    [{ JANITOR_POLICY: undefined }, 'JANITOR_POLICY'],
    [{ JANITOR_POLICY: '{"rules":[]}' }, 'JANITOR_POLICY.rules'],
    [{ TEARDOWN_QUEUE_URL: 'queue' }, 'TEARDOWN_QUEUE_URL'],
    [{ JANITOR_REGISTRY_TABLE: 'my table' }, 'JANITOR_REGISTRY_TABLE'],
  ])('rejects %j naming %s', (override, field) => {
    expect(() => loadSweepConfig({ ...base, ...override })).toThrow(
      expect.objectContaining({ code: expect.stringMatching(/_INVALID$/), field }),
    );
  });

  it('has no registry unless JANITOR_REGISTRY_TABLE names its table', () => {
    expect(loadSweepConfig(base).registryTable).toBeUndefined();
    expect(
      loadSweepConfig({ ...base, JANITOR_REGISTRY_TABLE: 'janitor-Registry-1X2' }),
    ).toMatchObject({ registryTable: 'janitor-Registry-1X2' });
  });

  it('takes COREWEAVE_API_TOKEN only where a direct token is allowed', () => {
    const env = { JANITOR_POLICY: policy, COREWEAVE_API_TOKEN: 'CW-SECRET-x' };
    expect(loadCliEnvConfig(env).apiToken).toBe('CW-SECRET-x');
    expect(() => loadSweepConfig(env)).toThrow('COREWEAVE_TOKEN_SECRET_ID');
  });

  it('accepts only https, or plain http to a loopback host, for the token-bearing API URL', () => {
    // Prepare
    const accepted = [
      'https://api.coreweave.com',
      'https://gateway.internal:8443/',
      'http://localhost:4010',
      'http://127.0.0.1:4010',
      'http://127.10.0.3',
      'http://[::1]:4010',
    ];
    const refused = [
      'http://api.coreweave.com',
      'http://10.0.0.8:8080',
      'http://127.0.0.1.example.com',
      'http://localhost.example.com',
      'http://[::2]:80',
    ];
    const load = (url: string) => () => loadSweepConfig({ ...base, COREWEAVE_API_URL: url });
    // Act + Assess
    for (const url of accepted) expect(load(url)().apiUrl).toBe(url);
    for (const url of refused) {
      expect(load(url), url).toThrow(
        expect.objectContaining({ code: 'CONFIG_INVALID', field: 'COREWEAVE_API_URL' }),
      );
    }
  });

  it('confirms deletions after 5m and calls them stuck after 1h by default', () => {
    // Act
    const config = loadSweepConfig(base);
    // Assess
    expect(config).toMatchObject({ confirmAfterMs: 300_000, confirmWithinMs: 3_600_000 });
  });

  it('reads DELETE_CONFIRM_AFTER and DELETE_CONFIRM_WITHIN as durations', () => {
    // Act
    const config = loadSweepConfig({
      ...base,
      DELETE_CONFIRM_AFTER: '30s',
      DELETE_CONFIRM_WITHIN: '2h30m',
    });
    // Assess
    expect(config).toMatchObject({ confirmAfterMs: 30_000, confirmWithinMs: 9_000_000 });
  });

  it.each([
    [{ DELETE_CONFIRM_AFTER: '5 minutes' }, 'DELETE_CONFIRM_AFTER', 'expected a duration'],
    [{ DELETE_CONFIRM_AFTER: '16m' }, 'DELETE_CONFIRM_AFTER', 'expected at most 15m'],
    [{ DELETE_CONFIRM_WITHIN: '30s' }, 'DELETE_CONFIRM_WITHIN', 'expected at least 1m'],
    [{ DELETE_CONFIRM_WITHIN: '8d' }, 'DELETE_CONFIRM_WITHIN', 'expected at most 7d'],
    [
      { DELETE_CONFIRM_AFTER: '10m', DELETE_CONFIRM_WITHIN: '5m' },
      'DELETE_CONFIRM_WITHIN',
      'expected at least DELETE_CONFIRM_AFTER (10m)',
    ],
  ])('rejects %j naming %s', (override, field, message) => {
    // Act & Assess
    expect(() => loadSweepConfig({ ...base, ...override })).toThrow(
      expect.objectContaining({ field, message: expect.stringContaining(message) }),
    );
  });

  it('reads only its own variables: a teardown-only value does not stop the sweep', () => {
    // Act
    const config = loadSweepConfig({
      ...base,
      TEARDOWN_DLQ_URL: 'not a url',
      JANITOR_ROLE_IDS: 'AIDAUSERNOTAROLE00001',
      TEARDOWN_MAX_HORIZON: '30 days',
    });
    // Assess
    expect(config).not.toHaveProperty('teardownDlqUrl');
    expect(config).not.toHaveProperty('janitorRoleIds');
  });

  it('does not need a policy in the CLI, which may read it from a file', () => {
    expect(loadCliEnvConfig({ COREWEAVE_TOKEN_SECRET_ID: 's' }).policy).toBeUndefined();
  });
});

describe('loadCliEnvConfig', () => {
  it("reads only the CLI's variables: a Lambda-only value in the shell is never looked at", () => {
    // Act
    const config = loadCliEnvConfig({
      COREWEAVE_TOKEN_SECRET_ID: 's',
      NOTIFY: 'sometimes',
      TEARDOWN_QUEUE_URL: 'queue',
      JANITOR_POLICY_FILE: 'missing.json',
    });
    // Assess
    expect(config).toMatchObject({ tokenSecretId: 's', dryRun: true });
    expect(config.policy).toBeUndefined();
  });
});

describe('loadTeardownConfig', () => {
  const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/teardown';

  const ROLES = 'AROA3XFRBF535PLBIFPI4, AROAJANITORSWEEP00001';

  it('gives the teardown function its policy, queue, dead-letter queue and role ids', () => {
    // Act
    const config = loadTeardownConfig({
      ...base,
      TEARDOWN_QUEUE_URL: QUEUE,
      TEARDOWN_DLQ_URL: `${QUEUE}-dlq`,
      JANITOR_ROLE_IDS: ROLES,
    });
    // Assess
    expect(config).toMatchObject({
      tokenSecretId: 'cw-token',
      teardownQueueUrl: QUEUE,
      teardownQueue: { region: 'us-east-1', account: '123456789012', name: 'teardown' },
      teardownDlqUrl: `${QUEUE}-dlq`,
      janitorRoleIds: ['AROA3XFRBF535PLBIFPI4', 'AROAJANITORSWEEP00001'],
    });
    expect(config.policy.rules[0]?.id).toBe('r');
  });

  it('takes the region of a queue URL that names none from AWS_REGION', () => {
    // Act
    const config = loadTeardownConfig({
      ...base,
      TEARDOWN_QUEUE_URL: 'http://127.0.0.1:4566/000000000000/teardown',
      JANITOR_ROLE_IDS: ROLES,
      AWS_REGION: 'eu-central-1',
    });
    // Assess
    expect(config.teardownQueue).toEqual({
      region: 'eu-central-1',
      account: '000000000000',
      name: 'teardown',
    });
  });

  it.each([
    [{ TEARDOWN_QUEUE_URL: undefined }, 'TEARDOWN_QUEUE_URL'],
    [{ TEARDOWN_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/teardown' }, 'TEARDOWN_QUEUE_URL'],
    [{ TEARDOWN_QUEUE_URL: 'http://127.0.0.1:4566/000000000000/teardown' }, 'TEARDOWN_QUEUE_URL'],
    [{ JANITOR_ROLE_IDS: undefined }, 'JANITOR_ROLE_IDS'],
    [{ JANITOR_ROLE_IDS: 'AIDAUSERNOTAROLE00001' }, 'JANITOR_ROLE_IDS'],
    [{ JANITOR_ROLE_IDS: 'AROA3XFRBF535PLBIFPI4,' }, 'JANITOR_ROLE_IDS'],
    [{ JANITOR_POLICY: undefined }, 'JANITOR_POLICY'],
    [
      { COREWEAVE_TOKEN_SECRET_ID: undefined, COREWEAVE_API_TOKEN: 'CW-SECRET-x' },
      'COREWEAVE_TOKEN_SECRET_ID',
    ],
  ])('rejects %j naming %s', (override, field) => {
    const env = { ...base, TEARDOWN_QUEUE_URL: QUEUE, JANITOR_ROLE_IDS: ROLES, ...override };
    expect(() => loadTeardownConfig(env)).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', field }),
    );
  });
});

describe('loadTeardownConfig: TEARDOWN_MAX_HORIZON', () => {
  const env = {
    ...base,
    TEARDOWN_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/teardown',
    JANITOR_ROLE_IDS: 'AROA3XFRBF535PLBIFPI4',
  };

  it.each([
    [undefined, 30 * 86_400_000],
    ['', 30 * 86_400_000],
    ['12h', 12 * 3_600_000],
    ['1d12h', 36 * 3_600_000],
  ])('TEARDOWN_MAX_HORIZON=%j bounds expiresAt at %d ms', (value, ms) => {
    expect(loadTeardownConfig({ ...env, TEARDOWN_MAX_HORIZON: value })).toMatchObject({
      teardownMaxHorizonMs: ms,
    });
  });

  it.each(['30 days', '0d', '-1d', '30'])('rejects TEARDOWN_MAX_HORIZON=%j naming it', (value) => {
    expect(() => loadTeardownConfig({ ...env, TEARDOWN_MAX_HORIZON: value })).toThrow(
      expect.objectContaining({
        code: 'CONFIG_INVALID',
        field: 'TEARDOWN_MAX_HORIZON',
        message: 'TEARDOWN_MAX_HORIZON: expected a duration such as 12h, 7d or 30d',
      }),
    );
  });
});
