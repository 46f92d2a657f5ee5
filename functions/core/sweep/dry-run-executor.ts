import { plannedFields, type SweepExecutor } from './sweep-executor.ts';

/** A dry run: every expired gateway is recorded as one that would be deleted, nothing is sent. */
export function createDryRunExecutor(): SweepExecutor {
  return {
    spendsBudget: false,
    execute: async (entry) => ({ event: 'gateway.would_delete', ...plannedFields(entry) }),
  };
}
