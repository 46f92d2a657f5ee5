import { describe, expect, it } from 'vitest';
import { parseTeardownEvent } from '#core/teardown/teardown-event';

describe('parseTeardownEvent', () => {
  it('reads each record as a message with its receive count', () => {
    // Prepare
    const event = {
      Records: [
        { messageId: 'm-1', body: '{}', attributes: { ApproximateReceiveCount: '3' } },
        { messageId: 'm-2', body: 'not json', attributes: {} },
      ],
    };
    // Act
    const messages = parseTeardownEvent(event);
    // Assess
    expect(messages).toEqual([
      { messageId: 'm-1', body: '{}', receiveCount: 3 },
      { messageId: 'm-2', body: 'not json' },
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
