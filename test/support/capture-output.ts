import { scanForCanaries } from './canary-guard.ts';

/** Captures everything written to stdout and stderr until `restore()`; nothing is echoed. */
export function captureOutput(): { text(): string; lines(): string[]; restore(): void } {
  const chunks: string[] = [];
  const originals = { out: process.stdout.write, err: process.stderr.write };
  const capture = (chunk: unknown, ...rest: unknown[]) => {
    const text =
      typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    // Captured output is output all the same: the suite-wide canary check sees it too.
    scanForCanaries('captured output', text);
    chunks.push(text);
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  };
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  return {
    text: () => chunks.join(''),
    lines: () => chunks.join('').split('\n').filter(Boolean),
    restore: () => {
      process.stdout.write = originals.out;
      process.stderr.write = originals.err;
    },
  };
}

/** The audit records among captured JSON log lines. */
export function auditLines(lines: string[]): Array<Record<string, unknown>> {
  return lines.flatMap((line) => {
    try {
      const parsed = JSON.parse(line) as { audit?: Record<string, unknown> };
      return parsed.audit ? [parsed.audit] : [];
    } catch {
      return [];
    }
  });
}
