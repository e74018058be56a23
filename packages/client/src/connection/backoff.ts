/** Options of the reconnect backoff and attempt limits. */
export interface BackoffOptions {
  /**
   * Delay before the first retry, before jitter, in ms; doubles per attempt.
   * @default 1000
   */
  baseDelayMs?: number;
  /**
   * Cap of the doubling, before jitter, in ms.
   * @default 60000
   */
  maxDelayMs?: number;
  /**
   * Consecutive attempts without reaching `connected` before the client gives up (`failed`).
   * 20 attempts is about 15 minutes with the default delays.
   * @default 20
   */
  maxAttempts?: number;
  /**
   * Consecutive attempts that closed before the socket opened (server down, or an upgrade refused
   * where the runtime hides the HTTP status, as browsers do) before the client gives up. This is
   * what stops a browser with a refused token: about 3 minutes with the default delays. Node `ws`
   * reveals the status, so there a 401/403 fails at once.
   * @default 8
   */
  maxFailuresBeforeOpen?: number;
}

/** Defaults of {@link BackoffOptions}, as DESIGN.md pins them: min(1 s * 2^n, 60 s) * U(0.75, 1.25). */
export const backoffDefaults: Readonly<Required<BackoffOptions>> = Object.freeze({
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  maxAttempts: 20,
  maxFailuresBeforeOpen: 8,
});

/** Lower jitter factor: the delay is spread uniformly over +-25 %. */
export const BACKOFF_JITTER_MIN = 0.75;
/** Upper jitter factor. */
export const BACKOFF_JITTER_MAX = 1.25;

/**
 * Delay before retry number `attempt` (0 for the first retry):
 * `min(baseDelayMs * 2^attempt, maxDelayMs) * U(0.75, 1.25)`, with `random()` in [0, 1).
 * @example
 * backoffDelayMs(3, backoffDefaults, () => 0.5); // 8000
 */
export function backoffDelayMs(attempt: number, options: Pick<Required<BackoffOptions>, 'baseDelayMs' | 'maxDelayMs'>, random: () => number): number {
  const exponent = Math.max(0, Math.min(attempt, 52)); // 2^52 already exceeds any cap; avoids Infinity
  const capped = Math.min(options.baseDelayMs * 2 ** exponent, options.maxDelayMs);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(capped * (BACKOFF_JITTER_MIN + (BACKOFF_JITTER_MAX - BACKOFF_JITTER_MIN) * r));
}
