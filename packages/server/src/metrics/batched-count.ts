/**
 * A counter series for the hot path: `inc` adds to a plain number, and `flush` hands the sum to
 * the prom-client child at scrape time (the counter's `collect`). prom-client's own `inc` hashes
 * the label set on every call; with two counters per message and thousands of messages per tick
 * that is measurable. The totals a scrape sees are the same, as of the scrape.
 */
export class BatchedCount {
  private pending = 0;

  constructor(private readonly child: { inc(value: number): void }) {}

  /** Adds `value` (default 1): a finite number >= 0, as for any counter; anything else throws a TypeError. */
  inc(value = 1): void {
    if (!(value >= 0) || value === Number.POSITIVE_INFINITY) throw new TypeError(`counter increment must be a finite number >= 0, got ${String(value)}`);
    this.pending += value;
  }

  /** Hands what was added since the last flush to the prom-client series. */
  flush(): void {
    if (this.pending === 0) return;
    const value = this.pending;
    this.pending = 0;
    this.child.inc(value);
  }
}
