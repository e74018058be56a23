import fc from 'fast-check';
import { ManualClock } from '@mmo/protocol';
import { describe, expect, it } from 'vitest';
import { TimeSyncEstimator, TimeSyncScheduler, timeSyncDefaults } from './time-sync.js';

/** A sample of a server whose clock is `offset` ahead, with the given one-way delays. */
function sample(t0: number, offset: number, upMs: number, processingMs: number, downMs: number) {
  const t1 = t0 + upMs + offset;
  const t2 = t1 + processingMs;
  return { clientSendTime: t0, serverReceiveTime: t1, serverSendTime: t2, clientReceiveTime: t2 - offset + downMs };
}

describe('TimeSyncEstimator', () => {
  it('takes the offset of the sample with the smallest RTT (best of N)', () => {
    const est = new TimeSyncEstimator(8);
    const offset = 5_000;
    est.add(sample(1_000, offset, 80, 2, 10)); // asymmetric, rtt 90: offset error 35
    est.add(sample(2_000, offset, 6, 1, 4)); // rtt 10: offset error 1
    est.add(sample(3_000, offset, 150, 0, 30)); // rtt 180
    expect(est.bestRttMs).toBe(10);
    expect(est.offsetMs).toBe(offset + 1);
    expect(est.serverTimeAt(10_000)).toBe(10_000 + offset + 1);
  });

  it('keeps the error within half the best RTT for random delays (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e9, max: 1e9 }),
        fc.array(fc.tuple(fc.nat(300), fc.nat(20), fc.nat(300)), { minLength: 1, maxLength: 12 }),
        (offset, delays) => {
          const est = new TimeSyncEstimator(16);
          let t = 1_700_000_000_000;
          for (const [up, proc, down] of delays) est.add(sample((t += 1000), offset, up, proc, down));
          expect(Math.abs(est.offsetMs - offset)).toBeLessThanOrEqual(est.bestRttMs! / 2 + 1e-9);
        },
      ),
    );
  });

  it('uses the coarse CONNECTION_ESTABLISHED hint until a real sample arrives, and forgets samples past its window', () => {
    const est = new TimeSyncEstimator(2);
    expect(est.offsetMs).toBe(0);
    est.seed(10_500, 10_000);
    expect(est.offsetMs).toBe(500);
    est.add(sample(1_000, 700, 1, 0, 1)); // best
    est.add(sample(2_000, 700, 50, 0, 50));
    expect(est.offsetMs).toBe(700);
    est.add(sample(3_000, 900, 40, 0, 40)); // pushes the best one out
    expect(est.sampleCount).toBe(2);
    expect(est.offsetMs).toBe(900);
  });

  it('refuses inconsistent samples', () => {
    const est = new TimeSyncEstimator();
    expect(est.add({ clientSendTime: 100, serverReceiveTime: 50, serverSendTime: 40, clientReceiveTime: 110 })).toBe(false);
    expect(est.add({ clientSendTime: 100, serverReceiveTime: 50, serverSendTime: 60, clientReceiveTime: 90 })).toBe(false);
    expect(est.synced).toBe(false);
  });

  it('extrapolates the server tick from the newest sample with a tick rate', () => {
    const est = new TimeSyncEstimator();
    expect(est.serverTickAt(0)).toBeUndefined();
    est.add({ ...sample(1_000, 0, 0, 0, 0), serverTick: 100, tickRate: 20 });
    expect(est.serverTickAt(1_500)).toBe(110);
  });
});

describe('TimeSyncScheduler', () => {
  it('sends a burst of samples after connect, then one per resync interval', () => {
    const clock = new ManualClock(0);
    const sent: number[] = [];
    const s = new TimeSyncScheduler({ clock, sendRequest: (t) => sent.push(t) }, { ...timeSyncDefaults, burstSamples: 3, burstSpacingMs: 100, resyncIntervalMs: 1_000 });
    s.start();
    clock.advance(250);
    expect(sent).toEqual([0, 100, 200]);
    clock.advance(2_000);
    expect(sent).toEqual([0, 100, 200, 1_200, 2_200]);
    s.stop();
    clock.advance(5_000);
    expect(sent).toHaveLength(5);
  });
});
