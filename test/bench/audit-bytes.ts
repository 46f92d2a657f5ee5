import { Logger } from '@aws-lambda-powertools/logger';
import { AuditLogFormatter } from '#adapters/logging/audit-log-formatter';
import { createSweepHandler } from '../../functions/sweep.ts';
import { benchContext, sweepEnv } from './bench-env.ts';
import type { RemoteSimulator } from './remote-simulator.ts';

/** Item 7: the size of `gateway.deleted` lines as the Powertools Logger sink wrote them. */
export interface AuditBytes {
  lines: number;
  averageBytes: number;
  maxBytes: number;
  /** average bytes per top-level key of the line (key, value and punctuation) */
  byKey: Record<string, number>;
  /** average bytes per key inside `audit` */
  byAuditKey: Record<string, number>;
  summaryLineBytes: number;
  sample: string;
}

export function auditBytes(stdout: string): AuditBytes {
  const deleted: string[] = [];
  let summaryLineBytes = 0;
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const parsed = JSON.parse(line) as { audit?: { event?: string } };
    if (parsed.audit?.event === 'gateway.deleted') deleted.push(line);
    if (parsed.audit?.event === 'run.summary') summaryLineBytes = Buffer.byteLength(line) + 1;
  }
  const sizes = deleted.map((line) => Buffer.byteLength(line) + 1);
  const byKey: Record<string, number> = {};
  const byAuditKey: Record<string, number> = {};
  for (const line of deleted) {
    const parsed = JSON.parse(line) as Record<string, unknown> & { audit: Record<string, unknown> };
    for (const [key, value] of Object.entries(parsed))
      byKey[key] = (byKey[key] ?? 0) + JSON.stringify({ [key]: value }).length - 1;
    for (const [key, value] of Object.entries(parsed.audit))
      byAuditKey[key] = (byAuditKey[key] ?? 0) + JSON.stringify({ [key]: value }).length - 1;
  }
  const avg = (table: Record<string, number>) =>
    Object.fromEntries(
      Object.entries(table).map(([k, v]) => [k, Math.round(v / Math.max(1, deleted.length))]),
    );
  return {
    lines: deleted.length,
    averageBytes: Math.round(sizes.reduce((a, b) => a + b, 0) / Math.max(1, sizes.length)),
    maxBytes: Math.max(0, ...sizes),
    byKey: avg(byKey),
    byAuditKey: avg(byAuditKey),
    summaryLineBytes,
    sample: deleted[0] ?? '',
  };
}

/**
 * The same measurement for lines written through AuditLogFormatter, in this process:
 * a sweep of `count` expired gateways with a Logger using the compact formatter.
 */
export async function compactAuditBytes(
  sim: RemoteSimulator,
  count: number,
  traceEnv: Record<string, string>,
): Promise<AuditBytes> {
  await sim.seed(count, 1, 77);
  const saved = { ...process.env };
  Object.assign(process.env, traceEnv);
  const chunks: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    (rest.find((arg) => typeof arg === 'function') as (() => void) | undefined)?.();
    return true;
  }) as typeof process.stdout.write;
  try {
    const logger = new Logger({
      serviceName: 'gateway-janitor',
      logFormatter: new AuditLogFormatter(),
    });
    const handler = createSweepHandler({ env: sweepEnv(sim, 64), logger });
    await handler({}, benchContext(60_000, 12_000, 'c6af9ac6-7b61-11e6-9a41-93e812345678'));
  } finally {
    process.stdout.write = write;
    for (const key of Object.keys(traceEnv)) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
  }
  return auditBytes(chunks.join(''));
}
