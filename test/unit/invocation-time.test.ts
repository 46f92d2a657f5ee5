import { describe, expect, it } from 'vitest';
import { InvocationTime } from '#adapters/aws/lambda-deadline';

const contextWith = (remainingMs: number) => ({ getRemainingTimeInMillis: () => remainingMs });

describe('InvocationTime', () => {
  it('bounds nothing outside a Lambda invocation (the CLI, a context without a clock)', () => {
    // Prepare
    const time = new InvocationTime();
    // Act
    const before = time.signal();
    time.start({});
    const without = time.signal();
    // Assess
    expect(before).toBeUndefined();
    expect(without).toBeUndefined();
  });

  it('gives an SDK call a signal that has not fired while the invocation has time left', () => {
    // Prepare
    const time = new InvocationTime();
    time.start(contextWith(60_000));
    // Act
    const signal = time.signal();
    // Assess
    expect(signal).toBeInstanceOf(AbortSignal);
    expect(signal?.aborted).toBe(false);
  });

  it('aborts a call at once when less than the reserve is left, not after it', async () => {
    // Prepare
    const time = new InvocationTime();
    time.start(contextWith(200));
    // Act
    const signal = time.signal() as AbortSignal;
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    // Assess
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toMatchObject({ name: 'TimeoutError' });
  });

  it('follows the invocation it was last started with', () => {
    // Prepare
    const time = new InvocationTime();
    time.start(contextWith(60_000));
    // Act
    time.start(undefined);
    // Assess
    expect(time.signal()).toBeUndefined();
  });
});
