import {
  isConfirmationBody,
  type ParsedConfirmation,
  parseConfirmationMessage,
} from './confirmation-message.ts';

/**
 * A teardown message body that is a confirmation (a JSON object with `confirm`), parsed;
 * undefined for any other body, which is then read as a teardown request.
 */
export function readConfirmation(body: string): ParsedConfirmation | undefined {
  // Bodies too long to be a request are refused by the request parser, with its message.
  if (body.length > 16_384 || !body.includes('"confirm"')) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return undefined;
  return isConfirmationBody(data) ? parseConfirmationMessage(data) : undefined;
}
