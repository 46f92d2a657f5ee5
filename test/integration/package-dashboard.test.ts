import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lintTemplate } from '#test/support/lint-template';
import { copyStack, packageIn, REQUIRED_PARAMS } from '#test/support/package-stack';
import { resolveConditions } from '#test/support/resolve-conditions';

// The dashboard and the `notify` parameter in the packaged template. `osls package` runs
// on a copy of the stack's files with placeholder zips, so it neither builds nor races
// package.test.ts for .serverless/ and dist/ (test/support/package-stack.ts).

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
    // Every audit metric charted has a metric filter feeding it.
    const fed = new Set(
      Object.values(plain.Resources)
        .filter((r) => r.Type === 'AWS::Logs::MetricFilter')
        .map((r) => r.Properties.MetricTransformations[0].MetricName),
    );
    for (const w of body().widgets) {
      for (const metric of w.properties.metrics) {
        if (metric[0] === 'GatewayJanitor/dev') expect(fed).toContain(metric[1]);
      }
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
    const publishers = Object.values(notifying.Resources).filter((r) =>
      JSON.stringify(r.Properties?.PolicyDocument ?? r.Properties?.Policies ?? {}).includes(
        'sns:Publish',
      ),
    );
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
