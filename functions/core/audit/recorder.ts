import type { Policy } from '../policy/compile-policy.ts';
import type { Clock, Deadline, GatewayApi } from '../ports.ts';
import type { Registry } from '../registry-port.ts';
import { isoNow } from '../time.ts';
import {
  type AuditRecord,
  type AuditSink,
  type GatewayOutcome,
  outcomeFields,
  type RecordFields,
  type RunContext,
} from './record.ts';
import { type EventCounts, isRunEvent } from './vocabulary.ts';

/** Writes the audit records of one run: the envelope, the counts per event, the sink. */
export interface RunRecorder {
  readonly context: RunContext;
  /** Records what happened to one gateway. */
  outcome(outcome: GatewayOutcome): void;
  /** Writes one record in the run's envelope; every event but the `run.*` ones is counted. */
  write(fields: RecordFields): void;
  /** The outcome records written so far, per event. */
  counts(): EventCounts;
}

/** What a recorder writes to and stamps records with. */
export interface RunRecorderOptions {
  sink: AuditSink;
  clock: Clock;
  context: RunContext;
  /** Told about each outcome as it is recorded (the CLI's progress line). */
  onOutcome?: (outcome: GatewayOutcome) => void;
}

/** The one recorder of a run, shared by every step that records something. */
export function createRunRecorder(options: RunRecorderOptions): RunRecorder {
  const { sink, clock, context, onOutcome } = options;
  const counts: EventCounts = {};
  const write = (fields: RecordFields) => {
    if (!isRunEvent(fields.event)) counts[fields.event] = (counts[fields.event] ?? 0) + 1;
    const { event, ...rest } = fields;
    const record: AuditRecord = {
      schemaVersion: 1,
      event,
      time: isoNow(clock),
      ...context,
      ...rest,
    };
    sink.write(record);
  };
  return {
    context,
    write,
    outcome(outcome) {
      write(outcomeFields(outcome));
      onOutcome?.(outcome);
    },
    counts: () => ({ ...counts }),
  };
}

/** What every run (sweep or teardown batch) is given: its ports and plain settings. */
export interface RunDeps {
  api: GatewayApi;
  sink: AuditSink;
  clock: Clock;
  deadline: Deadline;
  policy: Policy;
  run: RunContext;
  concurrency: number;
  /** Leases, exemptions, the pause and the budget (JANITOR_REGISTRY_TABLE); absent: `registry: off`. */
  registry?: Registry;
}
