import { describe, expect, it } from 'vitest';
import { OPERATORS, SENDERS, TEST_SECRET_ARN } from '#test/support/package-stack';
import {
  ARN_OF,
  live,
  ofType,
  type Properties,
  resource,
  roleActions,
  roleStatements,
  type Statement,
  statementsOf,
  template,
} from '#test/support/packaged-template';

// The teardown queue, its dead-letter queue, their policies and the functions' IAM, in the template `npm run package` makes
// (docs/contract.md "Deployment"), packaged once per run with the live variant beside it
// (test/support/package-once.global.ts).

describe('the packaged CloudFormation template', () => {
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
});
