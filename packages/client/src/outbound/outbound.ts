import { type Clock, ErrorCode, type TimerHandle } from '@mmo/protocol';
import {
  MessageExpiredError,
  MessageSupersededError,
  NotConnectedError,
  OfflineQueueFullError,
  SendTimeoutError,
  ServerError,
  SessionLostError,
} from '../errors.js';
import { frameOf, type OutboundEntry, type OutboundFrame } from './outbound-entry.js';
import { outboundDefaults, type OutboundOptions } from './outbound-options.js';
import { SendPacer } from './send-pacer.js';

/** Where the outbound side writes. */
export interface OutboundWriter {
  /** True while a session is established on an open link. */
  readonly online: boolean;
  /** Writes frames as one WebSocket message; the writer adds the cumulative ack and timestamp. */
  write(frames: readonly OutboundFrame[]): void;
}

/** A message ready to queue: payload packed, options resolved against the type's descriptor. */
export interface OutboundMessage {
  type: number;
  payload: Uint8Array;
  reliable: boolean;
  requiresAck: boolean;
  priority: number;
  timeoutMs: number;
  coalesceKey: string | undefined;
}

/** Counters of the outbound side, for stats. */
export interface OutboundCounters {
  /** Reliable messages resent after a resume or a server drop. */
  resent: number;
}

/** An ERROR about one of our sequences, as the outbound side needs it. */
export interface SequenceError {
  sequence: number;
  /** The envelope ack of the ERROR: whether the server took the sequence before failing it. */
  envelopeAck: number;
  code: number;
  message: string;
  retryable: boolean;
  details: Readonly<Record<string, string>>;
}

/**
 * True when the server dropped a reliable message before its sequencer took it (rate limit, or too
 * far ahead of a gap): the stream has a hole only a resend of that sequence fills.
 */
function droppedBeforeSequencing(error: SequenceError): boolean {
  if (error.sequence <= error.envelopeAck) return false;
  return error.code === ErrorCode.RATE_LIMITED || error.code === ErrorCode.PROTOCOL_VIOLATION;
}

/**
 * The client's reliable and volatile sending: sequences are assigned when a message is first
 * written (so unsent messages can expire or be renumbered without leaving holes); sent reliable
 * messages stay until the server's cumulative ack covers them and are resent, once, in order, after
 * a resume; unsent ones wait in a queue bounded by count, bytes and age; backlogs flush paced.
 */
export class Outbound {
  private readonly options: Readonly<Required<OutboundOptions>>;
  private queue: OutboundEntry[] = [];
  private inFlight: OutboundEntry[] = [];
  private resendQueue: OutboundEntry[] = [];
  private readonly bySequence = new Map<number, OutboundEntry>();
  private readonly coalesced = new Map<string, OutboundEntry>();
  private nextSequence = 1;
  private serverAck = 0;
  private bytes = 0;
  private epoch = 0;
  private drainTimer: TimerHandle | undefined;
  private ageTimer: TimerHandle | undefined;
  private readonly pacer: SendPacer;
  readonly counters: OutboundCounters = { resent: 0 };

  constructor(
    private readonly clock: Clock,
    private readonly writer: OutboundWriter,
    options: OutboundOptions = {},
  ) {
    this.options = { ...outboundDefaults, ...definedOnly(options) };
    this.pacer = new SendPacer(clock, this.options.flushBurstMessages, this.options.flushMessagesPerSecond);
  }

  /** Messages kept (unsent + sent unacknowledged). */
  get queuedMessages(): number {
    return this.queue.length + this.inFlight.length;
  }

  /** Payload bytes kept. */
  get queuedBytes(): number {
    return this.bytes;
  }

  /** Sent reliable messages the server has not acknowledged. */
  get inFlightCount(): number {
    return this.inFlight.length;
  }

  /** Highest cumulative ack the server sent in this session. */
  get acknowledged(): number {
    return this.serverAck;
  }

  /** Queues or writes a message; the promise settles as `SendOptions` describes. */
  send(message: OutboundMessage): Promise<void> {
    let entry!: OutboundEntry;
    const promise = new Promise<void>((resolve, reject) => {
      entry = { ...message, enqueuedAt: this.clock.now(), sequence: 0, countedBytes: 0, settled: false, timer: undefined, resolve, reject };
    });
    // A fire-and-forget send must never become an unhandled rejection; awaiting it still rejects.
    promise.catch(() => {});
    const online = this.writer.online;
    if (!message.reliable && online) {
      this.write([entry]);
      return promise;
    }
    if (!message.reliable && message.coalesceKey === undefined) {
      this.settle(entry, new NotConnectedError());
      return promise;
    }
    if (message.coalesceKey !== undefined && !message.reliable) {
      const previous = this.coalesced.get(message.coalesceKey);
      if (previous !== undefined) {
        this.removeQueued(previous);
        this.settle(previous, new MessageSupersededError(message.coalesceKey));
      }
    }
    const refusal = this.boundsRefusal(entry);
    if (refusal !== undefined) {
      this.settle(entry, refusal);
      return promise;
    }
    entry.countedBytes = entry.payload.length;
    this.bytes += entry.countedBytes;
    if (message.timeoutMs > 0) entry.timer = this.clock.setTimeout(() => this.timeOut(entry, message.timeoutMs), message.timeoutMs);
    if (online && this.queue.length === 0 && this.resendQueue.length === 0) {
      this.write([entry]);
      return promise;
    }
    this.queue.push(entry);
    if (message.coalesceKey !== undefined && !message.reliable) this.coalesced.set(message.coalesceKey, entry);
    this.armAgeSweep();
    if (online) this.drain();
    return promise;
  }

  /** The server's cumulative ack of our stream (every envelope carries one). */
  onAck(ack: number): void {
    if (ack <= this.serverAck) return;
    this.serverAck = Math.min(ack, this.nextSequence - 1);
    let done = 0;
    while (done < this.inFlight.length && this.inFlight[done]!.sequence <= this.serverAck) {
      const entry = this.inFlight[done++]!;
      this.release(entry);
      if (!entry.requiresAck) this.settle(entry);
      if (entry.settled) this.bySequence.delete(entry.sequence);
    }
    if (done > 0) this.inFlight = this.inFlight.slice(done);
  }

  /** An ACK message for `sequence` (the handler ran). */
  onAckMessage(sequence: number): void {
    const entry = this.bySequence.get(sequence);
    if (entry === undefined) return;
    this.settle(entry);
    if (sequence <= this.serverAck) this.bySequence.delete(sequence);
  }

  /** An ERROR whose request_id is one of our sequences. Returns false when it is not ours. */
  onError(error: SequenceError): boolean {
    const entry = this.bySequence.get(error.sequence);
    if (entry === undefined) return false;
    if (droppedBeforeSequencing(error) && entry.sequence > this.serverAck) {
      const epoch = this.epoch;
      this.clock.setTimeout(() => {
        if (epoch !== this.epoch || entry.sequence <= this.serverAck || this.resendQueue.includes(entry)) return;
        this.resendQueue.push(entry);
        this.resendQueue.sort((a, b) => a.sequence - b.sequence);
        this.drain();
      }, this.options.retransmitDelayMs);
      return true;
    }
    this.settle(entry, new ServerError(error.code, error.message, error.retryable, error.details));
    if (error.sequence <= this.serverAck) this.bySequence.delete(error.sequence);
    return true;
  }

  /**
   * A session was established. Resumed: everything above `serverAck` is resent once, in order,
   * before anything new. Fresh: the old stream is gone; see `resendOnNewSession`.
   */
  onSessionEstablished(resumed: boolean, serverAck: number, reason: string): void {
    this.epoch++;
    if (resumed) {
      this.onAck(serverAck);
      this.resendQueue = [...this.inFlight];
    } else {
      const lost = new SessionLostError(reason);
      // Received by the old session but unanswered: their ACK/ERROR died with it.
      for (const entry of this.bySequence.values()) if (entry.sequence <= this.serverAck) this.settle(entry, lost);
      const carried: OutboundEntry[] = [];
      for (const entry of this.inFlight) {
        if (this.options.resendOnNewSession && !entry.settled) {
          entry.sequence = 0;
          carried.push(entry);
        } else {
          this.release(entry);
          this.settle(entry, lost);
        }
      }
      this.queue = [...carried, ...this.queue];
      this.inFlight = [];
      this.resendQueue = [];
      this.bySequence.clear();
      this.nextSequence = 1;
      this.serverAck = 0;
      this.armAgeSweep();
    }
    this.drain();
  }

  /** The link went away: stop flushing; everything waits for the next session. */
  onOffline(): void {
    this.epoch++;
    this.resendQueue = [];
    if (this.drainTimer !== undefined) this.clock.clearTimeout(this.drainTimer);
    this.drainTimer = undefined;
  }

  /** Rejects everything with `error` and forgets the session's stream (disconnect, failed). */
  close(error: Error): void {
    this.onOffline();
    const all = new Set([...this.queue, ...this.inFlight, ...this.bySequence.values()]);
    for (const entry of all) this.settle(entry, error);
    this.queue = [];
    this.inFlight = [];
    this.bySequence.clear();
    this.coalesced.clear();
    this.bytes = 0;
    this.nextSequence = 1;
    this.serverAck = 0;
    if (this.ageTimer !== undefined) this.clock.clearTimeout(this.ageTimer);
    this.ageTimer = undefined;
  }

  /** Writes the backlog (resends first, then the queue), paced; re-arms itself while tokens lack. */
  drain(): void {
    if (this.drainTimer !== undefined) return;
    while (this.writer.online && (this.resendQueue.length > 0 || this.queue.length > 0)) {
      const budget = Math.min(this.pacer.available(), this.options.maxBatchFrames);
      if (budget < 1) {
        this.drainTimer = this.clock.setTimeout(() => {
          this.drainTimer = undefined;
          this.drain();
        }, this.pacer.msUntilNext());
        return;
      }
      const batch: OutboundEntry[] = [];
      while (batch.length < budget && this.resendQueue.length > 0) {
        const entry = this.resendQueue.shift()!;
        // Skipped when acknowledged meanwhile (the ack of the resume covered it).
        if (entry.sequence > this.serverAck) batch.push(entry);
      }
      while (batch.length < budget && this.queue.length > 0) {
        const entry = this.queue.shift()!;
        if (entry.coalesceKey !== undefined && this.coalesced.get(entry.coalesceKey) === entry) this.coalesced.delete(entry.coalesceKey);
        batch.push(entry);
      }
      if (batch.length === 0) break;
      this.pacer.take(batch.length);
      this.write(batch);
    }
  }

  private write(entries: OutboundEntry[]): void {
    const frames: OutboundFrame[] = [];
    for (const entry of entries) {
      if (entry.reliable) {
        if (entry.sequence === 0) {
          entry.sequence = this.nextSequence++;
          this.inFlight.push(entry);
          this.bySequence.set(entry.sequence, entry);
        } else {
          this.counters.resent++;
        }
      }
      frames.push(frameOf(entry));
    }
    this.writer.write(frames);
    for (const entry of entries) {
      if (entry.reliable) continue;
      this.release(entry);
      this.settle(entry);
    }
  }

  /** Stops counting an entry against the byte bound. */
  private release(entry: OutboundEntry): void {
    this.bytes -= entry.countedBytes;
    entry.countedBytes = 0;
  }

  private boundsRefusal(entry: OutboundEntry): OfflineQueueFullError | undefined {
    const { maxQueuedMessages, maxQueuedBytes } = this.options;
    if (this.queuedMessages + 1 > maxQueuedMessages) {
      return new OfflineQueueFullError('messages', `outbound queue holds ${this.queuedMessages} messages (maxQueuedMessages ${maxQueuedMessages})`);
    }
    if (this.bytes + entry.payload.length > maxQueuedBytes) {
      return new OfflineQueueFullError('bytes', `outbound queue holds ${this.bytes} bytes; ${entry.payload.length} more exceed maxQueuedBytes ${maxQueuedBytes}`);
    }
    return undefined;
  }

  private timeOut(entry: OutboundEntry, timeoutMs: number): void {
    entry.timer = undefined;
    if (entry.settled) return;
    const unsent = this.removeQueued(entry);
    this.settle(entry, new SendTimeoutError(timeoutMs, !unsent));
  }

  /** Removes an unsent entry from the queue (adjusting bytes); false when it was not queued. */
  private removeQueued(entry: OutboundEntry): boolean {
    const i = this.queue.indexOf(entry);
    if (i < 0) return false;
    this.queue.splice(i, 1);
    this.release(entry);
    if (entry.coalesceKey !== undefined && this.coalesced.get(entry.coalesceKey) === entry) this.coalesced.delete(entry.coalesceKey);
    return true;
  }

  private armAgeSweep(): void {
    if (this.ageTimer !== undefined || this.queue.length === 0) return;
    const oldest = Math.min(...this.queue.map((e) => e.enqueuedAt));
    const dueIn = Math.max(0, oldest + this.options.maxQueuedAgeMs - this.clock.now());
    this.ageTimer = this.clock.setTimeout(() => {
      this.ageTimer = undefined;
      const now = this.clock.now();
      for (const entry of [...this.queue]) {
        const age = now - entry.enqueuedAt;
        if (age >= this.options.maxQueuedAgeMs && this.removeQueued(entry)) this.settle(entry, new MessageExpiredError(age));
      }
      this.armAgeSweep();
    }, dueIn);
  }

  private settle(entry: OutboundEntry, error?: Error): void {
    if (entry.timer !== undefined) this.clock.clearTimeout(entry.timer);
    entry.timer = undefined;
    if (entry.settled) return;
    entry.settled = true;
    if (error === undefined) entry.resolve();
    else entry.reject(error);
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
