import { describe, expect, it } from 'vitest';
import { lintTemplate } from '#test/support/lint-template';
import { TEST_SECRET_ARN } from '#test/support/package-stack';
import {
  ARN_OF,
  live,
  ofType,
  type Resource,
  resource,
  roleActions,
  roleStatements,
  type Template,
  template,
} from '#test/support/packaged-template';
import { resolveConditions } from '#test/support/resolve-conditions';

// The functions, their environment, roles' registry access and log retention, and cfn-lint over
// both packagings, in the template `npm run package` makes
// (docs/contract.md "Deployment"), packaged once per run with the live variant beside it
// (test/support/package-once.global.ts).

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

  it('gives both functions the confirmation delay and window', () => {
    for (const id of ['SweepLambdaFunction', 'TeardownLambdaFunction']) {
      expect(resource(id).Properties.Environment.Variables).toMatchObject({
        DELETE_CONFIRM_AFTER: '5m',
        DELETE_CONFIRM_WITHIN: '1h',
        TEARDOWN_QUEUE_URL: { Ref: 'TeardownQueue' },
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

  it('keeps both functions’ logs, the audit trail, for at least 400 days, even past the stack', () => {
    for (const id of ['SweepLogGroup', 'TeardownLogGroup']) {
      expect(resource(id).Properties.RetentionInDays).toBeGreaterThanOrEqual(400);
      expect(resource(id).DeletionPolicy).toBe('Retain');
      expect(resource(id).UpdateReplacePolicy).toBe('Retain');
    }
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
