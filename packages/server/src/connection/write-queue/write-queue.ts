import { MAX_PRIORITY, MmoError, type Clock, type TimerHandle } from '@mmo/protocol';
import { PriorityBucket, QueuedFrame } from './priority-bucket.js';
import { resolveWriteQueueOptions, type WriteQueueOptions } from './write-queue-options.js';

/** One frame to send. */
export interface WriteQueueItem {
  /** One whole encoded frame (header included). The queue keeps a reference, not a copy: do not reuse the buffer. */
  bytes: Uint8Array;
  /** 0..10, higher leaves first (see `Priority`); values outside are clamped, fractions truncated. */
  priority: number;
  /** True for the volatile stream (sequence 0): may be shed or coalesced; never for reliable frames. */
  volatile: boolean;
  /**
   * Volatile frames with the same key supersede each other while queued (for example one key per
   * entity's state). Ignored on non-volatile frames: a reliable frame is never dropped.
   */
  coalesceKey?: string | undefined;
}

/**
 * What {@link WriteQueue.enqueue} did with a frame.
 * - `queued`: waiting to be written (volatile frames of lower or equal priority may have been shed to make room).
 * - `coalesced`: queued, and a queued volatile frame with the same key was dropped in its favour.
 * - `dropped`: volatile and could not fit even after shedding; not queued.
 * - `overflow`: reliable and could not fit even after shedding every volatile frame; `onOverflow`
 *   was called and the queue is now closed.
 * - `closed`: the queue was closed before this call; nothing happened.
 */
export type EnqueueResult = 'queued' | 'coalesced' | 'dropped' | 'overflow' | 'closed';

/** Passed to `onOverflow` when a reliable frame does not fit. */
export interface WriteQueueOverflowInfo {
  /** Bytes that were waiting when the frame arrived. */
  queuedBytes: number;
  /** Size of the frame that did not fit. */
  itemBytes: number;
}

/**
 * Hands one batch to the socket. `done` must be called once when the bytes have left the process
 * (or failed); until then they count as in flight. Success is `done()` or `done(null)` (what Node
 * stream callbacks pass), failure `done(error)`.
 */
export type WriteQueueSink = (batch: Uint8Array, done: (error?: Error | null) => void) => void;

/** Everything a {@link WriteQueue} needs from its connection. */
export interface WriteQueueInit {
  /** Timer source of the batching delay. */
  clock: Clock;
  /** The socket write. */
  write: WriteQueueSink;
  /**
   * Called once when a reliable frame cannot fit; the queue is already closed when it runs. The
   * connection should close with a slow-consumer code.
   */
  onOverflow: (info: WriteQueueOverflowInfo) => void;
  /**
   * Called once when a write reports an error; the queue is already closed when it runs (the
   * socket is broken, so writing more would only fail again).
   */
  onWriteError?: ((error: Error) => void) | undefined;
  /** Limits and timings. */
  options?: WriteQueueOptions | undefined;
  /**
   * Runs a function on the next microtask.
   * @default globalThis.queueMicrotask
   */
  scheduleMicrotask?: ((fn: () => void) => void) | undefined;
}

/** Options of {@link WriteQueue.flushNow}. */
export interface FlushNowOptions {
  /**
   * Write everything queued even above `maxInFlightBytes`, for a shutdown path that sends a last
   * DISCONNECT and closes: the socket buffers the rest, bounded by `maxQueueBytes`.
   * @default false
   */
  ignoreBackpressure?: boolean;
}

/**
 * The outbound write path of one connection: frames wait in 11 priority FIFOs, leave highest
 * priority first in batches of whole frames, and are bounded in memory. A peer that reads too slowly
 * loses volatile frames first and is then closed as a slow consumer; it is never buffered forever.
 * @example
 * const queue = new WriteQueue({
 *   clock: systemClock,
 *   write: (batch, done) => socket.send(batch, done),
 *   onOverflow: () => socket.close(CloseCode.SLOW_CONSUMER, 'slow consumer'),
 * });
 * queue.enqueue({ bytes: frame, priority: Priority.NORMAL, volatile: true, coalesceKey: `e:${id}` });
 */
export class WriteQueue {
  private readonly clock: Clock;
  private readonly write: WriteQueueSink;
  private readonly onOverflow: (info: WriteQueueOverflowInfo) => void;
  private readonly onWriteError: ((error: Error) => void) | undefined;
  private readonly scheduleMicrotask: (fn: () => void) => void;
  private readonly limits: Readonly<Required<WriteQueueOptions>>;

  /** Index = priority level 0..MAX_PRIORITY. */
  private readonly buckets: PriorityBucket[] = [];
  /**
   * Bit p set while bucket p holds a frame: finding the next frame reads one bucket instead of
   * scanning down from the top (with a thousand connections, each bucket read is a cache miss).
   */
  private nonEmpty = 0;
  /** Queued volatile frames by coalesce key; an entry is removed whenever its frame leaves the queue. */
  private readonly byCoalesceKey = new Map<string, QueuedFrame>();
  /** Frames of the batch being built; reused so a flush allocates only the batch bytes. */
  private readonly batchScratch: QueuedFrame[] = [];

  private queued = 0;
  private queuedTotalBytes = 0;
  private inFlight = 0;
  private timer: TimerHandle | undefined;
  private microtaskPending = false;
  private flushing = false;
  private closedFlag = false;

  private dropped = 0;
  private coalesced = 0;
  private batches = 0;
  private written = 0;

  // Bound once per queue (not per item) so scheduling a flush allocates nothing.
  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.flushBatches(false);
  };
  private readonly onMicrotask = (): void => {
    this.microtaskPending = false;
    this.flushBatches(false);
  };

  constructor(init: WriteQueueInit) {
    this.clock = init.clock;
    this.write = init.write;
    this.onOverflow = init.onOverflow;
    this.onWriteError = init.onWriteError;
    this.scheduleMicrotask = init.scheduleMicrotask ?? queueMicrotask;
    this.limits = resolveWriteQueueOptions(init.options);
    for (let p = 0; p <= MAX_PRIORITY; p++) this.buckets.push(new PriorityBucket());
  }

  /** Bytes waiting to be written (not counting bytes in flight). */
  get queuedBytes(): number {
    return this.queuedTotalBytes;
  }
  /** Frames waiting to be written. */
  get queuedCount(): number {
    return this.queued;
  }
  /** Bytes handed to the socket whose write callback has not fired yet. */
  get inFlightBytes(): number {
    return this.inFlight;
  }
  /** Volatile frames shed to make room or refused for lack of room (not counting frames discarded by close). */
  get droppedCount(): number {
    return this.dropped;
  }
  /** Queued volatile frames superseded by a newer frame with the same coalesce key. */
  get coalescedCount(): number {
    return this.coalesced;
  }
  /** Calls to `write` so far. */
  get batchesWritten(): number {
    return this.batches;
  }
  /** Bytes handed to `write` so far. */
  get bytesWritten(): number {
    return this.written;
  }
  /** True once {@link close} ran or the queue overflowed or a write failed. */
  get isClosed(): boolean {
    return this.closedFlag;
  }

  /**
   * Queues one frame and schedules its flush: on the next microtask if its priority is urgent,
   * otherwise within `maxBatchDelayMs`.
   *
   * Coalescing drops the older queued frame and appends the new one at the back of its priority
   * (rather than writing it into the old one's slot): the wire order within a priority then always
   * equals the enqueue order, and a key whose priority changed needs no special case.
   */
  enqueue(item: WriteQueueItem): EnqueueResult {
    if (this.closedFlag) return 'closed';
    const priority = toPriorityLevel(item.priority);
    const size = item.bytes.byteLength;
    const key = item.volatile ? item.coalesceKey : undefined;

    let result: EnqueueResult = 'queued';
    if (key !== undefined) {
      const superseded = this.byCoalesceKey.get(key);
      if (superseded !== undefined) {
        // The older state is stale whatever happens to the new frame below.
        this.detach(superseded);
        this.coalesced++;
        result = 'coalesced';
      }
    }

    if (this.queuedTotalBytes + size > this.limits.maxQueueBytes && !this.makeRoom(size, priority, item.volatile)) {
      if (item.volatile) {
        this.dropped++;
        return 'dropped';
      }
      this.overflow(size);
      return 'overflow';
    }

    const frame = new QueuedFrame(item.bytes, priority, item.volatile, key);
    this.buckets[priority]!.append(frame);
    this.nonEmpty |= 1 << priority;
    this.queued++;
    this.queuedTotalBytes += size;
    if (key !== undefined) this.byCoalesceKey.set(key, frame);
    this.scheduleFlush(priority >= this.limits.urgentPriority);
    return result;
  }

  /**
   * Writes queued frames now instead of waiting for the batching delay, as far as backpressure
   * allows (or beyond it with `ignoreBackpressure`). For shutdown paths: enqueue the DISCONNECT,
   * flush, then close the socket.
   */
  flushNow(options?: FlushNowOptions): void {
    this.flushBatches(options?.ignoreBackpressure ?? false);
  }

  /**
   * Discards every queued frame and cancels the pending flush; later enqueues return `closed`.
   * Bytes already in flight stay counted until their callbacks fire. Idempotent.
   */
  close(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.cancelTimer();
    for (const bucket of this.buckets) bucket.clear();
    this.nonEmpty = 0;
    this.byCoalesceKey.clear();
    this.batchScratch.length = 0;
    this.queued = 0;
    this.queuedTotalBytes = 0;
  }

  /**
   * Sheds queued volatile frames until `size` more bytes fit: lowest priority first, oldest first
   * within a priority. A volatile newcomer may only displace frames of its own priority or lower
   * (a BACKGROUND update must not evict a HIGH one); a reliable newcomer may displace any volatile
   * frame, since the alternative is closing the connection. Sheds nothing and returns false when
   * even shedding every eligible frame would not make room, so a refused frame costs no others.
   */
  private makeRoom(size: number, priority: number, volatile: boolean): boolean {
    const maxQueueBytes = this.limits.maxQueueBytes;
    const ceiling = volatile ? priority : MAX_PRIORITY;
    let sheddable = 0;
    for (let p = 0; p <= ceiling; p++) sheddable += this.buckets[p]!.volatileBytes;
    if (this.queuedTotalBytes - sheddable + size > maxQueueBytes) return false;

    for (let p = 0; p <= ceiling; p++) {
      const bucket = this.buckets[p]!;
      while (bucket.volatileHead !== null && this.queuedTotalBytes + size > maxQueueBytes) {
        this.detach(bucket.volatileHead);
        this.dropped++;
      }
      if (this.queuedTotalBytes + size <= maxQueueBytes) break;
    }
    return true;
  }

  /** Removes a queued frame from every index and total. */
  private detach(frame: QueuedFrame): void {
    const bucket = this.buckets[frame.priority]!;
    bucket.remove(frame);
    if (bucket.head === null) this.nonEmpty &= ~(1 << frame.priority);
    this.queued--;
    this.queuedTotalBytes -= frame.bytes.byteLength;
    const key = frame.coalesceKey;
    if (key !== undefined && this.byCoalesceKey.get(key) === frame) this.byCoalesceKey.delete(key);
  }

  private overflow(itemBytes: number): void {
    const info: WriteQueueOverflowInfo = { queuedBytes: this.queuedTotalBytes, itemBytes };
    // Close first so that an enqueue made from inside the callback (a DISCONNECT, say) is refused
    // instead of reopening a queue whose connection is being shed.
    this.close();
    this.onOverflow(info);
  }

  private scheduleFlush(urgent: boolean): void {
    // A running flush loop picks the frame up itself; under backpressure the next write callback
    // resumes flushing, so a timer or microtask would only wake up to do nothing.
    if (this.flushing || this.inFlight >= this.limits.maxInFlightBytes) return;
    if (urgent) {
      if (!this.microtaskPending) {
        this.microtaskPending = true;
        this.scheduleMicrotask(this.onMicrotask);
      }
      return;
    }
    // A pending microtask flush writes non-urgent frames too.
    if (this.timer === undefined && !this.microtaskPending) {
      this.timer = this.clock.setTimeout(this.onTimer, this.limits.maxBatchDelayMs);
    }
  }

  private cancelTimer(): void {
    if (this.timer === undefined) return;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Writes batches until the queue is empty or backpressure stops it. */
  private flushBatches(ignoreBackpressure: boolean): void {
    // Re-entry happens when `write` completes synchronously: the outer loop carries on by itself.
    if (this.closedFlag || this.flushing) return;
    this.flushing = true;
    try {
      while (
        !this.closedFlag &&
        this.queued > 0 &&
        (ignoreBackpressure || this.inFlight < this.limits.maxInFlightBytes)
      ) {
        this.writeOneBatch();
      }
    } finally {
      this.flushing = false;
    }
    // Either nothing waits, or backpressure holds the rest until a write callback resumes flushing.
    this.cancelTimer();
  }

  /** Takes whole frames in priority order up to `maxBatchBytes` and hands them to the socket as one write. */
  private writeOneBatch(): void {
    if (this.queued === 1) {
      // The usual case (one tick's frame, one reply): no batch to build, the frame goes as is.
      const frame = this.front()!;
      this.detach(frame);
      this.writeBatch(frame.bytes);
      return;
    }
    const maxBatchBytes = this.limits.maxBatchBytes;
    const frames = this.batchScratch;
    let total = 0;
    for (;;) {
      const frame = this.front();
      if (frame === null) break;
      const size = frame.bytes.byteLength;
      // Stop at the first frame that does not fit rather than reaching past it for a smaller one:
      // frames leave strictly in priority order. The first frame always goes, even if oversized.
      if (frames.length > 0 && total + size > maxBatchBytes) break;
      this.detach(frame);
      frames.push(frame);
      total += size;
      if (total >= maxBatchBytes) break;
    }

    let batch: Uint8Array;
    if (frames.length === 1) {
      batch = frames[0]!.bytes; // a lone frame goes as is: no copy
    } else {
      batch = new Uint8Array(total);
      let offset = 0;
      for (const frame of frames) {
        batch.set(frame.bytes, offset);
        offset += frame.bytes.byteLength;
      }
    }
    frames.length = 0; // drop references to the frames' buffers
    this.writeBatch(batch);
  }

  /** Hands one batch to the socket, counting it in flight until its callback. */
  private writeBatch(batch: Uint8Array): void {
    const total = batch.byteLength;
    this.inFlight += total;
    this.batches++;
    this.written += total;
    const done = this.completionFor(total);
    try {
      this.write(batch, done);
    } catch (error) {
      // A throwing sink is a failed write: treat it like one instead of leaking in-flight bytes.
      done(error instanceof Error ? error : new MmoError('WRITE_FAILED', String(error), { cause: error }));
    }
  }

  /** The next frame to leave: oldest of the highest non-empty priority. */
  private front(): QueuedFrame | null {
    const mask = this.nonEmpty;
    if (mask === 0) return null;
    // Highest set bit = highest non-empty priority (MAX_PRIORITY < 31, so the mask stays positive).
    return this.buckets[31 - Math.clz32(mask)]!.head;
  }

  /** One callback per batch (not per frame); guarded so a socket that calls it twice cannot corrupt the count. */
  private completionFor(bytes: number): (error?: Error | null) => void {
    let called = false;
    return (error?: Error | null): void => {
      if (called) return;
      called = true;
      this.inFlight -= bytes;
      // Node's stream callbacks report success as null, not undefined: the socket can take `done` as is.
      if (error !== undefined && error !== null) {
        if (this.closedFlag) return;
        this.close();
        this.onWriteError?.(error);
        return;
      }
      if (this.queued > 0) this.flushBatches(false);
    };
  }
}

/** Clamps a priority into a bucket index 0..MAX_PRIORITY (NaN and negatives become 0). */
function toPriorityLevel(priority: number): number {
  if (!(priority > 0)) return 0;
  if (priority >= MAX_PRIORITY) return MAX_PRIORITY;
  return Math.trunc(priority);
}
