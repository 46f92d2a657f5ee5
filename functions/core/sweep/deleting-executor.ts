import type { GatewayOutcome } from '../audit/outcome.ts';
import { ApiError } from '../common/errors.ts';
import type { Deadline, GatewayApi } from '../common/ports.ts';
import type { PlanEntry } from './plan-cleanup.ts';
import { plannedFields, type SweepExecutor } from './sweep-executor.ts';

/** A live run: DELETE for each expired gateway, bounded by the invocation's deadline. */
export function createDeletingExecutor(api: GatewayApi, deadline: Deadline): SweepExecutor {
  return {
    spendsBudget: true,
    async execute(entry: PlanEntry): Promise<GatewayOutcome> {
      const planned = plannedFields(entry);
      try {
        const result = await api.delete(entry.gateway.id, deadline);
        // 404 on DELETE: someone else got there first; the gateway is gone either way.
        if (result.kind === 'already_gone')
          return { event: 'gateway.already_gone', ...planned, http: result.http };
        return {
          event: 'gateway.deleted',
          ...planned,
          http: result.http,
          finalState: result.gateway,
        };
      } catch (error) {
        const http = error instanceof ApiError ? error.http : undefined;
        return { event: 'gateway.delete_failed', ...planned, http, error };
      }
    },
  };
}
