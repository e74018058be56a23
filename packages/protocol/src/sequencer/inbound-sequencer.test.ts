import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../errors.js';
import { InboundSequencer } from './inbound-sequencer.js';

/** Offers `s` and returns what can be handled now, in order. */
function handOn(seq: InboundSequencer<number>, s: number): { verdict: string; ready: number[] } {
  const verdict = seq.offer(s, s);
  return { verdict, ready: verdict === 'deliver' ? [s, ...seq.takeReady()] : [] };
}

describe('InboundSequencer', () => {
  it('delivers random permutations with duplicates in order, exactly once (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }).chain((n) =>
          fc.tuple(
            fc.constant(n),
            fc.shuffledSubarray(Array.from({ length: n }, (_, i) => i + 1), { minLength: n, maxLength: n }),
            fc.array(fc.integer({ min: 1, max: n }), { maxLength: 2 * n }),
            fc.array(fc.nat(), { maxLength: 2 * n }),
          ),
        ),
        ([n, order, dups, positions]) => {
          // Duplicates at random positions of the permutation.
          const arrivals = [...order];
          dups.forEach((d, i) => arrivals.splice((positions[i] ?? 0) % (arrivals.length + 1), 0, d));
          const seq = new InboundSequencer<number>({ maxBufferedMessages: n });
          const delivered: number[] = [];
          let duplicates = 0;
          for (const s of arrivals) {
            const { verdict, ready } = handOn(seq, s);
            if (verdict === 'duplicate') duplicates++;
            expect(verdict).not.toBe('refused');
            delivered.push(...ready);
            // The ack is always the highest contiguous sequence delivered.
            expect(seq.ack).toBe(delivered.length);
          }
          expect(delivered).toEqual(Array.from({ length: n }, (_, i) => i + 1));
          expect(duplicates).toBe(dups.length);
          expect(seq.bufferedCount).toBe(0);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('delivers in order and exactly once under a small buffer, whatever arrives (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 200 }), (arrivals) => {
        const seq = new InboundSequencer<number>({ maxBufferedMessages: 4 });
        const delivered: number[] = [];
        for (const s of arrivals) delivered.push(...handOn(seq, s).ready);
        expect(delivered).toEqual(Array.from({ length: delivered.length }, (_, i) => i + 1));
        expect(seq.ack).toBe(delivered.length);
        expect(seq.bufferedCount).toBeLessThanOrEqual(4);
      }),
    );
  });

  it('bounds the reorder buffer and how far ahead it holds', () => {
    const seq = new InboundSequencer<number>({ maxBufferedMessages: 2 });
    expect(seq.offer(3, 3)).toBe('buffered');
    expect(seq.offer(4, 4)).toBe('refused'); // beyond the missing 1 plus two held
    expect(seq.offer(2, 2)).toBe('buffered');
    expect(seq.offer(3, 3)).toBe('duplicate'); // already held
    expect(seq.offer(1, 1)).toBe('deliver');
    expect(seq.takeReady()).toEqual([2, 3]);
    expect(seq.bufferedCount).toBe(0);
    expect(seq.offer(2, 2)).toBe('duplicate');
  });

  it('starts over on reset, fresh or at a restored ack', () => {
    const seq = new InboundSequencer<number>({ initialAck: 7 });
    expect(seq.offer(7, 7)).toBe('duplicate');
    expect(seq.offer(9, 9)).toBe('buffered');
    seq.reset();
    expect(seq.ack).toBe(0);
    expect(seq.bufferedCount).toBe(0);
    expect(seq.offer(1, 1)).toBe('deliver');
    seq.reset(40);
    expect(seq.offer(41, 41)).toBe('deliver');
  });

  it('refuses bad options and sequences with a typed error', () => {
    const bad = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return error instanceof ProtocolError ? error.code : 'other';
      }
      return 'none';
    };
    expect(bad(() => new InboundSequencer({ maxBufferedMessages: 0 }))).toBe('VALUE_OUT_OF_RANGE');
    expect(bad(() => new InboundSequencer({ maxBufferedMessages: 1.5 }))).toBe('VALUE_OUT_OF_RANGE');
    expect(bad(() => new InboundSequencer({ initialAck: -1 }))).toBe('VALUE_OUT_OF_RANGE');
    const seq = new InboundSequencer<number>();
    for (const s of [0, -3, 2.5, Number.NaN, 2 ** 60]) expect(bad(() => seq.offer(s, s))).toBe('VALUE_OUT_OF_RANGE');
    expect(bad(() => seq.reset(-1))).toBe('VALUE_OUT_OF_RANGE');
    expect(seq.ack).toBe(0);
  });
});
