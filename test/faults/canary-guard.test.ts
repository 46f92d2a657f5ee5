import { describe, expect, it } from 'vitest';
import { JanitorError } from '#core/errors';
import { MemoryAuditSink } from '#test/fakes/memory-audit-sink';
import { CANARY_API_KEY, CANARY_TOKEN, ROTATED_TOKEN } from '#test/support/canaries';
import { scanForCanaries, takeCanaryLeaks, teeStream } from '#test/support/canary-guard';
import { captureOutput } from '#test/support/capture-output';

// The check that guards the whole suite must itself be able to fail: each case plants a
// canary where a leak could hide and expects the guard to have seen it (then clears the
// record, so the suite-wide afterEach stays green).
describe('the canary guard', () => {
  const fakeStream = () => {
    const written: string[] = [];
    const stream = {
      write: (chunk: string) => written.push(chunk) > 0,
    } as unknown as NodeJS.WriteStream;
    return { stream, written };
  };

  it.each([
    ['a thrown error message', () => scanForCanaries('x', new Error(`bad token ${CANARY_TOKEN}`))],
    [
      'an error cause two levels down',
      () =>
        scanForCanaries(
          'x',
          new JanitorError('TOKEN_UNAVAILABLE', 'failed', {
            cause: new Error('inner', { cause: { header: `Bearer ${ROTATED_TOKEN}` } }),
          }),
        ),
    ],
    [
      'an error stack',
      () => {
        const error = new Error('plain');
        error.stack = `Error: plain\n    at ${CANARY_API_KEY} (file.ts:1:1)`;
        scanForCanaries('x', error);
      },
    ],
    [
      'an audit record',
      () =>
        new MemoryAuditSink().write({
          schemaVersion: 1,
          event: 'gateway.deleted',
          time: '2026-11-26T12:00:00Z',
          runId: 'r',
          trigger: 'sqs',
          dryRun: false,
          gatewayName: `apiKey=${CANARY_API_KEY}`,
        }),
    ],
    ['a nested result object', () => scanForCanaries('x', { a: [{ b: { c: CANARY_TOKEN } }] })],
    ['a buffer', () => scanForCanaries('x', Buffer.from(CANARY_TOKEN))],
    [
      'captured output',
      () => {
        const output = captureOutput();
        process.stdout.write(`{"level":"INFO","token":"${CANARY_TOKEN}"}\n`);
        output.restore();
      },
    ],
    [
      'a stream write split across two chunks',
      () => {
        const { stream } = fakeStream();
        const untee = teeStream(stream, 'fake');
        stream.write(CANARY_TOKEN.slice(0, 12));
        stream.write(`${CANARY_TOKEN.slice(12)}\n`);
        untee();
      },
    ],
  ])('catches a canary in %s, naming it without repeating it', (_where, plant) => {
    // Act
    plant();
    const leaks = takeCanaryLeaks();
    // Assess
    expect(leaks.length).toBeGreaterThan(0);
    expect(JSON.stringify(leaks)).toMatch(/CANARY_TOKEN|ROTATED_TOKEN|CANARY_API_KEY/);
    for (const canary of [CANARY_TOKEN, ROTATED_TOKEN, CANARY_API_KEY])
      expect(JSON.stringify(leaks)).not.toContain(canary);
  });

  it('passes output through untouched and records nothing when no canary is present', () => {
    const { stream, written } = fakeStream();
    const untee = teeStream(stream, 'fake');
    stream.write('CW-SECRET-something-else\n');
    untee();
    scanForCanaries('x', new Error('redacted: Bearer ***'));
    expect(written).toEqual(['CW-SECRET-something-else\n']);
    expect(takeCanaryLeaks()).toEqual([]);
  });
});
