import type { RunDeps } from '../audit/recorder.ts';
import { JanitorError, RegistryError, ValidationError } from '../errors.ts';
import { type ChangeWindow, isOpen, nextOpening } from '../policy/change-windows.ts';
import { DEFAULT_MAX_DELETES_PER_24H } from '../policy/steering-policy.ts';
import type { Clock } from '../ports.ts';
import type {
  BudgetSlot,
  ItemKey,
  LastRun,
  LastRunInput,
  LastRunRecords,
  Registry,
  RegistryStore,
  StoredItem,
} from '../registry-port.ts';
import { parseRfc3339 } from '../time.ts';
import { isPaused } from './registry-verdict.ts';

/*
 * The control gate and the rolling budget (docs/contract.md "Pause, change windows and a
 * rolling budget"): two calls every sweep and teardown makes, apart from its decisions;
 * and the last-run record each function leaves for `status`.
 */

/** Why nothing may be deleted right now. */
export type GateReason = 'paused' | 'outside_window';

/** Whether this invocation may delete at all. */
export type Gate =
  | { open: true }
  /** `until`: when a timed pause ends; absent for a pause until `resume` or an unreadable one */
  | { open: false; reason: 'paused'; until?: number; unreadable?: true }
  /** `opensAt`: the next opening of a window */
  | { open: false; reason: 'outside_window'; opensAt?: number };

/** What the gate reads: the registry's pause switch (when there is one) and the windows. */
export interface GateInput {
  registry?: Pick<Registry, 'readControl'>;
  windows?: readonly ChangeWindow[];
  now: number;
}

/**
 * Reads the pause first, then the windows. A pause that cannot be read counts as a pause:
 * the switch exists so that an operator can stop deletions, and an unreadable switch must
 * not undo that. Without a registry there is no switch, and only the windows apply.
 */
export async function readGate({ registry, windows, now }: GateInput): Promise<Gate> {
  if (registry) {
    let read: Awaited<ReturnType<Registry['readControl']>>;
    try {
      read = await registry.readControl();
    } catch {
      return { open: false, reason: 'paused', unreadable: true };
    }
    if (!read.readable) return { open: false, reason: 'paused', unreadable: true };
    if (isPaused(read.control, true, now)) {
      const until = read.control?.until;
      return until === undefined
        ? { open: false, reason: 'paused' }
        : { open: false, reason: 'paused', until };
    }
  }
  if (isOpen(windows, now)) return { open: true };
  const opensAt = nextOpening(windows ?? [], now);
  return opensAt === undefined
    ? { open: false, reason: 'outside_window' }
    : { open: false, reason: 'outside_window', opensAt };
}

/** The gate in one word, for `run.summary` (the dashboard's pause state). */
export function gateState(gate: Gate): 'open' | GateReason {
  return gate.open ? 'open' : gate.reason;
}

/** When a closed gate may open: the end of a timed pause, or the next window. */
export function gateOpensAt(gate: Gate): number | undefined {
  if (gate.open) return undefined;
  return gate.reason === 'paused' ? gate.until : gate.opensAt;
}

/** One unit for one DELETE: taken, none left, or the registry could not be written. */
export type Take = 'taken' | 'daily_limit' | 'registry_unavailable';

/** The budget a run reports in `run.summary`: units per 24 hours, taken by this run, left. */
export interface BudgetReport {
  max: number;
  /** units used within the last 24 hours, by every run: `max - left` */
  used: number;
  left: number;
  /** units this run took (in a dry run: would have taken) */
  taken: number;
}

/** The rolling budget as one run sees it. */
export interface RunBudget {
  /** Takes one unit right before a DELETE is sent; anything but `taken` means: do not send. */
  take(): Promise<Take>;
  /** What `run.summary` says; undefined when no budget applies (no registry). */
  report(): Promise<BudgetReport | undefined>;
}

/** What a run's budget needs: the registry, `limits.maxDeletesPer24h`, who takes. */
export interface BudgetInput {
  registry?: Pick<Registry, 'takeBudget'>;
  /** `limits.maxDeletesPer24h`; undefined: no budget */
  max?: number;
  clock: Clock;
  dryRun: boolean;
  /** recorded on each slot taken (the run id) */
  by: string;
  /** the slots a snapshot already read (the sweep's scan), sparing the first read */
  known?: readonly BudgetSlot[];
}

/** No budget: every DELETE may go, nothing to report. */
const UNBOUNDED: RunBudget = { take: async () => 'taken', report: async () => undefined };

/**
 * The run's share of the rolling budget. Each unit is one slot claimed by a conditional
 * write (create-registry.ts), so no 24 hours hold more than `max` DELETEs across every run
 * and request, whatever runs at the same time. The run's own takes go one at a time, each
 * passing on the slots the previous one saw, so they never race each other. A dry run takes
 * nothing: it reads what is left once and counts down in memory, so it shows where the
 * budget would stop a live run. A registry that fails keeps what is left to delete.
 */
export function openRunBudget(input: BudgetInput): RunBudget {
  const { registry, max, clock, dryRun, by, known } = input;
  if (max === undefined) return UNBOUNDED;
  if (!registry) {
    throw new ValidationError(
      'CONFIG_INVALID',
      'limits.maxDeletesPer24h',
      'needs the registry (JANITOR_REGISTRY_TABLE): the budget is counted there',
    );
  }
  let view: readonly BudgetSlot[] | undefined = known;
  let left: number | undefined;
  let taken = 0;
  let broken = false;
  let queue: Promise<unknown> = Promise.resolve();

  const read = async () => {
    const seen = await registry.takeBudget(0, clock.now(), max, view ? { known: view } : {});
    view = seen.view;
    left = seen.left;
    return seen.left;
  };

  const takeOne = async (): Promise<Take> => {
    if (broken) return 'registry_unavailable';
    try {
      if (dryRun) {
        // The registry's count stays as read; only this run's would-be takes count down.
        const seen = left ?? (await read());
        if (taken >= seen) return 'daily_limit';
        taken += 1;
        return 'taken';
      }
      const got = await registry.takeBudget(1, clock.now(), max, {
        ...(view ? { known: view } : {}),
        by,
      });
      view = got.view;
      left = got.left;
      if (got.taken === 0) return 'daily_limit';
      taken += got.taken;
      return 'taken';
    } catch (error) {
      if (!(error instanceof JanitorError)) throw error;
      broken = true;
      return 'registry_unavailable';
    }
  };

  return {
    take() {
      const next = queue.then(takeOne);
      queue = next.catch(() => undefined);
      return next;
    },
    async report() {
      await queue;
      if (left === undefined && !broken) await read().catch(() => undefined);
      if (left === undefined) return undefined;
      return { max, used: Math.max(0, max - left), left, taken };
    },
  };
}

/** `limits.maxDeletesPer24h`, or its default when a registry is configured; none without one. */
export function budgetMax(deps: Pick<RunDeps, 'policy' | 'registry'>): number | undefined {
  return (
    deps.policy.limits.maxDeletesPer24h ?? (deps.registry ? DEFAULT_MAX_DELETES_PER_24H : undefined)
  );
}

/** One run's budget; `known`, a snapshot's slots, spares its first read. */
export function openBudgetOf(
  deps: Pick<RunDeps, 'policy' | 'registry' | 'clock' | 'run'>,
  known?: readonly BudgetSlot[],
): RunBudget {
  return openRunBudget({
    registry: deps.registry,
    max: budgetMax(deps),
    clock: deps.clock,
    dryRun: deps.run.dryRun,
    by: deps.run.runId,
    ...(known ? { known } : {}),
  });
}

/** What a run may do, read once at its start: the gate, and its share of the budget. */
export interface RunControl {
  gate: Gate;
  budget: RunBudget;
}

/** Reads the pause and the windows, and opens the budget, for one sweep or teardown batch. */
export async function openRunControl(
  deps: Pick<RunDeps, 'policy' | 'registry' | 'clock' | 'run'>,
): Promise<RunControl> {
  const budget = openBudgetOf(deps);
  const gate = await readGate({
    registry: deps.registry,
    windows: deps.policy.windows,
    now: deps.clock.now(),
  });
  return { gate, budget };
}

// The last run of each function, for `gateway-janitor status` (docs/contract.md "The registry").

const RUN_PK = 'run';
const KINDS = ['sweep', 'teardown'] as const;
const MAX_ATTEMPTS = 5;

const runKey = (kind: LastRun['kind']): ItemKey => ({ pk: RUN_PK, sk: kind });

function check(run: LastRunInput): void {
  const bad = (field: string, message: string) =>
    new ValidationError('INPUT_INVALID', `lastRun.${field}`, message);
  if (!KINDS.includes(run.kind)) throw bad('kind', 'expected sweep or teardown');
  for (const field of ['runId', 'trigger', 'outcome'] as const) {
    const value = run[field];
    if (value.trim() === '' || value.length > 100) throw bad(field, 'expected 1-100 characters');
  }
  if (!Number.isFinite(run.at)) throw bad('at', 'expected a time');
  for (const field of ['deleted', 'failed'] as const) {
    if (!Number.isSafeInteger(run[field]) || run[field] < 0) {
      throw bad(field, 'expected a whole number >= 0');
    }
  }
}

function encode(run: LastRun): StoredItem {
  return {
    ...runKey(run.kind),
    runId: run.runId,
    trigger: run.trigger,
    dryRun: run.dryRun,
    at: new Date(run.at).toISOString(),
    outcome: run.outcome,
    deleted: run.deleted,
    failed: run.failed,
    ...(run.reason ? { reason: run.reason } : {}),
    version: run.version,
  };
}

function decode(item: StoredItem): LastRun | undefined {
  const kind = KINDS.find((k) => k === item.sk);
  const at = parseRfc3339(item.at);
  const { runId, trigger, dryRun, outcome, deleted, failed, version } = item;
  if (
    !kind ||
    at === undefined ||
    typeof runId !== 'string' ||
    typeof trigger !== 'string' ||
    typeof dryRun !== 'boolean' ||
    typeof outcome !== 'string' ||
    typeof deleted !== 'number' ||
    typeof failed !== 'number' ||
    typeof version !== 'number'
  ) {
    return undefined;
  }
  const reason = typeof item.reason === 'string' ? { reason: item.reason } : {};
  return { kind, runId, trigger, dryRun, at, outcome, deleted, failed, ...reason, version };
}

/** The last-run records over the registry's store; every write conditional, as elsewhere. */
export function lastRunRecords(store: RegistryStore): LastRunRecords {
  return {
    async recordLastRun(run) {
      check(run);
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
        const stored = await store.get(runKey(run.kind));
        const current = stored ? decode(stored) : undefined;
        // Two runs may finish out of order: the later finish stays.
        if (current && current.at > run.at) return false;
        const storedVersion = stored?.version;
        if (stored && typeof storedVersion !== 'number') {
          throw new RegistryError(
            'REGISTRY_UNAVAILABLE',
            `registry item run ${run.kind} is malformed`,
          );
        }
        const expect = stored ? { version: storedVersion as number } : ('absent' as const);
        const version = (typeof storedVersion === 'number' ? storedVersion : 0) + 1;
        if (await store.put(encode({ ...run, version }), expect)) return true;
      }
      throw new RegistryError(
        'REGISTRY_CONFLICT',
        `registry item run ${run.kind} changed ${MAX_ATTEMPTS} times while being written`,
      );
    },

    async readLastRuns() {
      const runs = (await store.query(RUN_PK)).flatMap((item) => decode(item) ?? []);
      return runs.sort((a, b) => b.at - a.at);
    },
  };
}
