import type { TeardownDeps, TeardownMessage } from './teardown-deps.ts';

/**
 * Parks a message in the dead-letter queue; true when it is safe to acknowledge. A send
 * that fails is false, not thrown: the message comes back and the batch goes on.
 */
export async function parkMessage(
  message: TeardownMessage,
  deps: TeardownDeps,
  why: string,
): Promise<boolean> {
  if (!deps.queue) return true;
  try {
    return await deps.queue.deadLetter(message.body, why);
  } catch {
    return false;
  }
}
