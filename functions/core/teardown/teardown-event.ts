import { ValidationError } from '../common/errors.ts';
import type { MessageOrigin, TeardownMessage } from './teardown-deps.ts';

/**
 * Reads the teardown function's SQS event: one message per record, with its id, body,
 * receive count, sender and claimed origin. A record without a messageId or body string
 * fails the whole event, naming the record (docs/contract.md "Triggers"); bodies are
 * parsed, and origins proven, later, per message.
 */
export function parseTeardownEvent(event: unknown): TeardownMessage[] {
  const records = (event as { Records?: unknown } | null)?.Records;
  if (!Array.isArray(records))
    throw new ValidationError('EVENT_INVALID', 'event.Records', 'expected an SQS event');
  return records.map((record, index) => {
    const { messageId, body, attributes, eventSourceARN, receiptHandle } = (record ?? {}) as {
      messageId?: unknown;
      body?: unknown;
      attributes?: { ApproximateReceiveCount?: unknown; SenderId?: unknown };
      eventSourceARN?: unknown;
      receiptHandle?: unknown;
    };
    if (typeof messageId !== 'string' || typeof body !== 'string') {
      throw new ValidationError(
        'EVENT_INVALID',
        `event.Records[${index}]`,
        'expected messageId and body strings',
      );
    }
    // Every record has an origin to prove, even one that claims none.
    const origin: MessageOrigin = {};
    if (typeof eventSourceARN === 'string') origin.eventSourceArn = eventSourceARN;
    if (typeof receiptHandle === 'string') origin.receiptHandle = receiptHandle;
    const message: TeardownMessage = { messageId, body, origin };
    const receiveCount = Number(attributes?.ApproximateReceiveCount);
    if (Number.isInteger(receiveCount) && receiveCount > 0) message.receiveCount = receiveCount;
    if (typeof attributes?.SenderId === 'string') message.senderId = attributes.SenderId;
    return message;
  });
}
