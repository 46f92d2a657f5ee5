import { afterEach } from 'vitest';
import { scanForCanaries, takeCanaryLeaks, teeStream } from './canary-guard.ts';

// Runs in every test file (vitest.config.ts `setupFiles`): whatever reaches stdout,
// stderr or the console during any test is scanned for the canaries of canaries.ts,
// and so are audit records (MemoryAuditSink) and output captured by captureOutput().
teeStream(process.stdout, 'stdout');
teeStream(process.stderr, 'stderr');
for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
  const original = console[method];
  console[method] = (...args: unknown[]) => {
    scanForCanaries(`console.${method}`, args);
    original.apply(console, args);
  };
}

afterEach(() => {
  const leaks = takeCanaryLeaks();
  if (leaks.length > 0) {
    const where = leaks.map((leak) => `${leak.canary} in ${leak.where}`).join(', ');
    throw new Error(`a secret canary leaked: ${where}`);
  }
});
