import { describe, expect, it } from 'vitest';
import { resolveConditions } from '#test/support/resolve-conditions';

// The packaged template is linted and inspected through this: it must decide conditions
// the way CloudFormation does, and keep every other intrinsic.
const template = () => ({
  Conditions: {
    IsLive: { 'Fn::Equals': ['false', 'false'] },
    HasSenders: { 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] },
    LiveWithSenders: { 'Fn::And': [{ Condition: 'IsLive' }, { Condition: 'HasSenders' }] },
  },
  Resources: {
    Mapping: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        Enabled: { 'Fn::If': ['IsLive', true, false] },
        EventSourceArn: { 'Fn::GetAtt': ['Queue', 'Arn'] },
      },
    },
    Policy: {
      Type: 'AWS::SQS::QueuePolicy',
      Properties: {
        Statement: [
          { Sid: 'Always' },
          { 'Fn::If': ['HasSenders', { Sid: 'Senders' }, { Ref: 'AWS::NoValue' }] },
        ],
        Extra: { 'Fn::If': ['LiveWithSenders', 'x', { Ref: 'AWS::NoValue' }] },
      },
    },
    OnlyWithSenders: { Type: 'AWS::SNS::Subscription', Condition: 'HasSenders', Properties: {} },
  },
});

describe('resolveConditions', () => {
  it('takes the branch its condition chooses and keeps other intrinsics', () => {
    // Act
    const resolved = resolveConditions(template());
    // Assess
    expect(resolved.Resources.Mapping).toEqual({
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: { Enabled: true, EventSourceArn: { 'Fn::GetAtt': ['Queue', 'Arn'] } },
    });
  });

  it('drops AWS::NoValue from lists and objects, and resources whose condition is false', () => {
    // Act
    const resolved = resolveConditions(template());
    // Assess
    expect(resolved.Resources.Policy?.Properties).toEqual({ Statement: [{ Sid: 'Always' }] });
    expect(Object.keys(resolved.Resources)).toEqual(['Mapping', 'Policy']);
    expect(resolved).not.toHaveProperty('Conditions');
  });

  it('refuses a condition the template does not declare', () => {
    // Prepare
    const broken = template();
    broken.Resources.Mapping.Properties.Enabled = { 'Fn::If': ['IsLiev', true, false] };
    // Act, Assess
    expect(() => resolveConditions(broken)).toThrow('the template has no condition IsLiev');
  });
});
