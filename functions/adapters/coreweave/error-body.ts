/** Parses a body as JSON; undefined when it is empty or not JSON. */
export function parseJson(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The API's own message from a google.rpc.Status or Connect error body, bounded. */
export function apiMessage(text: string | undefined, token: string): string | undefined {
  const body = parseJson(text) as { message?: unknown; error?: unknown } | undefined;
  const message = body && typeof body === 'object' ? (body.message ?? body.error) : undefined;
  if (typeof message === 'string' && message.length > 0) {
    // A proxy that echoes the request in its error would hand us our own token back.
    return message.replaceAll(token, '[REDACTED]').slice(0, 500);
  }
  if (text && text.length > 0) return 'non-JSON error body';
  return undefined;
}
