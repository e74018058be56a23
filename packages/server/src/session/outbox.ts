/** One reliable message kept until the peer acknowledges it. */
export interface OutboxEntry {
  readonly sequence: number;
  /** The whole framed message exactly as sent (replayed byte for byte; a stale `ack` is harmless). */
  readonly frame: Uint8Array;
}

/** Bounds of an {@link Outbox}. */
export interface OutboxLimits {
  /** Most unacknowledged reliable messages kept per session. */
  maxMessages: number;
  /** Most bytes of unacknowledged reliable messages kept per session. */
  maxBytes: number;
}

/**
 * The reliable messages a session sent and the peer has not acknowledged yet, in sequence order.
 * Bounded by count and bytes: `push` reports overflow instead of dropping anything, so the caller
 * can end the session explicitly (never a silent gap).
 */
export class Outbox {
  private entries: OutboxEntry[] = [];
  private head = 0;
  private bytes = 0;

  constructor(private readonly limits: OutboxLimits) {}

  get size(): number {
    return this.entries.length - this.head;
  }

  get byteSize(): number {
    return this.bytes;
  }

  /** Sequence of the oldest kept message, or undefined when empty. */
  get firstSequence(): number | undefined {
    return this.entries[this.head]?.sequence;
  }

  /** Appends; returns false (and keeps nothing) when the bounds would be exceeded. */
  push(entry: OutboxEntry): boolean {
    if (this.size + 1 > this.limits.maxMessages || this.bytes + entry.frame.length > this.limits.maxBytes) return false;
    this.entries.push(entry);
    this.bytes += entry.frame.length;
    return true;
  }

  /** Drops every entry with sequence <= `sequence` (a cumulative ack). Returns how many. */
  ackThrough(sequence: number): number {
    let dropped = 0;
    while (this.head < this.entries.length && this.entries[this.head]!.sequence <= sequence) {
      this.bytes -= this.entries[this.head]!.frame.length;
      this.head++;
      dropped++;
    }
    // Compact now and then so the array does not grow without bound.
    if (this.head > 64 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    return dropped;
  }

  /** Entries with sequence > `sequence`, oldest first (what a resuming peer has not received). */
  after(sequence: number): OutboxEntry[] {
    const out: OutboxEntry[] = [];
    for (let i = this.head; i < this.entries.length; i++) {
      const e = this.entries[i]!;
      if (e.sequence > sequence) out.push(e);
    }
    return out;
  }

  clear(): void {
    this.entries = [];
    this.head = 0;
    this.bytes = 0;
  }
}
