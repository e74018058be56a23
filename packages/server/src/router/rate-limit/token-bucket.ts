import { MmoError, type Clock } from '@mmo/protocol';

/** What a {@link TokenBucket} needs. */
export interface TokenBucketInit {
  /** Most tokens the bucket holds, which is also the largest burst it allows; it starts full. */
  capacity: number;
  /** Tokens added per second of clock time, up to `capacity`. */
  refillPerSec: number;
  /** Source of time; read on each `take`, never used for timers. */
  clock: Clock;
}

/**
 * Tolerance for floating-point refill: 1000/30 ms at 30 tokens/s must make exactly one token, not
 * 0.9999999. Far below anything a caller could exploit.
 */
const REFILL_EPSILON = 1e-9;

/**
 * A token bucket whose refill is computed lazily from `clock.now()` at each call, so thousands of
 * idle buckets cost no timers and no CPU.
 * @example
 * const bucket = new TokenBucket({ capacity: 60, refillPerSec: 30, clock: systemClock });
 * if (!bucket.take()) dropMessage();
 */
export class TokenBucket {
  private readonly clock: Clock;
  private readonly capacity: number;
  private readonly refillPerMs: number;
  private available: number;
  private lastRefillMs: number;

  constructor(init: TokenBucketInit) {
    assertNonNegativeFinite('capacity', init.capacity);
    assertNonNegativeFinite('refillPerSec', init.refillPerSec);
    this.clock = init.clock;
    this.capacity = init.capacity;
    this.refillPerMs = init.refillPerSec / 1000;
    this.available = init.capacity;
    this.lastRefillMs = init.clock.now();
  }

  /** Takes `n` tokens if that many are available (all or nothing); false leaves the bucket unchanged. */
  take(n = 1): boolean {
    if (!Number.isFinite(n) || n < 0) {
      throw new MmoError('INVALID_ARGUMENT', `TokenBucket.take: n must be a non-negative finite number, got ${n}`);
    }
    this.refill();
    if (this.available + REFILL_EPSILON < n) return false;
    this.available = Math.max(0, this.available - n);
    return true;
  }

  /** Tokens available now (fractional between refills). */
  get tokens(): number {
    this.refill();
    return this.available;
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsedMs = now - this.lastRefillMs;
    // The clock is the wall clock and may step backwards (NTP). Re-anchoring without refilling
    // neither mints tokens nor freezes the bucket until the clock catches up with the old reading.
    if (elapsedMs > 0) this.available = Math.min(this.capacity, this.available + elapsedMs * this.refillPerMs);
    this.lastRefillMs = now;
  }
}

function assertNonNegativeFinite(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new MmoError('INVALID_OPTIONS', `TokenBucket: ${name} must be a non-negative finite number, got ${value}`);
  }
}
