import { describe, expect, it } from 'vitest';
import { summariseProof } from '#test/bench/proof-cost';

describe('bench proof cost (issue 19)', () => {
  it("reports the proof's share of the invocation and the handler's SQS calls with and without it", () => {
    // Prepare: three paired runs; each batch proved once and its confirmations sent once.
    const actions = ['ChangeMessageVisibilityBatch', 'SendMessageBatch'];
    const samples = [
      { handlerMs: 40, proofMs: 2, handlerActions: actions },
      { handlerMs: 20, proofMs: 1, handlerActions: actions },
      { handlerMs: 30, proofMs: 9, handlerActions: actions },
    ];
    // Act
    const summary = summariseProof(samples, 10, 0);
    // Assess: medians first, then their ratio.
    expect(summary).toMatchObject({ runs: 3, batch: 10, handlerMs: 30, proofMs: 2 });
    expect(summary.share).toBeCloseTo(2 / 30, 3);
    expect(summary.callsAfter).toBe(2);
    expect(summary.callsBefore).toBe(1);
    expect(summary.actions).toBe('ChangeMessageVisibilityBatch x1, SendMessageBatch x1');
  });

  it('counts no call saved when the handler made no proof', () => {
    // Act
    const summary = summariseProof(
      [{ handlerMs: 10, proofMs: 1, handlerActions: ['SendMessageBatch'] }],
      10,
      50,
    );
    // Assess
    expect(summary).toMatchObject({ callsAfter: 1, callsBefore: 1, latencyMs: 50 });
  });
});
