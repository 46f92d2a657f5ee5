import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintTemplate } from '#test/support/lint-template';
import { copyStack, packageIn, REQUIRED_PARAMS } from '#test/support/package-stack';
import { resolveConditions } from '#test/support/resolve-conditions';

// The dashboard and the `notify` parameter in the packaged template. `osls package` runs
// on a copy of the stack's files with placeholder zips, so it neither builds nor races
// the packaged-*.test.ts packaging for .serverless/ and dist/ (test/support/package-stack.ts).

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are free-form JSON, which the assertions below check
type Properties = Record<string, any>;
type Resource = { Type: string; Condition?: string; Properties: Properties };
type Template = { Resources: Record<string, Resource>; Conditions: Record<string, unknown> };

const dirs: string[] = [];

async function packageStack(params: string[]): Promise<Template> {
  const dir = await copyStack();
  dirs.push(dir);
  const packaged = await packageIn(dir, [...REQUIRED_PARAMS, ...params]);
  if (!packaged.ok) throw new Error(packaged.output);
  return packaged.template as Template;
}

let plain: Template;
let notifying: Template;

beforeAll(async () => {
  [plain, notifying] = await Promise.all([
    packageStack([]),
    packageStack(['--param', 'notify=deletions']),
  ]);
}, 150_000);

afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const resource = (template: Template, id: string): Resource => {
  const found = template.Resources[id];
  if (!found) throw new Error(`the template has no ${id}`);
  return found;
};

describe('the packaged dashboard', () => {
  const body = () =>
    JSON.parse(resource(plain, 'JanitorDashboard').Properties.DashboardBody) as {
      widgets: Array<{ properties: { title: string; metrics: unknown[][] } }>;
    };
  const widget = (title: string) => {
    const found = body().widgets.find((w) => w.properties.title.startsWith(title));
    if (!found) throw new Error(`no widget titled ${title}`);
    return found.properties;
  };

  it('is one dashboard named after the stack', () => {
    expect(resource(plain, 'JanitorDashboard')).toMatchObject({
      Type: 'AWS::CloudWatch::Dashboard',
      Properties: { DashboardName: 'gateway-janitor-dev' },
    });
  });

  it('charts deletions per day by trigger from a metric filter on both log groups', () => {
    expect(widget('Gateways deleted per day')).toMatchObject({ period: 86400, stat: 'Sum' });
    expect(widget('Gateways deleted per day').metrics.map((m) => m.slice(0, 4))).toEqual([
      ['GatewayJanitor/dev', 'Deleted', 'Trigger', 'schedule'],
      ['GatewayJanitor/dev', 'Deleted', 'Trigger', 'sqs'],
      ['GatewayJanitor/dev', 'Deleted', 'Trigger', 'direct'],
    ]);
    for (const [id, group] of [
      ['DeletedSweepMetricFilter', 'SweepLogGroup'],
      ['DeletedTeardownMetricFilter', 'TeardownLogGroup'],
    ] as const) {
      expect(resource(plain, id).Properties).toMatchObject({
        LogGroupName: { Ref: group },
        FilterPattern: '{ $.audit.event = "gateway.deleted" }',
        MetricTransformations: [
          { MetricName: 'Deleted', Dimensions: [{ Key: 'Trigger', Value: '$.audit.trigger' }] },
        ],
      });
    }
  });

  it('charts failed and stuck deletions, aborted and truncated runs, the DLQ and sweep duration', () => {
    const names = (title: string) => widget(title).metrics.map((m) => m[1]);
    expect(names('Failed and stuck')).toEqual([
      'DeleteFailed',
      'DeleteStuckSeen',
      'RequestRejected',
    ]);
    expect(names('Aborted and truncated')).toEqual(['RunAborted', 'RunTruncated']);
    expect(widget('Teardown dead-letter').metrics[0]).toEqual([
      'AWS/SQS',
      'ApproximateNumberOfMessagesVisible',
      'QueueName',
      'gateway-janitor-dev-teardown-dlq',
      { label: 'messages' },
    ]);
    expect(widget('Sweep duration').metrics[0]?.slice(0, 4)).toEqual([
      'AWS/Lambda',
      'Duration',
      'FunctionName',
      'gateway-janitor-dev-sweep',
    ]);
    expect(
      widget('Gateways to be deleted within 24 hours').metrics.map((m) => m.slice(0, 4)),
    ).toEqual([
      ['GatewayJanitor/dev', 'ExpiringWithin24h', 'service', 'gateway-janitor'],
      [
        'GatewayJanitor/dev',
        'NoticeFailed',
        { stat: 'Sum', label: 'notice failed (gateway kept)' },
      ],
    ]);
    // Every audit metric charted has a metric filter feeding it, but the sweep's own
    // embedded metric (filed under the namespace the functions are given).
    expect(
      resource(plain, 'SweepLambdaFunction').Properties.Environment.Variables
        .POWERTOOLS_METRICS_NAMESPACE,
    ).toBe('GatewayJanitor/dev');
    const fed = new Set([
      ...Object.values(plain.Resources)
        .filter((r) => r.Type === 'AWS::Logs::MetricFilter')
        .map((r) => r.Properties.MetricTransformations[0].MetricName),
      'ExpiringWithin24h',
    ]);
    for (const w of body().widgets) {
      for (const metric of w.properties.metrics) {
        if (metric[0] === 'GatewayJanitor/dev') expect(fed).toContain(metric[1]);
      }
    }
  });
});

describe('the notices topic', () => {
  it('is encrypted with a key of its own, published to by the sweep alone, and an output', () => {
    expect(resource(plain, 'NoticeTopic').Properties.KmsMasterKeyId).toEqual({
      'Fn::GetAtt': ['NoticeTopicKey', 'Arn'],
    });
    const policy = resource(plain, 'PublishNoticesPolicy').Properties;
    expect(policy.Roles).toEqual([{ Ref: 'SweepRole' }]);
    expect(policy.PolicyDocument.Statement[0]).toMatchObject({
      Action: 'sns:Publish',
      Resource: { Ref: 'NoticeTopic' },
    });
    const topicPolicy = resource(plain, 'NoticeTopicPolicy').Properties.PolicyDocument;
    expect(topicPolicy.Statement[0]).toMatchObject({
      Effect: 'Deny',
      Action: 'sns:Publish',
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': ['SweepRole', 'Arn'] } } },
    });
    expect(
      resource(plain, 'SweepLambdaFunction').Properties.Environment.Variables.NOTICE_TOPIC_ARN,
    ).toEqual({ Ref: 'NoticeTopic' });
    expect(
      resource(plain, 'TeardownLambdaFunction').Properties.Environment.Variables.NOTICE_TOPIC_ARN,
    ).toBeUndefined();
    expect(
      (plain as unknown as { Outputs: Record<string, unknown> }).Outputs.NoticeTopicArn,
    ).toMatchObject({ Value: { Ref: 'NoticeTopic' } });
  });

  it('alarms on notice_failed records of the sweep', () => {
    expect(resource(plain, 'NoticeFailedMetricFilter').Properties).toMatchObject({
      LogGroupName: { Ref: 'SweepLogGroup' },
      FilterPattern: '{ $.audit.event = "gateway.skipped" && $.audit.reason = "notice_failed" }',
    });
    expect(resource(plain, 'NoticeFailedAlarm').Properties).toMatchObject({
      MetricName: 'NoticeFailed',
      Threshold: 0,
      AlarmActions: [{ Ref: 'AlarmTopic' }],
    });
  });
});

describe('the pause and the rolling budget on the dashboard and the alarms', () => {
  const widgetMetrics = (title: string) => {
    const body = JSON.parse(resource(plain, 'JanitorDashboard').Properties.DashboardBody) as {
      widgets: Array<{ properties: { title: string; metrics: unknown[][] } }>;
    };
    const found = body.widgets.find((w) => w.properties.title.startsWith(title));
    if (!found) throw new Error(`no widget titled ${title}`);
    return found.properties.metrics.map((m) => m[1]);
  };

  it("charts the pause state and the budget from each sweep's run.summary", () => {
    expect(widgetMetrics('Pause and change windows')).toEqual(['Paused', 'OutsideWindow']);
    expect(widgetMetrics('Rolling budget')).toEqual(['BudgetLeft', 'BudgetUsed', 'DailyLimit']);
    expect(resource(plain, 'PausedMetricFilter').Properties).toMatchObject({
      LogGroupName: { Ref: 'SweepLogGroup' },
      FilterPattern: '{ $.audit.gate = "paused" }',
    });
    expect(resource(plain, 'BudgetLeftMetricFilter').Properties.MetricTransformations).toEqual([
      expect.objectContaining({ MetricName: 'BudgetLeft', MetricValue: '$.audit.budget.left' }),
    ]);
  });

  it('alarms on any daily_limit refusal, from both functions', () => {
    expect(resource(plain, 'DailyLimitAlarm').Properties).toMatchObject({
      AlarmName: 'gateway-janitor-dev-daily-limit',
      MetricName: 'DailyLimit',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    for (const [id, group] of [
      ['DailyLimitSweepMetricFilter', 'SweepLogGroup'],
      ['DailyLimitTeardownMetricFilter', 'TeardownLogGroup'],
    ] as const) {
      expect(resource(plain, id).Properties).toMatchObject({
        LogGroupName: { Ref: group },
        FilterPattern: '{ $.audit.reason = "daily_limit" }',
      });
    }
  });
});

describe('the notify parameter', () => {
  it('is off by default, and gives both functions NOTIFY and the topic', () => {
    for (const id of ['SweepLambdaFunction', 'TeardownLambdaFunction']) {
      expect(resource(plain, id).Properties.Environment.Variables).toMatchObject({
        NOTIFY: 'off',
        NOTIFY_TOPIC_ARN: { Ref: 'AlarmTopic' },
      });
    }
    expect(plain.Conditions.NotifyOn).toEqual({ 'Fn::Not': [{ 'Fn::Equals': ['off', 'off'] }] });
  });

  it('grants sns:Publish on the topic only, and only when notify is on', () => {
    expect(resource(notifying, 'SweepLambdaFunction').Properties.Environment.Variables.NOTIFY).toBe(
      'deletions',
    );
    expect(notifying.Conditions.NotifyOn).toEqual({
      'Fn::Not': [{ 'Fn::Equals': ['deletions', 'off'] }],
    });
    const policy = resource(notifying, 'PublishRunNoticesPolicy');
    expect(policy.Condition).toBe('NotifyOn');
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      {
        Sid: 'PublishRunNotices',
        Effect: 'Allow',
        Action: 'sns:Publish',
        Resource: { Ref: 'AlarmTopic' },
      },
      {
        Sid: 'EncryptRunNotices',
        Effect: 'Allow',
        Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        Resource: { 'Fn::GetAtt': ['AlarmTopicKey', 'Arn'] },
      },
    ]);
    expect(policy.Properties.Roles).toEqual([{ Ref: 'SweepRole' }, { Ref: 'TeardownRole' }]);
    // The notices topic (infra/notices.yml) has a publisher of its own, whatever notify says.
    const publishers = Object.values(notifying.Resources).filter((r) => {
      const text = JSON.stringify(r.Properties?.PolicyDocument ?? r.Properties?.Policies ?? {});
      return text.includes('sns:Publish') && !text.includes('NoticeTopic');
    });
    expect(publishers).toHaveLength(1);
  });

  it('passes cfn-lint with the dashboard and the notify policy', () => {
    for (const template of [plain, notifying]) {
      expect(template.Resources.JanitorDashboard?.Type).toBe('AWS::CloudWatch::Dashboard');
      const lint = lintTemplate(resolveConditions(template));
      expect(lint.errors.crit).toEqual([]);
      expect(lint.templateValid).toBe(true);
    }
  });
});
