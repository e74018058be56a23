import type { Clock } from '@mmo/protocol';

/** Buckets of the sliding window: 10 x 100 ms gives a smooth once-per-frame readout. */
const BUCKETS = 10;

/**
 * A sum over the last `windowMs` on the injected clock, kept in fixed buckets (constant memory and
 * O(1) updates however much traffic there is).
 */
export class RateWindow {
  private readonly sums = new Array<number>(BUCKETS).fill(0);
  private readonly starts = new Array<number>(BUCKETS).fill(-Infinity);
  private readonly bucketMs: number;

  constructor(
    private readonly clock: Clock,
    private readonly windowMs = 1_000,
  ) {
    this.bucketMs = windowMs / BUCKETS;
  }

  /** Adds `amount` now. */
  add(amount: number): void {
    const now = this.clock.now();
    const start = Math.floor(now / this.bucketMs) * this.bucketMs;
    const i = Math.floor(now / this.bucketMs) % BUCKETS;
    if (this.starts[i] !== start) {
      this.starts[i] = start;
      this.sums[i] = 0;
    }
    this.sums[i]! += amount;
  }

  /** Sum over the window ending now (per second when the window is 1 s). */
  total(): number {
    const now = this.clock.now();
    const oldest = Math.floor(now / this.bucketMs) * this.bucketMs - this.windowMs + this.bucketMs;
    let sum = 0;
    for (let i = 0; i < BUCKETS; i++) if (this.starts[i]! >= oldest) sum += this.sums[i]!;
    return sum;
  }

  /** The window's sum scaled to one second. */
  perSecond(): number {
    return (this.total() * 1000) / this.windowMs;
  }
}
