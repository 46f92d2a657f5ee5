import { describe, expect, it } from 'vitest';
import { parseTeardownEvent } from '#core/teardown/context';

describe('parseTeardownEvent', () => {
  it('reads each record as a message with its receive count, sender and claimed origin', () => {
    // Prepare
    const event = {
      Records: [
        {
          messageId: 'm-1',
          body: '{}',
          receiptHandle: 'AQEBhandle',
          eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:teardown',
          attributes: { ApproximateReceiveCount: '3', SenderId: 'AROAEXAMPLE:session' },
        },
        { messageId: 'm-2', body: 'not json', attributes: {} },
      ],
    };
    // Act
    const messages = parseTeardownEvent(event);
    // Assess
    expect(messages).toEqual([
      {
        messageId: 'm-1',
        body: '{}',
        receiveCount: 3,
        senderId: 'AROAEXAMPLE:session',
        origin: {
          receiptHandle: 'AQEBhandle',
          eventSourceArn: 'arn:aws:sqs:us-east-1:123456789012:teardown',
        },
      },
      // A record that claims no origin still has one to prove, and fails the proof.
      { messageId: 'm-2', body: 'not json', origin: {} },
    ]);
  });

  it.each([
    ['an event without Records', {}, 'event.Records'],
    ['null', null, 'event.Records'],
    ['a record without a body', { Records: [{ messageId: 'm-1' }] }, 'event.Records[0]'],
    ['a null record', { Records: [{ messageId: 'm-1', body: '' }, null] }, 'event.Records[1]'],
  ])('rejects %s, naming the field', (_title, event, field) => {
    expect(() => parseTeardownEvent(event)).toThrow(
      expect.objectContaining({ code: 'EVENT_INVALID', field }),
    );
  });
});
