import { ValidationError } from '../errors.ts';

/** What a sweep event asks for: who triggered it and whether it insists on a dry run. */
export interface SweepRequest {
  trigger: 'schedule' | 'direct';
  dryRun?: boolean;
}

/**
 * Reads a sweep's event: an EventBridge "Scheduled Event", an EventBridge Scheduler
 * input such as `{}` or `{"dryRun": true}`, or a direct invoke. Any JSON object starts a
 * sweep; unknown fields (envelope fields) are ignored, but a recognised field with a
 * wrong type, or an event that is not an object, is rejected (docs/contract.md "Triggers").
 */
export function parseSweepEvent(event: unknown): SweepRequest {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new ValidationError(
      'EVENT_INVALID',
      'event',
      `expected a JSON object, got ${describe(event)}`,
    );
  }
  const fields = event as Record<string, unknown>;
  const request: SweepRequest = {
    trigger: fields['detail-type'] === 'Scheduled Event' ? 'schedule' : 'direct',
  };
  if ('dryRun' in fields && fields.dryRun !== undefined) {
    if (typeof fields.dryRun !== 'boolean') {
      throw new ValidationError(
        'EVENT_INVALID',
        'event.dryRun',
        `expected true or false, got ${describe(fields.dryRun)}`,
      );
    }
    request.dryRun = fields.dryRun;
  }
  return request;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
