/** What to do with an inbound reliable message. */
export type InboundVerdict =
  /** Process it now (and then any buffered successors, see `takeReady`). */
  | 'deliver'
  /** Already processed: never run its handler again. */
  | 'duplicate'
  /** Arrived ahead of a missing predecessor: held until the gap fills. */
  | 'buffered'
  /** Too far ahead or the buffer is full: refuse (the client resends later). */
  | 'refused';

/**
 * Exactly-once, in-order hand-off of the client's reliable stream (sequences start at 1, contiguous).
 * Duplicates are dropped, early arrivals buffered (bounded), and `ack` is the highest contiguous
 * sequence handed on: the cumulative ack we send back.
 */
export class InboundSequencer<T> {
  private delivered: number;
  private readonly early = new Map<number, T>();

  constructor(
    private readonly maxBuffered: number,
    initialAck = 0,
  ) {
    this.delivered = initialAck;
  }

  /** Highest contiguous sequence delivered. */
  get ack(): number {
    return this.delivered;
  }

  /** Restarts at `ack` (a session restored from a store); drops anything buffered. */
  reset(ack: number): void {
    this.delivered = ack;
    this.early.clear();
  }

  get bufferedCount(): number {
    return this.early.size;
  }

  /** Classifies `sequence`; on 'deliver' the ack advances to it. */
  offer(sequence: number, item: T): InboundVerdict {
    if (sequence <= this.delivered || this.early.has(sequence)) return 'duplicate';
    if (sequence === this.delivered + 1) {
      this.delivered = sequence;
      return 'deliver';
    }
    if (this.early.size >= this.maxBuffered || sequence > this.delivered + 1 + this.maxBuffered) return 'refused';
    this.early.set(sequence, item);
    return 'buffered';
  }

  /** Buffered items that are now next in line, in order (advances the ack past each). */
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
