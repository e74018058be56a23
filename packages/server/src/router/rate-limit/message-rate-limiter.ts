import { MessageType, MmoError, type Clock } from '@mmo/protocol';
import { TokenBucket } from './token-bucket.js';

/** Rate of one message type (or of the shared default bucket). */
export interface MessageRateLimit {
  /** Messages allowed back to back after a quiet period (the bucket's capacity). */
  burst: number;
  /** Sustained messages per second (the bucket's refill rate). */
  perSecond: number;
}

/** Limits of a {@link MessageRateLimiter}. Every field is optional; see {@link messageRateLimiterDefaults}. */
export interface MessageRateLimiterOptions {
  /**
   * Own limits of some message types, by type number. Replaces the default map as a whole; spread
   * `messageRateLimiterDefaults.limits` into yours to keep its entries.
   * @default { [MessageType.PLAYER_MOVE]: { burst: 120, perSecond: 70 } }
   */
  limits?: Readonly<Record<number, MessageRateLimit>>;
  /**
   * Limit of ONE bucket shared by every type without an entry in `limits`: together, not each.
   * Sharing is what keeps memory bounded when a hostile client sends arbitrary type numbers.
   * @default { burst: 60, perSecond: 30 }
   */
  defaultLimit?: MessageRateLimit;
  /**
   * Over-limit messages tolerated within `violationWindowMs`, each answered `warn` (the caller drops
   * the message and sends ERROR RATE_LIMITED); the next one within the window is answered `close`.
   * 0 closes on the first violation.
   * @default 10
   */
  maxViolations?: number;
  /**
   * Sliding window over which violations are counted.
   * @default 10_000
   */
  violationWindowMs?: number;
}

/** Defaults of {@link MessageRateLimiterOptions}. */
export const messageRateLimiterDefaults: Readonly<Required<MessageRateLimiterOptions>> = Object.freeze({
  // Movement input is sent per client frame, commonly at 60 Hz; it would exhaust the shared 30/s
  // budget on its own, so it gets its own bucket: 60 Hz plus jitter, two seconds of burst.
  limits: Object.freeze({ [MessageType.PLAYER_MOVE]: Object.freeze({ burst: 120, perSecond: 70 }) }),
  // 30/s sustained covers actions, chat, social and heartbeats of a human player; 60 absorbs a
  // short burst such as a combo or a reconnect's queued messages.
  defaultLimit: Object.freeze({ burst: 60, perSecond: 30 }),
  // Ten dropped messages in ten seconds is a client bug or abuse rather than a burst of bad luck;
  // each still gets an ERROR so a buggy client can tell why, and the count bounds those replies.
  maxViolations: 10,
  violationWindowMs: 10_000,
});

/**
 * What to do with one incoming message: `ok` process it; `warn` drop it and answer ERROR
 * RATE_LIMITED; `close` close the connection (policy violation, `CloseCode.RATE_LIMITED` in the
 * DISCONNECT).
 */
export type RateLimitVerdict = 'ok' | 'warn' | 'close';

/** What a {@link MessageRateLimiter} needs. */
export interface MessageRateLimiterInit {
  /** Source of time for refills and the violation window; no timers are set. */
  clock: Clock;
  /** Limits. */
  options?: MessageRateLimiterOptions | undefined;
}

/**
 * Per-connection, per-message-type rate limits of inbound messages. Buckets are created lazily,
 * one per type listed in `limits` plus one shared by every other type, so a client cycling through
 * arbitrary type numbers costs the server at most one more bucket.
 * @example
 * const limiter = new MessageRateLimiter({
 *   clock: systemClock,
 *   options: { limits: { [MessageType.CHAT_MESSAGE]: { burst: 5, perSecond: 1 } } },
 * });
 * switch (limiter.check(envelope.type)) {
 *   case 'ok': route(envelope); break;
 *   case 'warn': sendError(ErrorCode.RATE_LIMITED); break;
 *   case 'close': disconnect(CloseCode.RATE_LIMITED); break;
 * }
 */
export class MessageRateLimiter {
  private readonly clock: Clock;
  /** Copied from the options once: later changes to the caller's object cannot add buckets. */
  private readonly limits: ReadonlyMap<number, MessageRateLimit>;
  private readonly defaultLimit: MessageRateLimit;
  private readonly maxViolations: number;
  private readonly violationWindowMs: number;

  private readonly buckets = new Map<number, TokenBucket>();
  private sharedBucket: TokenBucket | undefined;
  /** Times of the last `maxViolations` violations, a ring; once full, `nextViolation` is the oldest. */
  private readonly violationTimes: Float64Array;
  private nextViolation = 0;
  private recordedViolations = 0;
  private totalViolations = 0;
  private closed = false;

  constructor(init: MessageRateLimiterInit) {
    const options = init.options;
    const d = messageRateLimiterDefaults;
    this.clock = init.clock;
    this.defaultLimit = checkLimit('defaultLimit', options?.defaultLimit ?? d.defaultLimit);
    this.maxViolations = options?.maxViolations ?? d.maxViolations;
    this.violationWindowMs = options?.violationWindowMs ?? d.violationWindowMs;
    if (!Number.isInteger(this.maxViolations) || this.maxViolations < 0) {
      throw new MmoError(
        'INVALID_OPTIONS',
        `MessageRateLimiter: maxViolations must be a non-negative integer, got ${this.maxViolations}`,
      );
    }
    if (!Number.isFinite(this.violationWindowMs) || this.violationWindowMs < 0) {
      throw new MmoError(
        'INVALID_OPTIONS',
        `MessageRateLimiter: violationWindowMs must be a non-negative finite number, got ${this.violationWindowMs}`,
      );
    }
    const limits = new Map<number, MessageRateLimit>();
    for (const [key, limit] of Object.entries(options?.limits ?? d.limits)) {
      const type = Number(key);
      if (!Number.isInteger(type)) {
        throw new MmoError('INVALID_OPTIONS', `MessageRateLimiter: limits key "${key}" is not a message type number`);
      }
      limits.set(type, checkLimit(`limits[${key}]`, limit));
    }
    this.limits = limits;
    this.violationTimes = new Float64Array(this.maxViolations);
  }

  /**
   * Counts one incoming message of `type` against its bucket. Once `close` has been answered, every
   * later call answers `close` too: the connection is on its way out and nothing more is processed.
   */
  check(type: number): RateLimitVerdict {
    if (this.closed) return 'close';
    if (this.bucketFor(type).take()) return 'ok';
    return this.recordViolation();
  }

  /** Buckets created so far: at most the number of `limits` entries plus one. */
  get bucketCount(): number {
    return this.buckets.size + (this.sharedBucket === undefined ? 0 : 1);
  }

  /** Over-limit messages seen since creation (for metrics and logs). */
  get violationCount(): number {
    return this.totalViolations;
  }

  private bucketFor(type: number): TokenBucket {
    const limit = this.limits.get(type);
    if (limit === undefined) {
      this.sharedBucket ??= this.newBucket(this.defaultLimit);
      return this.sharedBucket;
    }
    let bucket = this.buckets.get(type);
    if (bucket === undefined) {
      bucket = this.newBucket(limit);
      this.buckets.set(type, bucket);
    }
    return bucket;
  }

  private newBucket(limit: MessageRateLimit): TokenBucket {
    return new TokenBucket({ capacity: limit.burst, refillPerSec: limit.perSecond, clock: this.clock });
  }

  /**
   * Sliding window in O(1) memory: only the last `maxViolations` times matter. A new violation
   * closes when the oldest of them is still inside the window, i.e. it would be the
   * (maxViolations + 1)-th within `violationWindowMs`.
   */
  private recordViolation(): 'warn' | 'close' {
    this.totalViolations++;
    const max = this.maxViolations;
    if (max === 0) {
      this.closed = true;
      return 'close';
    }
    const now = this.clock.now();
    if (this.recordedViolations === max) {
      const age = now - this.violationTimes[this.nextViolation]!;
      // A negative age means the wall clock stepped back; give the client the benefit of the doubt.
      if (age >= 0 && age < this.violationWindowMs) {
        this.closed = true;
        return 'close';
      }
    } else {
      this.recordedViolations++;
    }
    this.violationTimes[this.nextViolation] = now;
    this.nextViolation = (this.nextViolation + 1) % max;
    return 'warn';
  }
}

function checkLimit(name: string, limit: MessageRateLimit): MessageRateLimit {
  for (const field of ['burst', 'perSecond'] as const) {
    const value = limit[field];
    if (!Number.isFinite(value) || value < 0) {
      throw new MmoError(
        'INVALID_OPTIONS',
        `MessageRateLimiter: ${name}.${field} must be a non-negative finite number, got ${value}`,
      );
    }
  }
  return { burst: limit.burst, perSecond: limit.perSecond };
}
