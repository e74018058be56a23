import { describe, expect, it } from 'vitest';
import { HISTOGRAM_BUCKET_MS, HISTOGRAM_MAX_MS, LatencyHistogram } from './histogram.js';

describe('LatencyHistogram', () => {
  it('gives percentiles within a bucket of the exact ones', () => {
    const h = new LatencyHistogram();
    const values = Array.from({ length: 1000 }, (_, i) => i + 1); // 1..1000 ms
    for (const v of values.slice().reverse()) h.record(v);
    const s = h.summary();
    expect(s.samples).toBe(1000);
    expect(Math.abs(s.p50! - 500)).toBeLessThanOrEqual(HISTOGRAM_BUCKET_MS);
    expect(Math.abs(s.p95! - 950)).toBeLessThanOrEqual(HISTOGRAM_BUCKET_MS);
    expect(Math.abs(s.p99! - 990)).toBeLessThanOrEqual(HISTOGRAM_BUCKET_MS);
    expect(s).toMatchObject({ min: 1, max: 1000, mean: 500.5 });
  });

  it('is empty as nulls, clamps negatives and overflows, merges and clears', () => {
    const h = new LatencyHistogram();
    expect(h.summary()).toEqual({ samples: 0, p50: null, p95: null, p99: null, min: null, max: null, mean: null });
    h.record(-3);
    h.record(HISTOGRAM_MAX_MS * 3);
    expect(h.summary()).toMatchObject({ samples: 2, min: 0, max: HISTOGRAM_MAX_MS * 3 });
    expect(h.quantile(1)).toBe(HISTOGRAM_MAX_MS * 3);
    const other = new LatencyHistogram();
    other.record(7);
    h.merge(other);
    expect(h.count).toBe(3);
    expect(h.quantile(0.5)).toBeCloseTo(7.25, 5);
    h.clear();
    expect(h.count).toBe(0);
  });
});
