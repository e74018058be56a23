import { ManualClock, MmoError, type Clock, type TimerHandle } from '@mmo/protocol';
import { describe, expect, it } from 'vitest';
import { TickLoop, type TickOverrunInfo, type TickSample } from './tick-loop.js';

/**
 * An event loop in miniature: timers fire in time order, never early, and late when something
 * stalls the loop (`stall` moves time on without firing anything). Unlike ManualClock.set, time
 * never goes back when an overdue timer fires.
 */
class StallableClock implements Clock {
  private current: number;
  /** Wall-clock correction: timers run on monotonic time, `now()` reports the stepped wall clock. */
  private wallOffsetMs = 0;
  private nextId = 1;
  private timers: { id: number; at: number; fn: () => void }[] = [];

  constructor(startMs: number) {
    this.current = startMs;
  }
  now(): number {
    return this.current + this.wallOffsetMs;
  }
  /** Steps the wall clock (NTP) without changing when pending timers fire. */
  stepWall(ms: number): void {
    this.wallOffsetMs += ms;
  }
  setTimeout(fn: () => void, delayMs: number): TimerHandle {
    const id = this.nextId++;
    this.timers.push({ id, at: this.current + Math.max(0, delayMs), fn });
    return id;
  }
  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  stall(ms: number): void {
    this.current += ms;
  }
  runUntil(targetMs: number): void {
    for (;;) {
      const due = this.timers.filter((t) => t.at <= targetMs).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.current = Math.max(this.current, due.at);
      due.fn();
    }
    this.current = Math.max(this.current, targetMs);
  }
}

describe('TickLoop', () => {
  it.each([20, 60, 128])('runs 10^5 ticks at %i Hz at exactly start + n * period, with a constant dt', (rate) => {
    const startMs = 1_700_000_000_123;
    const clock = new ManualClock(startMs);
    const periodMs = 1000 / rate;
    let count = 0;
    let worstErrorMs = 0;
    const dtSeen = new Set<number>();
    const loop = new TickLoop({
      clock,
      tickRate: rate,
      now: () => clock.now(),
      onTick: (tick, dtMs) => {
        count++;
        expect(tick).toBe(count);
        worstErrorMs = Math.max(worstErrorMs, Math.abs(clock.now() - (startMs + tick * periodMs)));
        dtSeen.add(dtMs);
      },
    });
    loop.start();
    const total = 100_000;
    // In uneven chunks, so the schedule cannot depend on how the clock is driven.
    while (count < total) clock.advance(Math.min(37.3, startMs + total * periodMs - clock.now()));
    expect(count).toBe(total);
    expect(worstErrorMs).toBe(0);
    expect([...dtSeen]).toEqual([periodMs]);
    expect(loop.overrunCount).toBe(0);
    expect(loop.currentTick).toBe(total);
    expect(clock.pendingTimers).toBe(1);
  });

  it('defaults to 20 Hz and rejects rates outside 1..128 Hz', () => {
    const clock = new ManualClock(0);
    expect(new TickLoop({ clock, onTick: () => {} }).periodMs).toBe(50);
    for (const tickRate of [0, 0.5, 129, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new TickLoop({ clock, tickRate, onTick: () => {} })).toThrow(MmoError);
    }
    expect(new TickLoop({ clock, tickRate: 1, onTick: () => {} }).periodMs).toBe(1000);
    expect(new TickLoop({ clock, tickRate: 128, onTick: () => {} }).periodMs).toBe(7.8125);
  });

  it('does not drift when timers fire late by less than a period', () => {
    const clock = new StallableClock(0);
    const times: number[] = [];
    const loop = new TickLoop({ clock, tickRate: 20, onTick: () => times.push(clock.now()) });
    loop.start();
    for (let i = 1; i <= 200; i++) {
      clock.runUntil(i * 50 - 1);
      clock.stall(1 + (i % 7) * 6); // the timer for slot i fires 0..37 ms late
      clock.runUntil(clock.now());
    }
    expect(loop.overrunCount).toBe(0);
    expect(times).toHaveLength(200);
    // Lateness is per tick, never cumulative: tick i starts within one period of its slot.
    times.forEach((t, i) => expect(t - (i + 1) * 50).toBeLessThan(50));
    expect(loop.currentTick).toBe(200);
  });

  it('skips the slots a slow tick ran over, counts them, and resumes on schedule without a burst', () => {
    const clock = new ManualClock(0);
    const ran: [number, number][] = [];
    const overruns: TickOverrunInfo[] = [];
    const samples: TickSample[] = [];
    const loop = new TickLoop({
      clock,
      tickRate: 20,
      now: () => clock.now(),
      onTick: (tick) => {
        ran.push([tick, clock.now()]);
        // Tick 3 takes three whole periods (time passes, no timer can fire meanwhile).
        if (tick === 3) clock.set(clock.now() + 150);
      },
      onOverrun: (info) => overruns.push(info),
      onTickMeasured: (sample) => samples.push(sample),
    });
    loop.start();
    clock.advance(500);
    // Tick 3 ran 150..300; slots 4 and 5 were missed; slot 6 (due at 300) runs at once, on time.
    expect(ran).toEqual([
      [1, 50],
      [2, 100],
      [3, 150],
      [6, 300],
      [7, 350],
      [8, 400],
      [9, 450],
      [10, 500],
    ]);
    expect(overruns).toEqual([{ firstSkippedTick: 4, skippedTicks: 2, resumeTick: 6, behindMs: 100, overrunCount: 2 }]);
    expect(loop.overrunCount).toBe(2);
    expect(loop.stats).toMatchObject({ ticksRun: 8, overrunCount: 2, maxTickDurationMs: 150, lastTickDurationMs: 0 });
    expect(samples.find((s) => s.tick === 3)).toEqual({ tick: 3, durationMs: 150, lateMs: 0 });
    expect(loop.stats.meanTickDurationMs).toBeCloseTo(150 / 8, 10);
  });

  it('a tick that overruns by a fraction of a period runs the next one late instead of skipping it', () => {
    const clock = new ManualClock(0);
    const ran: [number, number][] = [];
    const loop = new TickLoop({
      clock,
      tickRate: 20,
      onTick: (tick) => {
        ran.push([tick, clock.now()]);
        if (tick === 1) clock.set(clock.now() + 75); // ends at 125: slot 2 (100) is 25 ms late
      },
    });
    loop.start();
    clock.advance(200);
    expect(ran).toEqual([
      [1, 50],
      [2, 125],
      [3, 150],
      [4, 200],
    ]);
    expect(loop.overrunCount).toBe(0);
  });

  it('after a stalled event loop, runs the latest due slot once and resynchronises', () => {
    const clock = new StallableClock(1000);
    const ran: [number, number][] = [];
    const overruns: TickOverrunInfo[] = [];
    const samples: TickSample[] = [];
    const loop = new TickLoop({
      clock,
      tickRate: 20,
      onTick: (tick) => ran.push([tick, clock.now()]),
      onOverrun: (info) => overruns.push(info),
      onTickMeasured: (sample) => samples.push(sample),
    });
    loop.start();
    clock.runUntil(1100); // ticks 1, 2
    clock.stall(1010); // something else blocks the loop from 1100 to 2110
    clock.runUntil(2300);
    expect(ran).toEqual([
      [1, 1050],
      [2, 1100],
      [22, 2110],
      [23, 2150],
      [24, 2200],
      [25, 2250],
      [26, 2300],
    ]);
    expect(overruns).toEqual([{ firstSkippedTick: 3, skippedTicks: 19, resumeTick: 22, behindMs: 960, overrunCount: 19 }]);
    expect(samples.find((s) => s.tick === 22)?.lateMs).toBe(10);
  });

  it('stop cancels the pending tick, also from inside onTick; start continues the tick numbers', () => {
    const clock = new ManualClock(0);
    const ticks: number[] = [];
    const loop = new TickLoop({
      clock,
      tickRate: 10,
      onTick: (tick) => {
        ticks.push(tick);
        if (tick === 3) loop.stop();
      },
    });
    loop.start();
    loop.start(); // idempotent: still one timer
    expect(clock.pendingTimers).toBe(1);
    clock.advance(1000);
    expect(ticks).toEqual([1, 2, 3]);
    expect(loop.isRunning).toBe(false);
    expect(clock.pendingTimers).toBe(0);

    loop.start(); // at 1000: tick 4 due at 1100
    clock.advance(150);
    loop.stop();
    expect(clock.pendingTimers).toBe(0);
    clock.advance(10_000);
    expect(ticks).toEqual([1, 2, 3, 4]);
    expect(loop.slotTimeMs(4)).toBe(1100);
  });

  it('keeps ticking after onTick throws (the error still reaches the timer)', () => {
    const clock = new ManualClock(0);
    const ticks: number[] = [];
    const loop = new TickLoop({
      clock,
      tickRate: 20,
      onTick: (tick) => {
        ticks.push(tick);
        if (tick === 2) throw new Error('boom');
      },
    });
    loop.start();
    expect(() => clock.advance(100)).toThrow('boom');
    clock.advance(100);
    expect(ticks).toEqual([1, 2, 3, 4]);
  });

  it('re-anchors instead of freezing when the wall clock steps backwards', () => {
    const clock = new StallableClock(10_000);
    const ran: number[] = [];
    const loop = new TickLoop({ clock, tickRate: 20, onTick: (tick) => ran.push(tick) });
    loop.start();
    clock.runUntil(10_100); // ticks 1, 2; tick 3 pending
    clock.stepWall(-3_600_000); // NTP steps the wall clock back an hour
    clock.runUntil(10_400); // 300 ms of real time
    // Not frozen for an hour: the loop re-anchored and kept its period, tick numbers continue.
    expect(ran).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(loop.overrunCount).toBe(0);
  });

  it('re-arms rather than running a tick whose timer fired early', () => {
    const manual = new ManualClock(0);
    // A clock whose timers fire up to 10 ms before they are due (worse than any real runtime).
    const early: Clock = {
      now: () => manual.now(),
      setTimeout: (fn, ms) => manual.setTimeout(fn, ms - Math.min(10, ms / 2)),
      clearTimeout: (h) => manual.clearTimeout(h),
    };
    const ran: [number, number][] = [];
    const loop = new TickLoop({ clock: early, tickRate: 20, onTick: (tick) => ran.push([tick, manual.now()]) });
    loop.start();
    manual.advance(100);
    // Each tick runs at most EARLY_FIRE_TOLERANCE_MS (1 ms) before its slot, never a timer's worth.
    expect(ran.map(([tick]) => tick)).toEqual([1, 2]);
    ran.forEach(([tick, at]) => expect(at).toBeGreaterThanOrEqual(tick * 50 - 1));
  });
});
