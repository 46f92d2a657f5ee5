import { ValidationError } from '../common/errors.ts';
import type { TeardownMessage } from './teardown-deps.ts';

/**
 * Reads the teardown function's SQS event: one message per record, with its id, body
 * and receive count. A record without a messageId or body string fails the whole event,
 * naming the record (docs/contract.md "Triggers"); bodies are parsed later, per message.
 */
export function parseTeardownEvent(event: unknown): TeardownMessage[] {
  const records = (event as { Records?: unknown } | null)?.Records;
  if (!Array.isArray(records))
    throw new ValidationError('EVENT_INVALID', 'event.Records', 'expected an SQS event');
  return records.map((record, index) => {
    const { messageId, body, attributes } = (record ?? {}) as {
      messageId?: unknown;
      body?: unknown;
      attributes?: { ApproximateReceiveCount?: unknown };
    };
    if (typeof messageId !== 'string' || typeof body !== 'string') {
      throw new ValidationError(
        'EVENT_INVALID',
        `event.Records[${index}]`,
        'expected messageId and body strings',
      );
    }
    const receiveCount = Number(attributes?.ApproximateReceiveCount);
    return Number.isInteger(receiveCount) && receiveCount > 0
      ? { messageId, body, receiveCount }
      : { messageId, body };
  });
}
