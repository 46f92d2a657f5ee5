import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLogFormatter } from '#adapters/logging/audit-log-formatter';
import { LoggerAuditSink } from '#adapters/logging/logger-audit-sink';
import type { AuditRecord } from '#core/audit/record';
import { captureOutput } from '#test/support/capture-output';

const RECORD: AuditRecord = {
  schemaVersion: 1,
  event: 'gateway.deleted',
  time: '2026-11-26T12:00:00.000Z',
  runId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  trigger: 'schedule',
  dryRun: false,
  gatewayId: '00000001-b000-4000-8000-000000000063',
  gatewayName: 'bench-99',
  reason: 'expired',
};

describe('AuditLogFormatter', () => {
  let output: ReturnType<typeof captureOutput> | undefined;
  afterEach(() => output?.restore());

  it('writes an audit line as level and the record, nothing repeated', () => {
    // Prepare
    output = captureOutput();
    const logger = new Logger({
      serviceName: 'gateway-janitor',
      logFormatter: new AuditLogFormatter(),
    });
    // Act
    new LoggerAuditSink(logger).write(RECORD);
    // Assess
    const lines = output.lines().map((line) => JSON.parse(line));
    expect(lines).toEqual([{ level: 'INFO', audit: RECORD }]);
  });

  it('keeps the Powertools keys on other lines', () => {
    output = captureOutput();
    const logger = new Logger({
      serviceName: 'gateway-janitor',
      logFormatter: new AuditLogFormatter(),
    });
    logger.error('sweep failed', { error: { code: 'X' } });
    const [line] = output.lines().map((text) => JSON.parse(text));
    expect(line).toMatchObject({
      level: 'ERROR',
      message: 'sweep failed',
      service: 'gateway-janitor',
      error: { code: 'X' },
    });
    expect(typeof line.timestamp).toBe('string');
  });
});
