import { ApiError, type HttpSummary } from '#core/errors';

/** Where a body came from, for the error that names it. */
export interface BodySource {
  method: string;
  path: string;
  http: HttpSummary;
}

/** An API_BAD_RESPONSE naming the request and what was wrong with its body. */
export function badResponse({ method, path, http }: BodySource, detail: string): ApiError {
  return new ApiError('API_BAD_RESPONSE', {
    method,
    path,
    status: http.status,
    detail: `unexpected body: ${detail}`,
    http,
  });
}

/**
 * Reads `{ "items": [...] }` with `toItem` (which returns a message for an item it cannot
 * read); a missing `items` is an empty list, since proto3 JSON omits empty arrays. One
 * unreadable item refuses the whole list: what we cannot read cannot be judged safely.
 */
export function parseItems<T>(
  body: unknown,
  source: BodySource,
  toItem: (item: unknown) => T | string,
): T[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badResponse(source, 'expected a JSON object');
  }
  const items = (body as { items?: unknown }).items ?? [];
  if (!Array.isArray(items)) throw badResponse(source, 'items: expected an array');
  return items.map((item, index) => {
    const result = toItem(item);
    if (typeof result === 'string') throw badResponse(source, `items[${index}].${result}`);
    return result;
  });
}

/**
 * Reads `{ "<key>": … }` (a GET or DELETE answer) with `toItem`, or throws
 * API_BAD_RESPONSE naming what was wrong.
 */
export function parseWrapped<T>(
  body: unknown,
  key: string,
  source: BodySource,
  toItem: (item: unknown) => T | string,
): T {
  const wrapped =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const result = toItem(wrapped[key]);
  if (typeof result === 'string') throw badResponse(source, result);
  return result;
}
