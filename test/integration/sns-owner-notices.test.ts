import { SNSClient } from '@aws-sdk/client-sns';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSnsOwnerNotices } from '#adapters/aws/sns-owner-notices';
import { buildOwnerNotice } from '#core/audit/notice';
import { JanitorError } from '#core/errors';
import { type SnsDouble, startSnsDouble } from '#test/fakes/sns-double';
import { testId } from '#test/fixtures/gateway-builder';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:gateway-janitor-dev-notices';
const notice = buildOwnerNotice('team-search', [
  { gatewayId: testId(1), name: 'search-a', ruleId: 'search', deleteAfter: 1_800_000_000_000 },
]);

describe('createSnsOwnerNotices, against an SNS double', () => {
  let sns: SnsDouble;
  let client: SNSClient;
  beforeEach(async () => {
    sns = await startSnsDouble({ topics: [TOPIC] });
    client = new SNSClient({
      endpoint: sns.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-test-secret' },
      maxAttempts: 1,
    });
  });
  afterEach(async () => {
    client.destroy();
    await sns.close();
  });

  it('publishes the text by default and the chat form for https, with the owner attribute', async () => {
    // Act
    await createSnsOwnerNotices({ topicArn: TOPIC, client }).publish(notice);
    // Assess
    expect(sns.published).toHaveLength(1);
    const [sent] = sns.published;
    expect(sent).toMatchObject({
      topicArn: TOPIC,
      subject: notice.subject,
      messageStructure: 'json',
      attributes: { owner: 'team-search' },
    });
    expect(JSON.parse(sent?.message ?? '{}')).toEqual({
      default: notice.text,
      https: notice.chat,
    });
  });

  it('throws NOTICE_UNPUBLISHED, naming only the error, when SNS refuses', async () => {
    // Prepare
    sns.fail({ status: 403, code: 'AuthorizationError', message: 'not allowed' });
    // Act
    const failure = await createSnsOwnerNotices({ topicArn: TOPIC, client })
      .publish(notice)
      .catch((error: unknown) => error);
    // Assess
    expect(failure).toBeInstanceOf(JanitorError);
    expect(failure).toMatchObject({ code: 'NOTICE_UNPUBLISHED' });
    expect((failure as Error).message).toBe('notice not published: AuthorizationErrorException');
  });

  it('gives up on a Publish that never answers within its bound', async () => {
    // Prepare
    sns.hang();
    // Act
    const started = performance.now();
    const failure = await createSnsOwnerNotices({ topicArn: TOPIC, client, timeoutMs: 200 })
      .publish(notice)
      .catch((error: unknown) => error);
    // Assess
    expect(failure).toMatchObject({ code: 'NOTICE_UNPUBLISHED' });
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});
