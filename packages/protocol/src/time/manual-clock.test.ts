import { describe, expect, it } from 'vitest';
import { ManualClock } from './manual-clock.js';

describe('ManualClock', () => {
  it('fires due timers in time order, including ones scheduled while advancing', () => {
    const clock = new ManualClock(1000);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20);
    const cancelled = clock.setTimeout(() => fired.push('never'), 5);
    clock.setTimeout(() => {
      fired.push(`a@${clock.now()}`);
      clock.setTimeout(() => fired.push(`c@${clock.now()}`), 15);
    }, 10);
    clock.clearTimeout(cancelled);
    clock.advance(24);
    expect(fired).toEqual(['a@1010', 'b@1020']);
    expect(clock.now()).toBe(1024);
    clock.advance(1);
    expect(fired).toEqual(['a@1010', 'b@1020', 'c@1025']);
    expect(clock.pendingTimers).toBe(0);
  });
});
