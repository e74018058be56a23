import { ManualClock } from '@mmo/protocol';
import { describe, expect, it } from 'vitest';
import { every } from './timers.js';

describe('every', () => {
  it('calls on a fixed grid after its phase, and stops', () => {
    const clock = new ManualClock(1_000);
    const calls: number[] = [];
    const stop = every(clock, 50, () => calls.push(clock.now()), 10);
    clock.advance(120);
    expect(calls).toEqual([1_010, 1_060, 1_110]);
    stop();
    clock.advance(500);
    expect(calls).toHaveLength(3);
    expect(clock.pendingTimers).toBe(0);
  });

  it('skips the slots a stall missed instead of bunching them up', () => {
    const clock = new ManualClock(0);
    const calls: number[] = [];
    const stop = every(clock, 50, () => {
      calls.push(clock.now());
      if (calls.length === 1) clock.set(170); // the first call blocks the loop for 170 ms
    });
    clock.advance(400);
    stop();
    // Slots 50, 100 and 150 are gone; one late call at 170, then back on the 50 ms grid.
    expect(calls).toEqual([0, 170, 200, 250, 300, 350, 400]);
  });
});
