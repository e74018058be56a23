import { describe, expect, it } from 'vitest';
import { RTT_ALPHA, RTT_BETA, RttEstimator } from './rtt.js';

describe('RttEstimator (RFC 6298)', () => {
  it('initialises from the first sample: srtt = r, rttvar = r / 2', () => {
    const rtt = new RttEstimator();
    expect(rtt.smoothedMs).toBeUndefined();
    rtt.add(100);
    expect(rtt.smoothedMs).toBe(100);
    expect(rtt.jitterMs).toBe(50);
  });

  it('updates rttvar with the old srtt, then srtt, with gains 1/4 and 1/8', () => {
    const rtt = new RttEstimator();
    rtt.add(100);
    rtt.add(180);
    // rttvar = 3/4 * 50 + 1/4 * |100 - 180| = 57.5 ; srtt = 7/8 * 100 + 1/8 * 180 = 110
    expect(rtt.jitterMs).toBeCloseTo(57.5, 10);
    expect(rtt.smoothedMs).toBeCloseTo(110, 10);
    rtt.add(60);
    expect(rtt.jitterMs).toBeCloseTo((1 - RTT_BETA) * 57.5 + RTT_BETA * 50, 10);
    expect(rtt.smoothedMs).toBeCloseTo((1 - RTT_ALPHA) * 110 + RTT_ALPHA * 60, 10);
    expect(rtt.samples).toBe(3);
    expect(rtt.lastMs).toBe(60);
  });

  it('converges to a steady RTT and its jitter to 0', () => {
    const rtt = new RttEstimator();
    rtt.add(500);
    for (let i = 0; i < 200; i++) rtt.add(40);
    expect(rtt.smoothedMs).toBeCloseTo(40, 3);
    expect(rtt.jitterMs).toBeLessThan(0.01);
  });

  it('ignores negative and non-finite samples', () => {
    const rtt = new RttEstimator();
    rtt.add(-5);
    rtt.add(Number.NaN);
    rtt.add(Number.POSITIVE_INFINITY);
    expect(rtt.samples).toBe(0);
  });
});
