import { ProtocolError, ProtocolErrorCode } from '../errors.js';

/** What happened to an offered reliable message. */
export type SequencerVerdict =
  /** Next in line: delivered (take any buffered successors with `takeReady`). */
  | 'deliver'
  /** Already delivered or already buffered: drop it, never handle it twice (resends repeat messages). */
  | 'duplicate'
  /** Ahead of a missing predecessor: held until the gap fills. */
  | 'buffered'
  /** Too far ahead or the buffer is full: not held. The sender must send it again. */
  | 'refused';

/** Options of {@link InboundSequencer}. */
export interface SequencerOptions {
  /**
   * Out-of-order messages held while an earlier one is missing; also how far past the ack a
   * sequence may be and still be held. A positive integer.
   * @default 1024
   */
  maxBufferedMessages?: number;
  /**
   * Sequence already delivered when the stream starts (a session restored from a store). A
   * non-negative integer.
   * @default 0
   */
  initialAck?: number;
}

/** Defaults of {@link SequencerOptions}. */
export const sequencerDefaults: Readonly<Required<SequencerOptions>> = Object.freeze({
  // The gateway's outbox holds at most 1024 unacknowledged messages: no more can be in flight.
  maxBufferedMessages: 1024,
  initialAck: 0,
});

function checkAck(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ProtocolError(ProtocolErrorCode.VALUE_OUT_OF_RANGE, `${what} must be a non-negative integer, got ${String(value)}`);
  }
  return value;
}

/**
 * Exactly-once, in-order hand-off of one reliable stream (sequences from 1, contiguous), the same
 * rule on both ends of a session: duplicates are dropped, early arrivals held (bounded), and `ack`
 * is the highest contiguous sequence handed on, i.e. the cumulative ack to send back (and a client's
 * `last_received_sequence` on resume).
 *
 * ```ts
 * const seq = new InboundSequencer<MmoEnvelope>();
 * if (seq.offer(env.sequence, env) === 'deliver') {
 *   handle(env);
 *   for (const next of seq.takeReady()) handle(next);
 * }
 * ```
 */
export class InboundSequencer<T> {
  private delivered: number;
  private readonly early = new Map<number, T>();
  private readonly maxBuffered: number;

  constructor(options: SequencerOptions = {}) {
    const max = options.maxBufferedMessages ?? sequencerDefaults.maxBufferedMessages;
    if (!Number.isSafeInteger(max) || max < 1) {
      throw new ProtocolError(ProtocolErrorCode.VALUE_OUT_OF_RANGE, `maxBufferedMessages must be a positive integer, got ${String(max)}`);
    }
    this.maxBuffered = max;
    this.delivered = checkAck(options.initialAck ?? sequencerDefaults.initialAck, 'initialAck');
  }

  /** Highest contiguous sequence delivered (0 before any). */
  get ack(): number {
    return this.delivered;
  }

  /** Messages held out of order. */
  get bufferedCount(): number {
    return this.early.size;
  }

  /** Starts over at `ack` (0: a fresh stream; a restored session's ack otherwise); drops what is held. */
  reset(ack = 0): void {
    this.delivered = checkAck(ack, 'ack');
    this.early.clear();
  }

  /**
   * Classifies `sequence` (a positive integer; anything else is a VALUE_OUT_OF_RANGE ProtocolError).
   * On 'deliver' the ack advances to it and the caller handles `item`, then {@link takeReady}.
   */
  offer(sequence: number, item: T): SequencerVerdict {
    if (!Number.isSafeInteger(sequence) || sequence < 1) {
      throw new ProtocolError(ProtocolErrorCode.VALUE_OUT_OF_RANGE, `a reliable sequence must be a positive integer, got ${String(sequence)}`);
    }
    if (sequence <= this.delivered || this.early.has(sequence)) return 'duplicate';
    if (sequence === this.delivered + 1) {
      this.delivered = sequence;
      return 'deliver';
    }
    if (this.early.size >= this.maxBuffered || sequence > this.delivered + 1 + this.maxBuffered) return 'refused';
    this.early.set(sequence, item);
    return 'buffered';
  }

  /** Held messages that are now next in line, in order (the ack advances past each). */
  takeReady(): T[] {
    const out: T[] = [];
    for (;;) {
      const next = this.early.get(this.delivered + 1);
      if (next === undefined) return out;
      this.early.delete(this.delivered + 1);
      this.delivered++;
      out.push(next);
    }
  }
}
