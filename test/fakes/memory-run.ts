import type { Trigger } from '#core/audit/record';
import type { RunDeps } from '#core/audit/recorder';
import type { Gateway } from '#core/model';
import type { Policy } from '#core/policy/compile-policy';
import { NOW } from '#test/fixtures/gateway-builder';
import { MemoryAuditSink } from './memory-audit-sink.ts';
import { MemoryGatewayApi } from './memory-gateway-api.ts';

/** The clock stopped at NOW and a deadline a minute away, for a run in memory. */
export const AT_NOW = { clock: { now: () => NOW }, deadline: { budgetMs: () => 60_000 } };

/**
 * A run's ports in memory: the fleet behind a MemoryGatewayApi, a MemoryAuditSink, the
 * clock stopped at NOW, and a deadline with a minute left that `spendBudget` uses up.
 */
export function memoryRun(gateways: readonly Gateway[], policy: Policy, trigger: Trigger) {
  const api = new MemoryGatewayApi(gateways);
  const sink = new MemoryAuditSink();
  let budgetMs = 60_000;
  const deps: RunDeps = {
    api,
    sink,
    clock: { now: () => NOW },
    deadline: { budgetMs: () => budgetMs },
    policy,
    concurrency: 4,
    run: { runId: 'run-1', trigger, dryRun: false },
  };
  const spendBudget = () => {
    budgetMs = 0;
  };
  return { api, sink, deps, spendBudget };
}
