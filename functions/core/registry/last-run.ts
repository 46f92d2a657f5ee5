import { RegistryError, ValidationError } from '../errors.ts';
import type {
  ItemKey,
  LastRun,
  LastRunInput,
  LastRunRecords,
  RegistryStore,
  StoredItem,
} from '../registry-port.ts';
import { parseRfc3339 } from '../time.ts';

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
