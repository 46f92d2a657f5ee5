import { ValidationError } from '#core/errors';
import { isOpen, nextOpening } from '#core/policy/change-windows';
import { DEFAULT_MAX_DELETES_PER_24H } from '#core/policy/steering-policy';
import { budgetState, isPaused } from '#core/registry/registry-verdict';
import type { Control, LastRun } from '#core/registry-port';
import type { CliIo } from './cli-io.ts';
import type { RegistryFlags, RegistrySession } from './registry-session.ts';
import { showTime } from './registry-session.ts';
import { jsonText, plainText } from './safe-output.ts';

/** What `status` found, one entry per line it prints. */
export interface JanitorStatus {
  mode: 'dry run' | 'live';
  registry: string;
  pause: { state: 'off' | 'not paused' | 'paused' | 'unreadable'; control?: Control };
  window: { state: 'any time' | 'open' | 'closed' | 'unknown'; nextOpening?: number };
  budget?: { max: number; used?: number; left?: number; readable: boolean };
  lastRuns?: LastRun[];
  /** true when a registry read failed: the janitor deletes nothing then */
  failed: boolean;
}

/**
 * `status`: the mode, the registry, the pause, the current change window, the rolling
 * budget and the last run (docs/contract.md "Pause, change windows and a rolling
 * budget"). Reads only; works with `registry: off`. Exits 1 when the registry cannot be read.
 */
export async function statusCommand(
  session: RegistrySession,
  flags: RegistryFlags,
  io: CliIo,
): Promise<number> {
  const status = await readStatus(session, io.env);
  io.out(flags.json ? `${jsonText(status, 2)}\n` : renderStatus(status, session.now()));
  return status.failed ? 1 : 0;
}

/** Reads everything `status` shows; a registry read that fails is reported, not thrown. */
export async function readStatus(
  session: RegistrySession,
  env: Record<string, string | undefined>,
): Promise<JanitorStatus> {
  const now = session.now();
  const policy = session.policy;
  const windows = policy?.windows;
  const window: JanitorStatus['window'] = !policy
    ? { state: 'unknown' }
    : !windows
      ? { state: 'any time' }
      : isOpen(windows, now)
        ? { state: 'open' }
        : { state: 'closed', ...optional('nextOpening', nextOpening(windows, now)) };
  const status: JanitorStatus = {
    mode: modeOf(env),
    registry: session.registryName,
    pause: { state: 'off' },
    window,
    failed: false,
  };
  const registry = session.registry;
  if (!registry) return status;
  const max = policy?.limits.maxDeletesPer24h ?? DEFAULT_MAX_DELETES_PER_24H;
  const [control, slots, runs] = await Promise.allSettled([
    registry.readControl(),
    registry.readBudget(),
    registry.readLastRuns(),
  ]);
  if (control.status === 'fulfilled') {
    const { control: item, readable } = control.value;
    status.pause = {
      state: !readable ? 'unreadable' : isPaused(item, true, now) ? 'paused' : 'not paused',
      ...optional('control', item),
    };
  } else status.pause = { state: 'unreadable' };
  if (slots.status === 'fulfilled') {
    const { used, left } = budgetState(slots.value, now, max);
    status.budget = { max, used, left, readable: true };
  } else status.budget = { max, readable: false };
  if (runs.status === 'fulfilled') status.lastRuns = runs.value;
  status.failed = [control, slots, runs].some((read) => read.status === 'rejected');
  return status;
}

/** The status as lines for people. */
export function renderStatus(status: JanitorStatus, now: number): string {
  const lines: Array<[string, string]> = [
    ['mode', modeLine(status)],
    ['registry', status.registry],
    ['pause', pauseLine(status, now)],
    ['window', windowLine(status, now)],
    ['budget', budgetLine(status)],
    ['last run', lastRunLine(status, now)],
  ];
  const rows = lines.map(([label, text]) => `${`${label}:`.padEnd(10)}${text}`);
  const warning = status.failed
    ? '\nThe registry could not be read: the janitor deletes nothing until it can.\n'
    : '';
  return `${rows.join('\n')}\n${warning}`;
}

function modeLine(status: JanitorStatus): string {
  const mode =
    status.mode === 'live' ? 'LIVE (DRY_RUN=false here)' : 'dry run (DRY_RUN here is not "false")';
  const last = status.lastRuns?.[0];
  if (!last || last.dryRun === (status.mode === 'dry run')) return mode;
  return `${mode}; the last recorded run was ${last.dryRun ? 'a dry run' : 'LIVE'}`;
}

function pauseLine(status: JanitorStatus, now: number): string {
  const { state, control } = status.pause;
  if (state === 'off') return 'off (no registry: pause needs one)';
  if (state === 'unreadable') return 'UNREADABLE: counts as paused, nothing is deleted';
  if (state === 'not paused' || !control) return 'not paused';
  const until =
    control.until === undefined ? 'until resume' : `until ${showTime(control.until, now)}`;
  return plainText(
    `PAUSED ${until}, set by ${control.by} at ${showTime(control.at, now)}: ${control.reason}`,
  );
}

function windowLine(status: JanitorStatus, now: number): string {
  const { state, nextOpening: next } = status.window;
  if (state === 'unknown') return 'unknown: no policy given (--policy or JANITOR_POLICY)';
  if (state === 'any time') return 'no windows in the policy: deletions may run at any time';
  if (state === 'open') return 'open now';
  return next === undefined
    ? 'closed; no window opens within 8 days'
    : `closed; next opening ${showTime(next, now)}`;
}

function budgetLine(status: JanitorStatus): string {
  const budget = status.budget;
  if (!budget) return 'off (no registry: only limits.maxDeletesPerRun, per run)';
  if (!budget.readable) return `UNREADABLE (limits.maxDeletesPer24h ${budget.max})`;
  return `${budget.used} of ${budget.max} deletions used in the last 24 hours, ${budget.left} left`;
}

function lastRunLine(status: JanitorStatus, now: number): string {
  if (!status.lastRuns) return status.budget ? 'UNREADABLE' : 'not recorded (no registry)';
  if (status.lastRuns.length === 0) return 'no run recorded yet';
  return status.lastRuns
    .map((run) => {
      const mode = run.dryRun ? 'dry run' : 'live';
      const why = run.reason ? ` (${run.reason})` : '';
      return plainText(
        `${run.kind} ${showTime(run.at, now)}: ${run.outcome}${why}, ${mode}, ${run.deleted} deleted, ${run.failed} failed (run ${run.runId})`,
      );
    })
    .join('\n          ');
}

/** The mode the janitor's functions run in: DRY_RUN as the Lambdas read it. */
function modeOf(env: Record<string, string | undefined>): JanitorStatus['mode'] {
  const value = env.DRY_RUN;
  if (value === undefined || value === '' || value === 'true') return 'dry run';
  if (value === 'false') return 'live';
  throw new ValidationError('CONFIG_INVALID', 'DRY_RUN', 'expected "true" or "false"');
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
