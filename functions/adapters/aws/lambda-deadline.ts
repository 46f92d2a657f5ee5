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
