import { decideConfirmation, type StuckReason } from '#core/confirmation/confirmation';
import type { HttpSummary } from '#core/errors';
import { mapBounded } from '#core/map-bounded';
import type { Gateway } from '#core/model';
import type { Clock, GatewayApi } from '#core/ports';
import { backoffMs } from '#core/time';

/** A deletion the CLI saw answer 200, to be confirmed by polling. */
export interface DeletionToConfirm {
  gatewayId: string;
  gatewayName?: string;
  deletedAtMs: number;
}

/** How one deletion ended while the CLI waited. */
export type WaitOutcome = DeletionToConfirm &
  (
    | { kind: 'confirmed'; reason: 'gone' | 'id_reused'; secondsToGone: number; http?: HttpSummary }
    | { kind: 'stuck'; reason: StuckReason; live: Gateway; http?: HttpSummary }
    /** neither confirmed nor stuck when the CLI stopped looking: GETs kept failing */
    | { kind: 'unknown'; error: { code: string; message: string } }
  );

/** How to poll: the window, the backoff between rounds, and the bounds. */
export interface WaitOptions {
  api: Pick<GatewayApi, 'get'>;
  clock: Clock;
  confirmWithinMs: number;
  sleep?: (ms: number) => Promise<void>;
  /** First pause, doubled each round up to maxDelayMs (defaults 1 s and 15 s). */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Rounds of GETs at most (default 500), whatever the window. */
  maxRounds?: number;
  /** Consecutive failed GETs after which a gateway is given up as unknown (default 3). */
  maxErrors?: number;
  concurrency?: number;
  onOutcome?: (outcome: WaitOutcome) => void;
  /** Redraws a one-line progress report, for a terminal. */
  progress?: (line: string) => void;
}

const NO_DEADLINE = { budgetMs: () => Number.POSITIVE_INFINITY };

/**
 * `--wait`: polls each deletion with GET until it is confirmed (404) or stuck, the same
 * decision the teardown function makes for a confirmation message. Bounded in rounds, and
 * in time by the window: past it, a gateway still deleting is stuck.
 */
export async function waitForDeletions(
  deletions: readonly DeletionToConfirm[],
  options: WaitOptions,
): Promise<WaitOutcome[]> {
  const sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  const maxDelayMs = options.maxDelayMs ?? 15_000;
  const maxRounds = options.maxRounds ?? 500;
  const maxErrors = options.maxErrors ?? 3;
  const outcomes: WaitOutcome[] = [];
  const errors = new Map<string, number>();
  const settle = (outcome: WaitOutcome) => {
    outcomes.push(outcome);
    options.onOutcome?.(outcome);
  };
  const started = options.clock.now();
  let pending = [...deletions];
  const initialDelayMs = options.initialDelayMs ?? 1_000;
  for (let round = 0; round < maxRounds && pending.length > 0; round += 1) {
    report(options, deletions.length, outcomes, pending.length, started);
    // Never sleep far past the moment the first pending deletion would turn stuck.
    const now = options.clock.now();
    const firstWindowEnd = Math.min(...pending.map((d) => d.deletedAtMs + options.confirmWithinMs));
    const delayMs = backoffMs(round + 1, initialDelayMs, maxDelayMs);
    await sleep(Math.max(0, Math.min(delayMs, firstWindowEnd - now + 1)));
    const still: DeletionToConfirm[] = [];
    await mapBounded(pending, options.concurrency ?? 8, async (deletion) => {
      let live: { gateway: Gateway | undefined; http: HttpSummary };
      try {
        live = await options.api.get(deletion.gatewayId, NO_DEADLINE);
      } catch (error) {
        const count = (errors.get(deletion.gatewayId) ?? 0) + 1;
        errors.set(deletion.gatewayId, count);
        if (count < maxErrors) still.push(deletion);
        else settle({ ...deletion, kind: 'unknown', error: describe(error) });
        return;
      }
      errors.delete(deletion.gatewayId);
      const decision = decideConfirmation(
        live.gateway,
        deletion.deletedAtMs,
        options.clock.now(),
        options.confirmWithinMs,
      );
      if (decision.action === 'wait') still.push(deletion);
      else if (decision.action === 'confirmed')
        settle({
          ...deletion,
          kind: 'confirmed',
          reason: decision.reason,
          secondsToGone: decision.secondsToGone,
          http: live.http,
        });
      else
        settle({
          ...deletion,
          kind: 'stuck',
          reason: decision.reason,
          live: live.gateway as Gateway,
          http: live.http,
        });
    });
    pending = still;
  }
  for (const deletion of pending)
    settle({
      ...deletion,
      kind: 'unknown',
      error: { code: 'WAIT_GAVE_UP', message: `still not settled after ${maxRounds} rounds` },
    });
  options.progress?.('');
  return outcomes;
}

function report(
  options: WaitOptions,
  total: number,
  outcomes: readonly WaitOutcome[],
  pending: number,
  started: number,
): void {
  if (!options.progress) return;
  const confirmed = outcomes.filter((o) => o.kind === 'confirmed').length;
  const stuck = outcomes.filter((o) => o.kind === 'stuck').length;
  const seconds = Math.round((options.clock.now() - started) / 1000);
  options.progress(
    `waiting for ${total} deletion(s): ${confirmed} confirmed, ${stuck} stuck, ${pending} still deleting (${seconds}s)`,
  );
}

/** An error's stable code and message; API errors never carry the token. */
function describe(error: unknown): { code: string; message: string } {
  const code = (error as { code?: unknown } | null)?.code;
  return {
    code: typeof code === 'string' ? code : 'UNKNOWN',
    message: error instanceof Error ? error.message : String(error),
  };
}
