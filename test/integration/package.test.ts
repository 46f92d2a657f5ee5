import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintTemplate } from '#test/support/lint-template';
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

const PLACEHOLDER_SECRET =
  'arn:aws:secretsmanager:us-east-1:000000000000:secret:coreweave-api-token-AbCdEf';

const SENDERS = [
  'arn:aws:iam::111122223333:role/ci-preview',
  'arn:aws:iam::444455556666:user/release-bot',
];
const OFFLINE_ENV = {
  AWS_ACCESS_KEY_ID: 'AKIAOFFLINEPACKAGING',
  AWS_SECRET_ACCESS_KEY: 'offline-packaging-only',
  AWS_REGION: 'us-east-1',
  SLS_TELEMETRY_DISABLED: '1',
  SLS_NOTIFICATIONS_MODE: 'off',
};
const ROOT = new URL('../..', import.meta.url).pathname;

let template: Template;
// The same service packaged live, with teardown senders and an hourly schedule.
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
  await promisify(execFile)('npm', ['run', 'package'], {
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
      `teardownSenders=${SENDERS.join(', ')}`,
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

  it('runs one sweep at a time, on a schedule, dry by default', () => {
    const sweep = resource('SweepLambdaFunction').Properties;
    expect(sweep.ReservedConcurrentExecutions).toBe(1);
    expect(sweep.Environment.Variables).toMatchObject({
      DRY_RUN: 'true',
      COREWEAVE_TOKEN_SECRET_ID: PLACEHOLDER_SECRET,
      POWERTOOLS_SERVICE_NAME: 'gateway-janitor',
      NODE_OPTIONS: '--max-semi-space-size=4',
      TEARDOWN_QUEUE_URL: { Ref: 'TeardownQueue' },
    });
    expect(JSON.parse(sweep.Environment.Variables.JANITOR_POLICY)).toHaveProperty('rules');
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
      expect(resources(statement)).toEqual([PLACEHOLDER_SECRET]);
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
    expect(patterns).toContain('{ $.audit.event = "gateway.delete_failed" }');
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

  it('alarms on stuck deletions recorded by either function', () => {
    const filters = ofType('AWS::Logs::MetricFilter')
      .map(([, f]) => f.Properties)
      .filter((f) => f.FilterPattern === '{ $.audit.event = "gateway.delete_stuck" }');
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

  it('outputs the queue URLs and the alarm topic', () => {
    expect(Object.keys(template.Outputs)).toEqual(
      expect.arrayContaining(['TeardownQueueUrl', 'DeadLetterQueueUrl', 'AlarmTopicArn']),
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
    expect(statements.filter((s) => s.Effect === 'Allow')).toEqual([
      expect.objectContaining({
        Principal: { AWS: SENDERS },
        Action: 'sqs:SendMessage',
        Resource: ARN_OF('TeardownQueue'),
      }),
    ]);
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
    expect(sweepActions.sort()).toEqual([
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

  it('alarms when the sweep wrote no run.summary for two schedule periods', () => {
    const filter = ofType('AWS::Logs::MetricFilter')
      .map(([, f]) => f.Properties)
      .find((f) => f.FilterPattern === '{ $.audit.event = "run.summary" }');
    expect(filter?.LogGroupName).toEqual({ Ref: 'SweepLogGroup' });
    const metric = filter?.MetricTransformations[0];

    const heartbeat = (t: Template) =>
      Object.values(t.Resources).find(
        (r) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.MetricName === metric.MetricName,
      )?.Properties;
    expect(heartbeat(template)).toMatchObject({
      Namespace: metric.MetricNamespace,
      Statistic: 'Sum',
      Period: 900,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      AlarmActions: [{ Ref: 'AlarmTopic' }],
    });
    expect(heartbeat(live)?.Period).toBe(3600);
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
