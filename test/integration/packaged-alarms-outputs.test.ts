import { describe, expect, it } from 'vitest';
import {
  ARN_OF,
  globToRegExp,
  live,
  ofType,
  type Properties,
  resource,
  type Template,
  template,
} from '#test/support/packaged-template';

// The alarms, their topic, the saved Logs Insights queries and the stack outputs, in the template `npm run package` makes
// (docs/contract.md "Deployment"), packaged once per run with the live variant beside it
// (test/support/package-once.global.ts).

describe('the packaged CloudFormation template', () => {
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
});
