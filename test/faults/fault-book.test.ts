import { describe, expect, it } from 'vitest';
import { FaultBook } from '../../infra/simulator/fault-book.ts';

const draw = (book: FaultBook, n: number) =>
  Array.from({ length: n }, () => book.take('delete', 'g').fault?.kind ?? '-');

describe('FaultBook probability', () => {
  it('applies a rule to about its share of matching requests', () => {
    // Prepare
    const book = new FaultBook(7);
    book.add({ route: 'any', kind: 'status', status: 503, probability: 0.05 });
    // Act
    const applied = draw(book, 10_000).filter((kind) => kind === 'status').length;
    // Assess: 500 expected; the bounds are ~5 standard deviations wide.
    expect(applied).toBeGreaterThan(390);
    expect(applied).toBeLessThan(610);
  });

  it('draws the same faults from the same seed', () => {
    const plan = (seed: number) => {
      const book = new FaultBook(seed);
      book.add({ route: 'delete', kind: 'reset', probability: 0.3 });
      return draw(book, 200).join('');
    };
    expect(plan(11)).toBe(plan(11));
    expect(plan(11)).not.toBe(plan(12));
  });

  it('uses up `times` only on requests it applied to, and lets later rules see the rest', () => {
    const book = new FaultBook(3);
    book.add({ route: 'any', kind: 'reset', probability: 0.5, times: 10 });
    book.add({ route: 'any', kind: 'status', status: 500 });
    const kinds = draw(book, 200);
    expect(kinds.filter((kind) => kind === 'reset')).toHaveLength(10);
    expect(kinds.filter((kind) => kind === 'status')).toHaveLength(190);
  });

  it('keeps rules without a probability deterministic', () => {
    const book = new FaultBook();
    book.add({ route: 'delete', kind: 'status', status: 503, times: 2 });
    expect(draw(book, 3)).toEqual(['status', 'status', '-']);
  });
});
