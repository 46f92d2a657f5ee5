import type { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { LoggerAuditSink } from '#adapters/logging/logger-audit-sink';
import { renderCounts } from '#cli/render-summary';
import { createRunRecorder } from '#core/audit/recorder';
import { type AuditEvent, EVENTS } from '#core/audit/vocabulary';
import { MemoryAuditSink } from '#test/fakes/memory-audit-sink';

const context = { runId: 'run-1', trigger: 'schedule', dryRun: false } as const;
const clock = { now: () => Date.parse('2026-11-20T10:00:00.000Z') };

describe('createRunRecorder', () => {
  it('stamps every record with the schema version, the time and the run', () => {
    // Prepare
    const sink = new MemoryAuditSink();
    const recorder = createRunRecorder({ sink, clock, context });
    // Act
    recorder.outcome({ event: 'gateway.deleted', gatewayId: 'g-1', reason: 'expired' });
    recorder.write({ event: 'run.summary', reason: 'completed', counts: { listed: 1 } });
    // Assess
    expect(sink.records).toEqual([
      {
        schemaVersion: 1,
        event: 'gateway.deleted',
        time: '2026-11-20T10:00:00.000Z',
        ...context,
        gatewayId: 'g-1',
        reason: 'expired',
      },
      {
        schemaVersion: 1,
        event: 'run.summary',
        time: '2026-11-20T10:00:00.000Z',
        ...context,
        reason: 'completed',
        counts: { listed: 1 },
      },
    ]);
  });

  it('counts outcomes and rejections per event, but not the run records', () => {
    // Prepare
    const recorder = createRunRecorder({ sink: new MemoryAuditSink(), clock, context });
    // Act
    recorder.outcome({ event: 'gateway.deleted', gatewayId: 'g-1', reason: 'expired' });
    recorder.outcome({ event: 'gateway.deleted', gatewayId: 'g-2', reason: 'expired' });
    recorder.write({ event: 'request.rejected', reason: 'invalid_request' });
    recorder.write({ event: 'run.truncated', reason: 'deadline' });
    recorder.write({ event: 'run.summary', reason: 'truncated' });
    // Assess
    expect(recorder.counts()).toEqual({ 'gateway.deleted': 2, 'request.rejected': 1 });
  });

  it('tells the outcome listener about outcomes only, after they are written', () => {
    // Prepare
    const sink = new MemoryAuditSink();
    const seen: number[] = [];
    const recorder = createRunRecorder({
      sink,
      clock,
      context,
      onOutcome: () => seen.push(sink.records.length),
    });
    // Act
    recorder.outcome({ event: 'gateway.skipped', gatewayId: 'g-1', reason: 'deadline' });
    recorder.write({ event: 'run.summary', reason: 'completed' });
    // Assess
    expect(seen).toEqual([1]);
  });
});

describe('LoggerAuditSink', () => {
  it.each<[AuditEvent, string]>([
    ['gateway.deleted', 'info'],
    ['gateway.delete_failed', 'warn'],
    ['gateway.delete_stuck', 'error'],
    ['deployment.delete_failed', 'warn'],
    ['run.aborted', 'warn'],
  ])('logs %s at %s level', (event, level) => {
    // Prepare
    const calls: string[] = [];
    const log = (name: string) => () => calls.push(name);
    const logger = { info: log('info'), warn: log('warn'), error: log('error') };
    const sink = new LoggerAuditSink(logger as unknown as Logger);
    // Act
    sink.write({ schemaVersion: 1, event, time: '2026-11-20T10:00:00.000Z', ...context });
    // Assess
    expect(calls).toEqual([level]);
  });
});

describe('renderCounts', () => {
  it('names the deployment and confirmation outcomes of version 2', () => {
    expect(
      renderCounts({
        'deployment.deleted': 2,
        'gateway.deleted': 3,
        'gateway.delete_confirmed': 3,
        'gateway.delete_stuck': 1,
      }),
    ).toBe('deployments deleted 2, deleted 3, delete confirmed 3, delete stuck 1');
  });
});

describe('EVENTS', () => {
  it('pairs each event only with the reasons it allows, so a wrong pairing does not compile', () => {
    // Prepare
    const sink = new MemoryAuditSink();
    const recorder = createRunRecorder({ sink, clock, context });
    // Act
    recorder.write({ event: 'run.aborted', reason: 'blast_radius' });
    // @ts-expect-error a deletion never carries the blast radius as its reason
    recorder.write({ event: 'gateway.deleted', reason: 'blast_radius' });
    // @ts-expect-error a confirmation ends gone or id_reused, never expired
    recorder.outcome({ event: 'gateway.delete_confirmed', gatewayId: 'g-1', reason: 'expired' });
    // Assess
    expect(EVENTS['run.aborted'].reasons).toContain('blast_radius');
    expect(EVENTS['gateway.deleted'].reasons).not.toContain('blast_radius');
    expect(EVENTS['gateway.delete_confirmed'].reasons).not.toContain('expired');
  });

  it('counts every event in run.summary but the run events themselves', () => {
    const uncounted = Object.entries(EVENTS).filter(([, facts]) => !facts.counted);
    expect(uncounted.map(([event]) => event)).toEqual([
      'run.summary',
      'run.aborted',
      'run.truncated',
    ]);
  });
});
