import { MmoError, type Clock, type TimerHandle } from '@mmo/protocol';

/** Tick rates a {@link TickLoop} accepts, in Hz (issue 5: "20 Hz default, configurable up to 60+"). */
export const TICK_RATE_MIN_HZ = 1;
/** Highest tick rate a {@link TickLoop} accepts, in Hz. */
export const TICK_RATE_MAX_HZ = 128;

/**
 * Slots are computed as `floor(elapsed / period)`; `elapsed` is a difference of floats, so a slot
 * reached exactly can come out as 0.99999999 of a period. This fraction of a period (5 ns at 20 Hz)
 * is far below any timer's resolution.
 */
const SLOT_EPSILON = 1e-7;

/**
 * A timer firing this early (ms) still runs its tick: Node truncates fractional delays (16.67 ms
 * fires after 16 ms) and its loop time has millisecond granularity. Earlier than this re-arms.
 */
const EARLY_FIRE_TOLERANCE_MS = 1;

/** Tunable settings of a {@link TickLoop}; see {@link tickLoopDefaults}. */
export interface TickLoopOptions {
  /**
   * Ticks per second, an integer or not, from {@link TICK_RATE_MIN_HZ} to {@link TICK_RATE_MAX_HZ}.
   * @default 20
   */
  tickRate?: number;
}

/** Defaults of {@link TickLoopOptions}. */
export const tickLoopDefaults: Readonly<Required<TickLoopOptions>> = Object.freeze({
  // 20 Hz: the seed's zone rate; 50 ms leaves room for 1,000 clients' deltas per tick.
  tickRate: 20,
});

/** Reported through {@link TickLoopInit.onOverrun} each time the loop skips slots. */
export interface TickOverrunInfo {
  /** First tick number that was skipped. */
  firstSkippedTick: number;
  /** How many consecutive ticks were skipped (never run) to get back on schedule. */
  skippedTicks: number;
  /** The tick that runs now, at most one period late. */
  resumeTick: number;
  /** How late the first skipped tick was when the loop noticed, in ms (>= one period). */
  behindMs: number;
  /** Total skipped ticks since construction, this overrun included. */
  overrunCount: number;
}

/** One tick's timing, reported through {@link TickLoopInit.onTickMeasured} (feed a histogram). */
export interface TickSample {
  /** The tick number. */
  tick: number;
  /** Time `onTick` took, measured with the hi-res `now`, in ms. */
  durationMs: number;
  /** How long after its slot the tick started, on the injected clock, in ms (event-loop lag). */
  lateMs: number;
}

/** A snapshot of a {@link TickLoop}'s counters (for metrics and the admin API). */
export interface TickLoopStats {
  /** Ticks run since construction. */
  ticksRun: number;
  /** Ticks skipped because the loop fell behind by more than one period. */
  overrunCount: number;
  /** Duration of the most recent tick, in ms (0 before the first). */
  lastTickDurationMs: number;
  /** Longest tick since construction or the last {@link TickLoop.resetStats}, in ms. */
  maxTickDurationMs: number;
  /** Mean tick duration since construction or the last {@link TickLoop.resetStats}, in ms. */
  meanTickDurationMs: number;
}

/** What a {@link TickLoop} needs: its clock, its work, and optional observers. */
export interface TickLoopInit extends TickLoopOptions {
  /** Schedules the ticks; `clock.now()` defines each slot's time. */
  clock: Clock;
  /**
   * The tick's work. `tick` is the slot number (tick n is due at start + n * period, so tick
   * numbers skip the slots lost to an overrun); `dtMs` is always one period (fixed step: a stall
   * is not integrated as one huge step). A throw propagates to the clock's timer, after the next
   * tick has been scheduled, so one bad tick does not stop the loop.
   */
  onTick: (tick: number, dtMs: number) => void;
  /**
   * Hi-res time source for measuring tick durations, in ms.
   * @default globalThis.performance.now, else clock.now
   */
  now?: (() => number) | undefined;
  /** Called when the loop skips slots to get back on schedule. */
  onOverrun?: ((info: TickOverrunInfo) => void) | undefined;
  /** Called after every tick with its timing. */
  onTickMeasured?: ((sample: TickSample) => void) | undefined;
}

/**
 * A fixed-rate, drift-free tick loop on an injected clock. Tick n is scheduled for
 * `startMs + n * periodMs` (computed from the anchor, never by adding periods up), so timer
 * lateness never accumulates. When the loop falls more than one period behind (a slow tick or a
 * stalled event loop) it does not burst to catch up: the missed slots are counted as overruns and
 * the loop runs the latest due slot, then carries on at the normal rate.
 * @example
 * const loop = new TickLoop({ clock: systemClock, tickRate: 20, onTick: (tick, dtMs) => zone.step(tick, dtMs) });
 * loop.start();
 */
export class TickLoop {
  /** Tick period in ms (`1000 / tickRate`). */
  readonly periodMs: number;
  /** Ticks per second. */
  readonly tickRate: number;

  private readonly clock: Clock;
  private readonly onTick: (tick: number, dtMs: number) => void;
  private readonly hiResNow: () => number;
  private readonly onOverrun: ((info: TickOverrunInfo) => void) | undefined;
  private readonly onTickMeasured: ((sample: TickSample) => void) | undefined;

  private timer: TimerHandle | undefined;
  private running = false;
  /** Slot `anchorTick` is at clock time `anchorMs`; every slot time derives from these two. */
  private anchorMs = 0;
  private anchorTick = 0;
  private nextTick = 1;
  private lastTickNumber = 0;

  private ticks = 0;
  private overruns = 0;
  private lastDurationMs = 0;
  private maxDurationMs = 0;
  private sumDurationMs = 0;
  private measuredTicks = 0;

  constructor(init: TickLoopInit) {
    const tickRate = init.tickRate ?? tickLoopDefaults.tickRate;
    if (!Number.isFinite(tickRate) || tickRate < TICK_RATE_MIN_HZ || tickRate > TICK_RATE_MAX_HZ) {
      throw new MmoError(
        'INVALID_OPTIONS',
        `TickLoop: tickRate must be between ${TICK_RATE_MIN_HZ} and ${TICK_RATE_MAX_HZ} Hz, got ${tickRate}`,
      );
    }
    this.tickRate = tickRate;
    this.periodMs = 1000 / tickRate;
    this.clock = init.clock;
    this.onTick = init.onTick;
    this.hiResNow = init.now ?? defaultHiResNow(init.clock);
    this.onOverrun = init.onOverrun;
    this.onTickMeasured = init.onTickMeasured;
  }

  /** True between {@link start} and {@link stop}. */
  get isRunning(): boolean {
    return this.running;
  }

  /** Number of the last tick run (0 before the first). */
  get currentTick(): number {
    return this.lastTickNumber;
  }

  /** Duration of the most recent tick, in ms. */
  get lastTickDurationMs(): number {
    return this.lastDurationMs;
  }

  /** Ticks skipped since construction because the loop fell behind by more than one period. */
  get overrunCount(): number {
    return this.overruns;
  }

  /** Counters for metrics; a fresh object each call. */
  get stats(): TickLoopStats {
    return {
      ticksRun: this.ticks,
      overrunCount: this.overruns,
      lastTickDurationMs: this.lastDurationMs,
      maxTickDurationMs: this.maxDurationMs,
      meanTickDurationMs: this.measuredTicks === 0 ? 0 : this.sumDurationMs / this.measuredTicks,
    };
  }

  /** Restarts the max and mean of {@link stats} (e.g. after each metrics scrape). */
  resetStats(): void {
    this.maxDurationMs = 0;
    this.sumDurationMs = 0;
    this.measuredTicks = 0;
  }

  /**
   * Starts ticking: the first tick is due one period from now. Tick numbers continue after a
   * restart (clients and history rings key on them). Does nothing if already running.
   */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.anchorMs = this.clock.now();
    this.anchorTick = this.lastTickNumber;
    this.nextTick = this.lastTickNumber + 1;
    this.schedule();
  }

  /** Stops ticking; a pending tick never runs. Safe to call from inside `onTick`. */
  stop(): void {
    this.running = false;
    if (this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  /** Clock time at which slot `tick` is due. */
  slotTimeMs(tick: number): number {
    return this.anchorMs + (tick - this.anchorTick) * this.periodMs;
  }

  private schedule(): void {
    const now = this.clock.now();
    let delayMs = this.slotTimeMs(this.nextTick) - now;
    if (delayMs > this.periodMs + EARLY_FIRE_TOLERANCE_MS) {
      // The clock stepped backwards (an NTP correction of the wall clock): waiting for the old slot
      // would freeze the zone for as long as the step. Re-anchor one period from now instead.
      this.anchorMs = now;
      this.anchorTick = this.nextTick - 1;
      delayMs = this.periodMs;
    }
    this.timer = this.clock.setTimeout(this.fire, Math.max(0, delayMs));
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    if (!this.running) return;
    const now = this.clock.now();
    const earlyMs = this.slotTimeMs(this.nextTick) - now;
    if (earlyMs > this.periodMs + EARLY_FIRE_TOLERANCE_MS) {
      // No timer fires a whole period early: the wall clock stepped backwards while we waited.
      // This slot is due now on the stepped clock.
      this.anchorMs = now;
      this.anchorTick = this.nextTick;
    } else if (earlyMs > EARLY_FIRE_TOLERANCE_MS) {
      this.schedule();
      return;
    }
    const dueTick = this.anchorTick + Math.floor((now - this.anchorMs) / this.periodMs + SLOT_EPSILON);
    let tick = this.nextTick;
    if (dueTick > tick) {
      // More than one period behind: skip to the latest due slot rather than bursting through the
      // missed ones, so lag never accumulates (issue 5: "overruns counted, never accumulating lag").
      const skipped = dueTick - tick;
      this.overruns += skipped;
      const info: TickOverrunInfo = {
        firstSkippedTick: tick,
        skippedTicks: skipped,
        resumeTick: dueTick,
        behindMs: now - this.slotTimeMs(tick),
        overrunCount: this.overruns,
      };
      tick = dueTick;
      this.onOverrun?.(info);
    }
    this.runTick(tick, now);
  };

  private runTick(tick: number, startedAtMs: number): void {
    this.lastTickNumber = tick;
    this.nextTick = tick + 1;
    const lateMs = Math.max(0, startedAtMs - this.slotTimeMs(tick));
    const t0 = this.hiResNow();
    try {
      this.onTick(tick, this.periodMs);
    } finally {
      const durationMs = Math.max(0, this.hiResNow() - t0);
      this.ticks++;
      this.measuredTicks++;
      this.lastDurationMs = durationMs;
      this.sumDurationMs += durationMs;
      if (durationMs > this.maxDurationMs) this.maxDurationMs = durationMs;
      // Schedule before reporting so a throwing observer cannot stop the loop either.
      if (this.running && this.timer === undefined) this.schedule();
      this.onTickMeasured?.({ tick, durationMs, lateMs });
    }
  }
}

interface PerformanceLike {
  now(): number;
}

function defaultHiResNow(clock: Clock): () => number {
  const performance = (globalThis as { performance?: PerformanceLike }).performance;
  if (performance !== undefined && typeof performance.now === 'function') return () => performance.now();
  return () => clock.now();
}
