import { describe, expect, it } from 'vitest';
import { createLatencyTracker } from './latency.js';

const at = (x: number) => ({ x, y: 0, z: 0 });

describe('createLatencyTracker', () => {
  it('times every input once, when an observer first shows its position or a later one', () => {
    let now = 0;
    const tracker = createLatencyTracker({ now: () => now });
    const eye = tracker.observer();
    // Input 1 is the first sighting: it only sets where this observer is.
    tracker.sent(7, at(0.25));
    now = 30;
    expect(eye.observe(7, at(0.25))).toBe(0);
    // Inputs 2 and 3 go out 50 ms apart; the observer's next tick shows input 3 (2 folded into it).
    now = 50;
    tracker.sent(7, at(0.5));
    now = 100;
    tracker.sent(7, at(0.75));
    now = 130;
    expect(eye.observe(7, at(0.752))).toBe(2); // within the match distance of input 3
    expect(tracker.total.summary()).toMatchObject({ samples: 2, min: 30, max: 80 });
    // The same state again (no new input reached the server): nothing new.
    now = 180;
    expect(eye.observe(7, at(0.75))).toBe(0);
    // A position that matches nothing yields nothing.
    tracker.sent(7, at(1));
    expect(eye.observe(7, at(3))).toBe(0);
    expect(tracker.interval.count).toBe(2);
  });

  it('starts over after the entity leaves view, forgets dropped entities and bounds the ring', () => {
    let now = 0;
    const tracker = createLatencyTracker({ now: () => now, ringInputs: 4 });
    const eye = tracker.observer();
    for (let i = 1; i <= 3; i++) tracker.sent(1, at(i));
    expect(eye.observe(1, at(1))).toBe(0);
    eye.forget(1);
    now = 10;
    expect(eye.observe(1, at(3))).toBe(0); // a first sighting again
    for (let i = 4; i <= 20; i++) tracker.sent(1, at(i)); // the ring keeps 17..20
    now = 20;
    expect(eye.observe(1, at(5))).toBe(0); // long gone
    expect(eye.observe(1, at(18))).toBe(2); // 17 and 18
    tracker.drop(1);
    expect(eye.observe(1, at(20))).toBe(0);
    expect(() => createLatencyTracker({ ringInputs: 1 })).toThrow(RangeError);
  });
});
