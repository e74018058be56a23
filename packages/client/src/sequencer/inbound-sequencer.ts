/** What happened to an offered reliable message. */
export type SequencerVerdict =
  /** Next in line: delivered (then any buffered successors, see `offer`'s result). */
  | 'deliver'
  /** Already delivered or already buffered: dropped (replays after a resume repeat messages). */
  | 'duplicate'
  /** Ahead of a missing predecessor: held until the gap fills. */
  | 'buffered'
  /** Too far ahead or the buffer is full: dropped; the stream is broken, reconnect to resume. */
  | 'overflow';

/** Options of the inbound sequencer. */
export interface SequencerOptions {
  /**
   * Out-of-order reliable messages held while an earlier one is missing.
   * @default 1024
   */
  maxBufferedMessages?: number;
}

/** Defaults of {@link SequencerOptions}. */
export const sequencerDefaults: Readonly<Required<SequencerOptions>> = Object.freeze({
  // The gateway's outbox holds 1024 unacknowledged messages; more can never be in flight.
  maxBufferedMessages: 1024,
});

/** Result of {@link InboundSequencer.offer}. */
export interface OfferResult<T> {
  verdict: SequencerVerdict;
  /** Messages to hand on now, in sequence order (the offered one first when delivered). */
  ready: T[];
}

/**
 * Exactly-once, in-order delivery of the server's reliable stream (sequences from 1, contiguous per
 * session). `ack` is the highest contiguous sequence delivered: the cumulative ack every outgoing
 * envelope carries, and the `last_received_sequence` of a resume.
 */
export class InboundSequencer<T> {
  private delivered = 0;
  private readonly early = new Map<number, T>();
  private readonly maxBuffered: number;

  constructor(options: SequencerOptions = {}) {
    this.maxBuffered = options.maxBufferedMessages ?? sequencerDefaults.maxBufferedMessages;
  }

  /** Highest contiguous sequence delivered (0 before any). */
  get ack(): number {
    return this.delivered;
  }

  /** Messages held out of order. */
  get bufferedCount(): number {
    return this.early.size;
  }

  /** Starts a new stream (a fresh session): nothing delivered, nothing held. */
  reset(): void {
    this.delivered = 0;
    this.early.clear();
  }

  /** Classifies `sequence` (> 0) and returns what can be delivered now. */
  offer(sequence: number, item: T): OfferResult<T> {
    if (sequence <= this.delivered || this.early.has(sequence)) return { verdict: 'duplicate', ready: [] };
    if (sequence === this.delivered + 1) {
      this.delivered = sequence;
      const ready = [item];
      for (;;) {
        const next = this.early.get(this.delivered + 1);
        if (next === undefined) break;
        this.early.delete(this.delivered + 1);
        this.delivered++;
        ready.push(next);
      }
      return { verdict: 'deliver', ready };
    }
    if (this.early.size >= this.maxBuffered || sequence > this.delivered + 1 + this.maxBuffered) return { verdict: 'overflow', ready: [] };
    this.early.set(sequence, item);
    return { verdict: 'buffered', ready: [] };
  }
}
