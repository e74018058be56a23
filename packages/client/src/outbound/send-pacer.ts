import type { Clock } from '@mmo/protocol';

/** A token bucket on the injected clock (no timers of its own): paces backlog flushes. */
export class SendPacer {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly clock: Clock,
    private readonly burst: number,
    private readonly perSecond: number,
  ) {
    this.tokens = burst;
    this.updatedAt = clock.now();
  }

  /** Whole messages that may go now. */
  available(): number {
    this.refill();
    return Math.floor(this.tokens);
  }

  /** Spends `n` tokens. */
  take(n: number): void {
    this.refill();
    this.tokens = Math.max(0, this.tokens - n);
  }

  /** Ms until one more message may go (0 when one may go now). */
  msUntilNext(): number {
    this.refill();
    if (this.tokens >= 1) return 0;
    return Math.ceil(((1 - this.tokens) * 1000) / this.perSecond);
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.updatedAt);
    this.updatedAt = now;
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.perSecond) / 1000);
  }
}
