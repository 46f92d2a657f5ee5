import type { AuditRecord, AuditSink } from '#core/audit/record';
import { startSecretsManagerDouble } from '#test/fakes/secrets-manager-double';
import { createSweepHandler, type SweepResult } from '../../functions/sweep.ts';
import type { RemoteSimulator } from './remote-simulator.ts';

export const SECRET_ID = 'bench/coreweave-token';

/** Every bench-<n> gateway older than 30 days is expired; blast-radius limits opened wide. */
export const BENCH_POLICY = {
  rules: [{ id: 'bench', match: { name: 'bench-*' }, maxAge: '30d' }],
  limits: { maxDeletesPerRun: 1_000_000, maxDeletePercent: 100 },
};

/** Serialises each record as a log line would, counts it, keeps nothing. */
export class CountingSink implements AuditSink {
  records = 0;
  bytes = 0;
  write(record: AuditRecord): void {
    this.records += 1;
    this.bytes += JSON.stringify({ audit: record }).length + 1;
  }
}

/** The Secrets Manager double, with the real SDK pointed at it through the environment. */
export async function startSecrets(token: string) {
  const secrets = await startSecretsManagerDouble({ secrets: { [SECRET_ID]: token } });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDBENCHLOCAL',
    AWS_SECRET_ACCESS_KEY: 'bench-local-secret',
  });
  return secrets;
}

export function sweepEnv(sim: RemoteSimulator, concurrency: number): Record<string, string> {
  return {
    COREWEAVE_API_URL: sim.url,
    COREWEAVE_TOKEN_SECRET_ID: SECRET_ID,
    JANITOR_POLICY: JSON.stringify(BENCH_POLICY),
    DRY_RUN: 'false',
    DELETE_CONCURRENCY: String(concurrency),
  };
}

/** A Lambda context whose deadline lets new deletions start for `capMs` (margin included). */
export function benchContext(capMs: number, marginMs = 12_000, requestId = 'bench') {
  const end = Date.now() + capMs + marginMs;
  return { awsRequestId: requestId, getRemainingTimeInMillis: () => end - Date.now() };
}

export interface SweepMeasurement {
  result: SweepResult;
  wallMs: number;
  /** from the list response to the last DELETE response */
  deletePhaseMs: number;
  cpuUs: number;
  statuses: Record<string, number>;
  auditBytes: number;
}

/** One live sweep through the real handler (a fresh execution environment), measured. */
export async function measureSweep(
  sim: RemoteSimulator,
  concurrency: number,
  capMs: number,
): Promise<SweepMeasurement> {
  const sink = new CountingSink();
  const statuses: Record<string, number> = {};
  let first: number | undefined;
  let last = 0;
  const handler = createSweepHandler({
    env: sweepEnv(sim, concurrency),
    sink,
    onResponse: (status) => {
      const now = performance.now();
      first ??= now;
      last = now;
      statuses[String(status)] = (statuses[String(status)] ?? 0) + 1;
    },
  });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await handler({}, benchContext(capMs));
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return {
    result,
    wallMs,
    deletePhaseMs: first === undefined ? 0 : last - first,
    cpuUs: cpu.user + cpu.system,
    statuses,
    auditBytes: sink.bytes,
  };
}

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
