import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintTemplate } from '#test/support/lint-template';
import { OFFLINE_ENV, REQUIRED_PARAMS, TEST_SECRET_ARN } from '#test/support/package-stack';
import { resolveConditions } from '#test/support/resolve-conditions';

// `npm run package` (build + `osls package`) offline, then the generated CloudFormation
// is checked against docs/contract.md "Deployment" and linted against the resource spec.

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are free-form JSON, which the assertions below check
type Properties = Record<string, any>;
type Resource = {
  Type: string;
  Condition?: string;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Properties: Properties;
};
type Statement = { Action: string | string[]; Resource: unknown };
type Template = {
  Resources: Record<string, Resource>;
  Outputs: Record<string, unknown>;
  Conditions?: Record<string, unknown>;
};

const SENDERS = [
  'arn:aws:iam::111122223333:role/ci-preview',
  'arn:aws:iam::444455556666:user/release-bot',
];
const OPERATORS = ['arn:aws:iam::111122223333:role/platform-oncall'];
const ROOT = new URL('../..', import.meta.url).pathname;

let template: Template;
// The same service packaged live, with teardown senders, operators and an hourly schedule.
let live: Template;
let liveDir: string;
const ofType = (type: string) =>
  Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
const resource = (id: string): Resource => {
  const found = template.Resources[id];
  if (!found) throw new Error(`the template has no ${id}`);
  return found;
};

beforeAll(async () => {
  await promisify(execFile)('npm', ['run', 'package', '--', ...REQUIRED_PARAMS], {
    cwd: new URL('../..', import.meta.url).pathname,
    timeout: 120_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  template = JSON.parse(
    await readFile(
      new URL('../../.serverless/cloudformation-template-update-stack.json', import.meta.url),
      'utf8',
    ),
  ) as Template;
  liveDir = await mkdtemp(join(tmpdir(), 'janitor-live-package-'));
  await promisify(execFile)(
    'npx',
    [
      'osls',
      'package',
      '--stage',
      'dev',
      '--package',
      liveDir,
      '--param',
      'dryRun=false',
      '--param',
      `secretArn=${TEST_SECRET_ARN}`,
      '--param',
      `teardownSenders=${SENDERS.join(', ')}`,
      '--param',
      `operators=${OPERATORS.join(',')}`,
      '--param',
      'schedule=rate(1 hour)',
    ],
    {
      cwd: ROOT,
      env: { ...process.env, ...OFFLINE_ENV },
      timeout: 60_000,
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  live = JSON.parse(
    await readFile(join(liveDir, 'cloudformation-template-update-stack.json'), 'utf8'),
  ) as Template;
}, 210_000);

afterAll(async () => {
  if (liveDir) await rm(liveDir, { recursive: true, force: true });
});

const globToRegExp = (glob: string) =>
  new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*')}$`);
const ARN_OF = (role: string) => ({ 'Fn::GetAtt': [role, 'Arn'] });
const statementsOf = (t: Template, id: string) =>
  resolveConditions(t).Resources[id]?.Properties.PolicyDocument.Statement as Properties[];
const roleStatements = (t: Template, role: string) =>
  ((t.Resources[role]?.Properties.Policies ?? []) as Properties[]).flatMap(
    (policy) => policy.PolicyDocument.Statement as Statement[],
  );
const roleActions = (t: Template, role: string, resourceId: string) =>
  roleStatements(t, role)
    .filter((s) =>
      ([s.Resource].flat() as Properties[]).some((r) => r['Fn::GetAtt']?.[0] === resourceId),
    )
    .flatMap((s) => [s.Action].flat());

describe('the packaged CloudFormation template', () => {
  it('runs both functions on nodejs24.x and arm64 from their own zips', () => {
    for (const id of ['SweepLambdaFunction', 'TeardownLambdaFunction']) {
      const { Properties } = resource(id);
      expect(Properties).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'] });
      expect(Properties.Handler).toBe('index.handler');
    }
    expect(resource('SweepLambdaFunction').Properties.Code.S3Key).toMatch(/sweep\.zip$/);
    expect(resource('TeardownLambdaFunction').Properties.Code.S3Key).toMatch(/teardown\.zip$/);
  });

  it('runs one sweep at a time, on a schedule, dry as the dryRun param says', () => {
    const sweep = resource('SweepLambdaFunction').Properties;
    expect(sweep.ReservedConcurrentExecutions).toBe(1);
    expect(sweep.Environment.Variables).toMatchObject({
      DRY_RUN: 'true',
      COREWEAVE_TOKEN_SECRET_ID: TEST_SECRET_ARN,
      POWERTOOLS_SERVICE_NAME: 'gateway-janitor',
      NODE_OPTIONS: '--max-semi-space-size=4',
      TEARDOWN_QUEUE_URL: { Ref: 'TeardownQueue' },
    });
    expect(sweep.Environment.Variables.JANITOR_POLICY_FILE).toBe('policy.json');
    expect(sweep.Environment.Variables).not.toHaveProperty('JANITOR_POLICY');
    const [[, rule] = []] = ofType('AWS::Events::Rule');
    expect(rule?.Properties.ScheduleExpression).toBe('rate(15 minutes)');
  });

  it('feeds teardown from the queue with ReportBatchItemFailures and a concurrency cap', () => {
    const [[, mapping] = []] = ofType('AWS::Lambda::EventSourceMapping');
    expect(mapping?.Properties).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': ['TeardownQueue', 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
    });
    expect(mapping?.Properties.ScalingConfig.MaximumConcurrency).toBeGreaterThanOrEqual(2);
  });

  it('keeps messages invisible for at least 6x the teardown timeout and redrives to a DLQ', () => {
    const queue = resource('TeardownQueue').Properties;
    const timeout = resource('TeardownLambdaFunction').Properties.Timeout as number;
    expect(queue.VisibilityTimeout).toBeGreaterThanOrEqual(6 * timeout);
    expect(queue.RedrivePolicy).toMatchObject({
      deadLetterTargetArn: { 'Fn::GetAtt': ['TeardownDeadLetterQueue', 'Arn'] },
      maxReceiveCount: expect.any(Number),
    });
    expect(resource('TeardownDeadLetterQueue').Properties.MessageRetentionPeriod).toBe(1209600);
  });

  it('grants GetSecretValue on the one secret and SQS on its own queues only', () => {
    const policies = ofType('AWS::IAM::Role').flatMap(([, role]) => role.Properties.Policies);
    const statements = [
      ...policies,
      ...ofType('AWS::IAM::Policy').map(([, policy]) => policy.Properties),
    ].flatMap((policy) => policy.PolicyDocument.Statement as Statement[]);
    const actions = (statement: Statement) => [statement.Action].flat();
    const resources = (statement: Statement) => [statement.Resource].flat() as Properties[];

    const secretStatements = statements.filter((s) =>
      actions(s).some((a) => a.startsWith('secretsmanager:')),
    );
    expect(secretStatements).toHaveLength(2);
    for (const statement of secretStatements) {
      expect(actions(statement)).toEqual(['secretsmanager:GetSecretValue']);
      expect(resources(statement)).toEqual([TEST_SECRET_ARN]);
    }

    const sqsResources = statements
      .filter((s) => actions(s).some((a) => a.startsWith('sqs:')))
      .flatMap(resources);
    expect(sqsResources.length).toBeGreaterThan(0);
    for (const arn of sqsResources) {
      expect(['TeardownQueue', 'TeardownDeadLetterQueue']).toContain(arn['Fn::GetAtt']?.[0]);
    }
    for (const statement of statements) {
      expect(resources(statement)).not.toContain('*');
      expect(actions(statement).some((a) => a.endsWith(':*') || a === '*')).toBe(false);
    }
    // kms:Decrypt only when a key is given, and then only through Secrets Manager.
    const decrypt = resource('DecryptTheApiTokenPolicy');
    expect(decrypt.Condition).toBe('HasKmsKey');
  });

  it('keeps both functions’ logs, the audit trail, for at least 400 days, even past the stack', () => {
    for (const id of ['SweepLogGroup', 'TeardownLogGroup']) {
      expect(resource(id).Properties.RetentionInDays).toBeGreaterThanOrEqual(400);
      expect(resource(id).DeletionPolicy).toBe('Retain');
      expect(resource(id).UpdateReplacePolicy).toBe('Retain');
    }
  });

  it('alarms on the DLQ, function errors, failed deletions and aborted runs', () => {
    const alarms = ofType('AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);
    const metrics = alarms.map((alarm) => `${alarm.Namespace}:${alarm.MetricName}`);
    expect(metrics).toEqual(
      expect.arrayContaining([
        'AWS/SQS:ApproximateNumberOfMessagesVisible',
        'AWS/Lambda:Errors',
        'GatewayJanitor/dev:DeleteFailed',
        'GatewayJanitor/dev:RunAborted',
      ]),
    );
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([{ Ref: 'AlarmTopic' }]);
    const patterns = ofType('AWS::Logs::MetricFilter').map(([, f]) => f.Properties.FilterPattern);
    expect(patterns).toContain(
      '{ $.audit.event = "gateway.delete_failed" || $.audit.event = "deployment.delete_failed" }',
    );
    expect(patterns).toContain('{ $.audit.event = "run.aborted" }');
  });

  it('saves Logs Insights queries over both log groups for audit review', () => {
    const queries = ofType('AWS::Logs::QueryDefinition').map(([, q]) => q.Properties);
    expect(queries.length).toBeGreaterThanOrEqual(4);
    for (const query of queries) {
      expect(query.LogGroupNames).toEqual([{ Ref: 'SweepLogGroup' }, { Ref: 'TeardownLogGroup' }]);
      expect(query.QueryString).toContain('audit.');
    }
    const text = queries.map((query) => query.QueryString).join('\n');
    expect(text).toContain('bin(1d)');
    expect(text).toContain('gateway.delete_failed');
    expect(text).toContain('audit.gatewayId = ');
    expect(text).toContain('run.summary');
  });

  it('gives both functions the confirmation delay and window', () => {
    for (const id of ['SweepLambdaFunction', 'TeardownLambdaFunction']) {
      expect(resource(id).Properties.Environment.Variables).toMatchObject({
        DELETE_CONFIRM_AFTER: '5m',
        DELETE_CONFIRM_WITHIN: '1h',
        TEARDOWN_QUEUE_URL: { Ref: 'TeardownQueue' },
      });
    }
  });

  it('alarms on stuck deletions of gateways and deployments recorded by either function', () => {
    const filters = ofType('AWS::Logs::MetricFilter')
      .map(([, f]) => f.Properties)
      .filter(
        (f) =>
          f.FilterPattern ===
          '{ $.audit.event = "gateway.delete_stuck" || $.audit.event = "deployment.delete_stuck" }',
      );
    expect(filters.map((f) => f.LogGroupName)).toEqual([
      { Ref: 'SweepLogGroup' },
      { Ref: 'TeardownLogGroup' },
    ]);
    expect(filters.map((f) => f.MetricTransformations[0].MetricName)).toEqual([
      'DeleteStuckSeen',
      'DeleteStuckSeen',
    ]);
    const alarm = resource('DeleteStuckAlarm').Properties;
    expect(`${alarm.Namespace}:${alarm.MetricName}`).toBe('GatewayJanitor/dev:DeleteStuckSeen');
    expect(alarm.AlarmActions).toEqual([{ Ref: 'AlarmTopic' }]);
  });

  it('saves a deletion lifecycle query: requested, deleted, then confirmed or stuck per gateway', () => {
    const query = resource('DeletionLifecycleQuery').Properties;
    expect(query.Name).toBe('gateway-janitor-dev/deletion-lifecycle');
    expect(query.LogGroupNames).toEqual([{ Ref: 'SweepLogGroup' }, { Ref: 'TeardownLogGroup' }]);
    for (const event of ['gateway.deleted', 'gateway.delete_confirmed', 'gateway.delete_stuck'])
      expect(query.QueryString).toContain(`"${event}"`);
    expect(query.QueryString).toContain('by audit.gatewayId');
  });

  it('outputs the queue URLs, the queue ARN for senders and the alarm topic', () => {
    expect(Object.keys(template.Outputs)).toEqual(
      expect.arrayContaining([
        'TeardownQueueUrl',
        'TeardownQueueArn',
        'DeadLetterQueueUrl',
        'AlarmTopicArn',
      ]),
    );
  });

  it('lets nobody but the two functions send to the queue when no teardownSenders are given', () => {
    const statements = statementsOf(template, 'TeardownQueuePolicy');

    const denyOthers = statements.find((s) => s.Sid === 'DenySendersNotListed');
    expect(denyOthers).toMatchObject({
      Effect: 'Deny',
      Principal: '*',
      Action: 'sqs:SendMessage',
      Resource: ARN_OF('TeardownQueue'),
    });
    expect(denyOthers?.Condition).toEqual({
      ArnNotEquals: { 'aws:PrincipalArn': [ARN_OF('TeardownRole'), ARN_OF('SweepRole')] },
    });
    expect(statements.filter((s) => s.Effect === 'Allow')).toEqual([]);
  });

  it('lets the teardownSenders and the two functions send to the queue, and no one else', () => {
    const statements = statementsOf(live, 'TeardownQueuePolicy');

    const denyOthers = statements.find((s) => s.Sid === 'DenySendersNotListed');
    expect(denyOthers?.Condition).toEqual({
      ArnNotEquals: { 'aws:PrincipalArn': [ARN_OF('TeardownRole'), ARN_OF('SweepRole')] },
      ArnNotLike: { 'aws:PrincipalArn': SENDERS },
    });
    const sendGrants = statements.filter(
      (s) => s.Effect === 'Allow' && s.Action === 'sqs:SendMessage',
    );
    expect(sendGrants).toEqual([
      expect.objectContaining({
        Principal: { AWS: SENDERS },
        Action: 'sqs:SendMessage',
        Resource: ARN_OF('TeardownQueue'),
      }),
    ]);
  });

  it('lets only the two functions send to the dead-letter queue', () => {
    const statements = statementsOf(template, 'TeardownDeadLetterQueuePolicy');

    expect(statements.find((s) => s.Sid === 'DenySendersNotJanitor')).toEqual({
      Sid: 'DenySendersNotJanitor',
      Effect: 'Deny',
      Principal: '*',
      Action: 'sqs:SendMessage',
      Resource: ARN_OF('TeardownDeadLetterQueue'),
      Condition: {
        ArnNotEquals: { 'aws:PrincipalArn': [ARN_OF('TeardownRole'), ARN_OF('SweepRole')] },
      },
    });
  });

  it('lets only the two functions receive, delete and purge on both queues when no operators are given', () => {
    for (const [policy, queue] of [
      ['TeardownQueuePolicy', 'TeardownQueue'],
      ['TeardownDeadLetterQueuePolicy', 'TeardownDeadLetterQueue'],
    ] as const) {
      const statements = statementsOf(template, policy);
      expect(statements.find((s) => s.Sid === 'DenyConsumersNotListed')).toEqual({
        Sid: 'DenyConsumersNotListed',
        Effect: 'Deny',
        Principal: '*',
        Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:PurgeQueue'],
        Resource: ARN_OF(queue),
        Condition: {
          ArnNotEquals: { 'aws:PrincipalArn': [ARN_OF('TeardownRole'), ARN_OF('SweepRole')] },
        },
      });
      expect(statements.filter((s) => s.Effect === 'Allow')).toEqual([]);
    }
  });

  it('lets the operators receive, delete and purge on both queues besides the two functions', () => {
    for (const [policy, queue] of [
      ['TeardownQueuePolicy', 'TeardownQueue'],
      ['TeardownDeadLetterQueuePolicy', 'TeardownDeadLetterQueue'],
    ] as const) {
      const statements = statementsOf(live, policy);
      const consumers = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:PurgeQueue'];
      expect(statements.find((s) => s.Sid === 'DenyConsumersNotListed')?.Condition).toEqual({
        ArnNotEquals: { 'aws:PrincipalArn': [ARN_OF('TeardownRole'), ARN_OF('SweepRole')] },
        ArnNotLike: { 'aws:PrincipalArn': OPERATORS },
      });
      expect(statements.find((s) => s.Sid === 'AllowTheOperators')).toEqual({
        Sid: 'AllowTheOperators',
        Effect: 'Allow',
        Principal: { AWS: OPERATORS },
        Action: consumers,
        Resource: ARN_OF(queue),
      });
    }
  });

  it("gives both functions the janitor's role ids and the teardown queue", () => {
    for (const id of ['SweepLambdaFunction', 'TeardownLambdaFunction']) {
      expect(resource(id).Properties.Environment.Variables).toMatchObject({
        JANITOR_ROLE_IDS: {
          'Fn::Join': [
            ',',
            [
              { 'Fn::GetAtt': ['SweepRole', 'RoleId'] },
              { 'Fn::GetAtt': ['TeardownRole', 'RoleId'] },
            ],
          ],
        },
        TEARDOWN_QUEUE_URL: { Ref: 'TeardownQueue' },
      });
    }
  });

  it('gives both functions the registry table and only the item actions each needs on it', () => {
    for (const id of ['SweepLambdaFunction', 'TeardownLambdaFunction']) {
      expect(resource(id).Properties.Environment.Variables.JANITOR_REGISTRY_TABLE).toEqual({
        Ref: 'RegistryTable',
      });
    }
    const items = ['GetItem', 'Query', 'PutItem', 'DeleteItem', 'UpdateItem'].map(
      (a) => `dynamodb:${a}`,
    );
    expect(roleActions(template, 'SweepRole', 'RegistryTable').sort()).toEqual(
      [...items, 'dynamodb:Scan'].sort(),
    );
    expect(roleActions(template, 'TeardownRole', 'RegistryTable').sort()).toEqual(items.sort());
    for (const role of ['SweepRole', 'TeardownRole']) {
      const dynamo = roleStatements(template, role).filter((s) =>
        [s.Action].flat().some((a) => a.startsWith('dynamodb:')),
      );
      expect(dynamo.flatMap((s) => [s.Resource].flat())).toEqual([ARN_OF('RegistryTable')]);
    }
    expect(template.Outputs).toHaveProperty('RegistryTableName');
  });

  it('denies every queue action without TLS, on the teardown queue and its dead-letter queue', () => {
    for (const [policy, queue] of [
      ['TeardownQueuePolicy', 'TeardownQueue'],
      ['TeardownDeadLetterQueuePolicy', 'TeardownDeadLetterQueue'],
    ] as const) {
      expect(resource(policy).Properties.Queues).toEqual([{ Ref: queue }]);
      expect(statementsOf(template, policy)).toContainEqual({
        Sid: 'DenyWithoutTls',
        Effect: 'Deny',
        Principal: '*',
        Action: 'sqs:*',
        Resource: ARN_OF(queue),
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      });
    }
  });

  it('runs each function under its own role, and the sweep may only send to the queue', () => {
    expect(
      ofType('AWS::IAM::Role')
        .map(([id]) => id)
        .sort(),
    ).toEqual(['SweepRole', 'TeardownRole']);
    expect(resource('SweepLambdaFunction').Properties.Role).toEqual(ARN_OF('SweepRole'));
    expect(resource('TeardownLambdaFunction').Properties.Role).toEqual(ARN_OF('TeardownRole'));

    const sweepActions = roleStatements(template, 'SweepRole').flatMap((s) => [s.Action].flat());
    expect(sweepActions.filter((a) => !a.startsWith('dynamodb:')).sort()).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'secretsmanager:GetSecretValue',
      'sqs:SendMessage',
    ]);
    expect(roleActions(template, 'SweepRole', 'TeardownQueue')).toEqual(['sqs:SendMessage']);
    expect(roleActions(template, 'SweepRole', 'TeardownDeadLetterQueue')).toEqual([]);
    expect(roleActions(template, 'SweepRole', 'SweepLogGroup')).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
    expect(roleActions(template, 'TeardownRole', 'TeardownLogGroup')).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
    expect(roleActions(template, 'TeardownRole', 'TeardownQueue').sort()).toEqual([
      'sqs:ChangeMessageVisibility',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:ReceiveMessage',
      'sqs:SendMessage',
    ]);
    expect(roleActions(template, 'TeardownRole', 'TeardownDeadLetterQueue')).toEqual([
      'sqs:SendMessage',
    ]);
    expect(resource('DecryptTheApiTokenPolicy').Properties.Roles).toEqual([
      { Ref: 'SweepRole' },
      { Ref: 'TeardownRole' },
    ]);
  });

  it('encrypts the alarm topic with a key CloudWatch alarms may use, and both queues', () => {
    const topic = resource('AlarmTopic').Properties;
    expect(topic.KmsMasterKeyId).toEqual(ARN_OF('AlarmTopicKey'));
    const key = resource('AlarmTopicKey').Properties;
    expect(key.EnableKeyRotation).toBe(true);
    const forAlarms = (key.KeyPolicy.Statement as Properties[]).find(
      (statement) => statement.Principal.Service === 'cloudwatch.amazonaws.com',
    );
    expect(forAlarms).toMatchObject({
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
    });
    // Every alarm of the stack matches the key's alarm-name condition.
    const pattern = forAlarms?.Condition.ArnLike['aws:SourceArn']['Fn::Join'][1].at(-1) as string;
    const alarmNames = ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties.AlarmName);
    for (const name of alarmNames) expect(`:alarm:${name}`).toMatch(globToRegExp(pattern));
    for (const queue of ['TeardownQueue', 'TeardownDeadLetterQueue']) {
      expect(resource(queue).Properties.SqsManagedSseEnabled).toBe(true);
    }
  });

  it('alarms when no sweep invocation succeeded for two schedule periods, from AWS/Lambda metrics only', () => {
    const heartbeat = (t: Template) => t.Resources.SweepHeartbeatAlarm?.Properties as Properties;
    const alarm = heartbeat(template);
    expect(alarm).toMatchObject({
      AlarmName: 'gateway-janitor-dev-sweep-stopped',
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      AlarmActions: [{ Ref: 'AlarmTopic' }],
    });
    const metrics = alarm.Metrics as Properties[];
    expect(metrics.filter((m) => m.ReturnData)).toEqual([
      expect.objectContaining({ Expression: 'FILL(invocations, 0) - FILL(errors, 0)' }),
    ]);
    const stats = metrics.filter((m) => m.MetricStat).map((m) => m.MetricStat);
    expect(stats).toEqual(
      ['Invocations', 'Errors'].map((name) => ({
        Metric: {
          Namespace: 'AWS/Lambda',
          MetricName: name,
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'SweepLambdaFunction' } }],
        },
        Period: 900,
        Stat: 'Sum',
      })),
    );
    const periods = (heartbeat(live).Metrics as Properties[]).flatMap((m) =>
      m.MetricStat ? [m.MetricStat.Period] : [],
    );
    expect(periods).toEqual([3600, 3600]);
    // No log line can feed it: nothing counts run.summary records any more.
    const patterns = ofType('AWS::Logs::MetricFilter').map(([, f]) => f.Properties.FilterPattern);
    expect(patterns.some((p: string) => p.includes('run.summary'))).toBe(false);
  });

  it('turns the queue trigger off unless the stack is live, and keeps requests 14 days', () => {
    const enabled = (t: Template) =>
      Object.values(resolveConditions(t).Resources).find(
        (r) => r.Type === 'AWS::Lambda::EventSourceMapping',
      )?.Properties.Enabled;

    expect(enabled(template)).toBe(false);
    expect(enabled(live)).toBe(true);
    expect(resource('SweepLambdaFunction').Properties.Environment.Variables.DRY_RUN).toBe('true');
    expect(live.Resources.SweepLambdaFunction?.Properties.Environment.Variables.DRY_RUN).toBe(
      'false',
    );
    expect(resource('TeardownQueue').Properties.MessageRetentionPeriod).toBe(1209600);
  });

  it('passes cfn-lint against the current CloudFormation resource specification, dry and live', () => {
    for (const packaged of [template, live]) {
      const lint = lintTemplate(resolveConditions(packaged));

      expect(lint.errors.crit).toEqual([]);
      expect(lint.templateValid).toBe(true);
    }
  });

  it('has a linter that catches an unknown property and a wrong value type', () => {
    const broken = structuredClone(template);
    const queue = broken.Resources.TeardownQueue as Resource;
    queue.Properties.VisibilityTimeoutSeconds = 360;
    queue.Properties.DelaySeconds = { nested: 'object' };

    const lint = lintTemplate(broken);

    expect(lint.templateValid).toBe(false);
    const messages = lint.errors.crit.map((error) => error.message).join('\n');
    expect(messages).toContain('VisibilityTimeoutSeconds is not a valid property');
    expect(messages).toContain('Expecting an integer');
  });
});
