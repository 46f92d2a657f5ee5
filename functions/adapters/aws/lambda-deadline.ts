import type { Deadline } from '#core/ports';

/**
 * The invocation's remaining time less a margin that lets one request in flight finish:
 * no deletion starts, and no retry sleeps, past this budget.
 */
export function lambdaDeadline(
  context: { getRemainingTimeInMillis?: () => number } | undefined,
  marginMs: number,
): Deadline {
  const remaining = context?.getRemainingTimeInMillis;
  if (typeof remaining !== 'function') return { budgetMs: () => Number.POSITIVE_INFINITY };
  return { budgetMs: () => remaining.call(context) - marginMs };
}

// Kept back from an AWS SDK call's bound, so the invocation can still record the failure
// and return before Lambda stops it.
const SDK_RESERVE_MS = 1_000;

/**
 * The running invocation's remaining time, for AWS SDK calls made by adapters that live
 * as long as the execution environment: the handler starts it with each invocation's
 * context, and every call takes an abort signal that fires when that time runs out.
 */
export class InvocationTime {
  #deadline: Deadline = lambdaDeadline(undefined, 0);

  /** Binds the calls that follow to this invocation's remaining time. */
  start(context: { getRemainingTimeInMillis?: () => number } | undefined): void {
    this.#deadline = lambdaDeadline(context, SDK_RESERVE_MS);
  }

  /** Aborts when the invocation's time is up; undefined when no Lambda context bounds it. */
  signal(): AbortSignal | undefined {
    const budgetMs = this.#deadline.budgetMs();
    if (budgetMs === Number.POSITIVE_INFINITY) return undefined;
    return AbortSignal.timeout(Math.max(1, Math.floor(budgetMs)));
  }
}
