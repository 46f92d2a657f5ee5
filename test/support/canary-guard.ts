import { CANARIES, CANARY_API_KEY, CANARY_TOKEN, ROTATED_TOKEN } from './canaries.ts';

/** Where a canary was seen, by name: the report never repeats the secret itself. */
export interface CanaryLeak {
  canary: string;
  where: string;
}

const NAMES = new Map<string, string>([
  [CANARY_TOKEN, 'CANARY_TOKEN'],
  [ROTATED_TOKEN, 'ROTATED_TOKEN'],
  [CANARY_API_KEY, 'CANARY_API_KEY'],
]);
const leaks: CanaryLeak[] = [];

/**
 * Records a leak for every canary found in `value`: a string or buffer (output), an
 * error (message, stack, and its cause chain), or any JSON-able value (audit records,
 * handler results). The setup file fails the running test when anything was recorded.
 */
export function scanForCanaries(where: string, value: unknown): void {
  const text = render(value, 0);
  for (const canary of CANARIES) {
    if (text.includes(canary)) leaks.push({ canary: NAMES.get(canary) ?? 'canary', where });
  }
}

/** Leaks recorded since the last call; the list is emptied. */
export function takeCanaryLeaks(): CanaryLeak[] {
  return leaks.splice(0, leaks.length);
}

/**
 * Wraps a stream's write so everything written is scanned, keeping a short tail so a
 * canary split across two writes is still found. Returns the function that unwraps it.
 */
export function teeStream(stream: NodeJS.WriteStream, where: string): () => void {
  const original = stream.write;
  const longest = Math.max(...CANARIES.map((canary) => canary.length));
  let tail = '';
  stream.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
    const text = tail + render(chunk, 0);
    scanForCanaries(where, text);
    tail = text.slice(-longest);
    return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof stream.write;
  return () => {
    stream.write = original;
  };
}

function render(value: unknown, depth: number): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (value instanceof Error) {
    const own = JSON.stringify(value, Object.getOwnPropertyNames(value));
    const cause = depth < 5 ? render((value as { cause?: unknown }).cause, depth + 1) : '';
    return `${value.message}\n${value.stack ?? ''}\n${own}\n${cause}`;
  }
  if (value === undefined) return '';
  try {
    return JSON.stringify(value, (_key, field) =>
      field instanceof Error ? render(field, depth + 1) : field,
    );
  } catch {
    return String(value);
  }
}
