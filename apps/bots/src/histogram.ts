/**
 * A fixed-bucket latency histogram: constant memory and O(1) per sample however long the run, so a
 * swarm of hundreds of bots can record every observation instead of sampling.
 */

/** Bucket width in ms: the resolution of the reported percentiles. */
export const HISTOGRAM_BUCKET_MS = 0.5;
/** Largest latency with a bucket of its own; slower samples land in the last bucket. */
export const HISTOGRAM_MAX_MS = 10_000;

/** Percentiles of a histogram, in ms (null without samples, so they survive JSON). */
export interface LatencySummary {
  /** Samples recorded. */
  samples: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** Exact, not bucketed. */
  min: number | null;
  /** Exact, not bucketed. */
  max: number | null;
  /** Exact, not bucketed. */
  mean: number | null;
}

/** Counts latencies in {@link HISTOGRAM_BUCKET_MS} buckets up to {@link HISTOGRAM_MAX_MS}. */
export class LatencyHistogram {
  private readonly counts = new Uint32Array(Math.ceil(HISTOGRAM_MAX_MS / HISTOGRAM_BUCKET_MS) + 1);
  private total = 0;
  private sum = 0;
  private lowest = Infinity;
  private highest = -Infinity;

  /** Records one latency in ms (negative values count as 0). */
  record(ms: number): void {
    const value = ms > 0 ? ms : 0;
    const bucket = Math.min(this.counts.length - 1, Math.floor(value / HISTOGRAM_BUCKET_MS));
    this.counts[bucket]!++;
    this.total++;
    this.sum += value;
    if (value < this.lowest) this.lowest = value;
    if (value > this.highest) this.highest = value;
  }

  /** Samples recorded. */
  get count(): number {
    return this.total;
  }

  /**
   * The latency below which a fraction `q` (0..1) of the samples lie: the midpoint of the bucket
   * holding the sample of rank ceil(q × count), clamped to the exact min and max (the max itself
   * for samples past {@link HISTOGRAM_MAX_MS}).
   */
  quantile(q: number): number | undefined {
    if (this.total === 0) return undefined;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) {
        // The overflow bucket has no width to take a midpoint of: the exact max is the best answer.
        if (i === this.counts.length - 1) return this.highest;
        const mid = (i + 0.5) * HISTOGRAM_BUCKET_MS;
        return Math.min(this.highest, Math.max(this.lowest, mid));
      }
    }
    return this.highest;
  }

  /** Adds every sample of `other` into this one. */
  merge(other: LatencyHistogram): void {
    for (let i = 0; i < this.counts.length; i++) this.counts[i]! += other.counts[i]!;
    this.total += other.total;
    this.sum += other.sum;
    this.lowest = Math.min(this.lowest, other.lowest);
    this.highest = Math.max(this.highest, other.highest);
  }

  /** Forgets every sample. */
  clear(): void {
    this.counts.fill(0);
    this.total = 0;
    this.sum = 0;
    this.lowest = Infinity;
    this.highest = -Infinity;
  }

  /** p50, p95, p99, min, max and mean, rounded to 0.1 ms. */
  summary(): LatencySummary {
    const empty = this.total === 0;
    return {
      samples: this.total,
      p50: round(this.quantile(0.5)),
      p95: round(this.quantile(0.95)),
      p99: round(this.quantile(0.99)),
      min: empty ? null : round(this.lowest),
      max: empty ? null : round(this.highest),
      mean: empty ? null : round(this.sum / this.total),
    };
  }
}

function round(ms: number | undefined): number | null {
  return ms === undefined ? null : Math.round(ms * 10) / 10;
}
