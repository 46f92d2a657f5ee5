import { parseTeardownRequest, type TeardownRequest } from './teardown-request.ts';

/**
 * The body that re-sends a request pinned to the live gateway, or undefined when that body
 * would not parse again (a live name too long for `expectedName`, say). Then nothing is
 * re-sent: the original body carries less identity than the janitor has seen, and a later
 * delivery could delete a gateway that reused the id (docs/reliability.md).
 */
export function pinnedBody(request: TeardownRequest): string | undefined {
  const text = JSON.stringify(request);
  return parseTeardownRequest(text).ok ? text : undefined;
}
