import fc from 'fast-check';
import { ManualClock } from '@mmo/protocol';
import { describe, expect, it } from 'vitest';
import { AckScheduler } from './ack-scheduler.js';
import { InboundSequencer } from './inbound-sequencer.js';

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
          // Insert duplicates at random positions of the permutation.
          const arrivals = [...order];
          dups.forEach((d, i) => arrivals.splice((positions[i] ?? 0) % (arrivals.length + 1), 0, d));
          const seq = new InboundSequencer<number>({ maxBufferedMessages: n });
          const delivered: number[] = [];
          let duplicates = 0;
          for (const s of arrivals) {
            const { verdict, ready } = seq.offer(s, s);
            if (verdict === 'duplicate') duplicates++;
            expect(verdict).not.toBe('overflow');
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

  it('bounds the reorder buffer', () => {
    const seq = new InboundSequencer<number>({ maxBufferedMessages: 2 });
    expect(seq.offer(3, 3).verdict).toBe('buffered');
    expect(seq.offer(4, 4).verdict).toBe('overflow'); // beyond the missing 1 plus two buffered
    expect(seq.offer(2, 2).verdict).toBe('buffered');
    expect(seq.offer(1, 1)).toEqual({ verdict: 'deliver', ready: [1, 2, 3] });
  });

  it('starts a new stream on reset', () => {
    const seq = new InboundSequencer<number>();
    seq.offer(1, 1);
    seq.offer(2, 2);
    seq.reset();
    expect(seq.ack).toBe(0);
    expect(seq.offer(1, 1).verdict).toBe('deliver');
  });
});

describe('AckScheduler', () => {
  it('sends one standalone ack after ackDelayMs unless an outgoing envelope carried it', () => {
    const clock = new ManualClock(0);
    let ack = 0;
    const sent: number[] = [];
    const acks = new AckScheduler(clock, 100, () => ack, () => sent.push(ack));
    ack = 3;
    acks.noteReceived();
    clock.advance(50);
    acks.noteSent(3); // piggy-backed on a message
    clock.advance(100);
    expect(sent).toEqual([]);
    ack = 4;
    acks.noteReceived();
    acks.noteReceived();
    clock.advance(100);
    expect(sent).toEqual([4]);
    acks.noteSent(4);
    acks.noteReceived(true); // a duplicate: the server may not have our ack
    clock.advance(100);
    expect(sent).toEqual([4, 4]);
  });
});
