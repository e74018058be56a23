/** Gain of the smoothed RTT (RFC 6298 alpha). */
export const RTT_ALPHA = 1 / 8;
/** Gain of the RTT variation (RFC 6298 beta). */
export const RTT_BETA = 1 / 4;

/**
 * Round-trip time estimator, as TCP does it (RFC 6298): a smoothed RTT (EWMA, gain 1/8) and a
 * variation (EWMA of the deviation, gain 1/4) used as the jitter figure. The first sample sets
 * srtt = r and rttvar = r / 2.
 */
export class RttEstimator {
  private srtt: number | undefined;
  private rttvar = 0;
  private last: number | undefined;
  private count = 0;

  /** Adds one RTT sample in ms; negative or non-finite samples are ignored. */
  add(sampleMs: number): void {
    if (!Number.isFinite(sampleMs) || sampleMs < 0) return;
    this.count++;
    this.last = sampleMs;
    if (this.srtt === undefined) {
      this.srtt = sampleMs;
      this.rttvar = sampleMs / 2;
      return;
    }
    // RTTVAR first, with the old SRTT (RFC 6298 section 2.3).
    this.rttvar = (1 - RTT_BETA) * this.rttvar + RTT_BETA * Math.abs(this.srtt - sampleMs);
    this.srtt = (1 - RTT_ALPHA) * this.srtt + RTT_ALPHA * sampleMs;
  }

  /** Smoothed RTT in ms (undefined before the first sample). */
  get smoothedMs(): number | undefined {
    return this.srtt;
  }

  /** RTT variation (jitter) in ms; 0 before the first sample. */
  get jitterMs(): number {
    return this.rttvar;
  }

  /** The most recent raw sample in ms. */
  get lastMs(): number | undefined {
    return this.last;
  }

  /** Number of samples taken. */
  get samples(): number {
    return this.count;
  }
}
