/**
 * Internal storage of the write queue: one bucket per priority level, each an intrusive doubly
 * linked FIFO. Not exported from the package.
 *
 * Why linked lists rather than an array with a head index: besides popping the front (flush) the
 * queue removes items from the middle (a coalesced item superseded by a newer one, a volatile item
 * shed under memory pressure). Unlinking a node is O(1) and leaves no tombstones to skip or compact,
 * and the node is the frame record itself, so there is no per-item allocation beyond that record.
 */

/** One queued frame, linked into its priority's FIFO and, if volatile, into that priority's volatile FIFO. */
export class QueuedFrame {
  /** Neighbours in the FIFO of every frame of this priority. */
  prev: QueuedFrame | null = null;
  next: QueuedFrame | null = null;
  /** Neighbours in the FIFO of the volatile frames of this priority (what shedding walks). */
  prevVolatile: QueuedFrame | null = null;
  nextVolatile: QueuedFrame | null = null;

  constructor(
    readonly bytes: Uint8Array,
    readonly priority: number,
    readonly volatile: boolean,
    /** Only set on volatile frames: reliable frames never coalesce. */
    readonly coalesceKey: string | undefined,
  ) {}
}

/** The frames of one priority level, oldest first, with their byte totals. */
export class PriorityBucket {
  /** Oldest frame (next to leave). */
  head: QueuedFrame | null = null;
  private tail: QueuedFrame | null = null;
  /** Oldest volatile frame (first to be shed at this level). */
  volatileHead: QueuedFrame | null = null;
  private volatileTail: QueuedFrame | null = null;
  /**
   * Bytes of the volatile frames held here: lets the queue decide whether shedding can make room
   * before it sheds anything.
   */
  volatileBytes = 0;

  /** Adds a frame at the back. */
  append(frame: QueuedFrame): void {
    frame.prev = this.tail;
    frame.next = null;
    if (this.tail === null) this.head = frame;
    else this.tail.next = frame;
    this.tail = frame;

    if (!frame.volatile) return;
    frame.prevVolatile = this.volatileTail;
    frame.nextVolatile = null;
    if (this.volatileTail === null) this.volatileHead = frame;
    else this.volatileTail.nextVolatile = frame;
    this.volatileTail = frame;
    this.volatileBytes += frame.bytes.byteLength;
  }

  /** Unlinks a frame held by this bucket, wherever it sits. */
  remove(frame: QueuedFrame): void {
    if (frame.prev === null) this.head = frame.next;
    else frame.prev.next = frame.next;
    if (frame.next === null) this.tail = frame.prev;
    else frame.next.prev = frame.prev;
    frame.prev = null;
    frame.next = null;

    if (!frame.volatile) return;
    if (frame.prevVolatile === null) this.volatileHead = frame.nextVolatile;
    else frame.prevVolatile.nextVolatile = frame.nextVolatile;
    if (frame.nextVolatile === null) this.volatileTail = frame.prevVolatile;
    else frame.nextVolatile.prevVolatile = frame.prevVolatile;
    frame.prevVolatile = null;
    frame.nextVolatile = null;
    this.volatileBytes -= frame.bytes.byteLength;
  }

  /** Forgets every frame (the nodes become garbage together). */
  clear(): void {
    this.head = null;
    this.tail = null;
    this.volatileHead = null;
    this.volatileTail = null;
    this.volatileBytes = 0;
  }
}
