import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BACKOFF_JITTER_MAX, BACKOFF_JITTER_MIN, backoffDefaults, backoffDelayMs } from './backoff.js';

describe('backoffDelayMs', () => {
  it('doubles from 1 s and caps at 60 s (jitter at its midpoint)', () => {
    const mid = () => 0.5;
    const seq = Array.from({ length: 9 }, (_, n) => backoffDelayMs(n, backoffDefaults, mid));
    expect(seq).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  });

  it('stays within min(base * 2^n, max) * [0.75, 1.25] for any attempt, options and random value', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 600_000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, baseDelayMs, maxDelayMs, r) => {
          const capped = Math.min(baseDelayMs * 2 ** attempt, maxDelayMs);
          const delay = backoffDelayMs(attempt, { baseDelayMs, maxDelayMs }, () => r);
          expect(Number.isFinite(delay)).toBe(true);
          expect(delay).toBeGreaterThanOrEqual(Math.floor(capped * BACKOFF_JITTER_MIN));
          expect(delay).toBeLessThanOrEqual(Math.ceil(capped * BACKOFF_JITTER_MAX));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('is monotonic in the attempt for a fixed random value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (n, r) => {
        expect(backoffDelayMs(n + 1, backoffDefaults, () => r)).toBeGreaterThanOrEqual(backoffDelayMs(n, backoffDefaults, () => r));
      }),
    );
  });

  it('spreads delays over the whole jitter band', () => {
    expect(backoffDelayMs(0, backoffDefaults, () => 0)).toBe(750);
    expect(backoffDelayMs(0, backoffDefaults, () => 0.999999)).toBe(1_250);
  });
});
