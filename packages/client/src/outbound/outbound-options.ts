/** Per-message delivery options of `send`. */
export interface SendOptions {
  /**
   * Reliable stream (sequenced, acknowledged, resent after a resume) or volatile (sequence 0).
   * @default the message type's descriptor (`reliable` of built-ins; true for custom types)
   */
  reliable?: boolean;
  /**
   * Ask the server for an ACK once its handler has run: the promise then resolves on that ACK
   * instead of the cumulative ack, and rejects with `ServerError` when the handler fails.
   * @default false
   */
  requiresAck?: boolean;
  /**
   * Envelope priority 0..10 (the server's write-queue order for replies).
   * @default the message type's descriptor priority
   */
  priority?: number;
  /**
   * Time the promise may stay pending, in ms; 0 waits forever. A message still unsent at the
   * timeout is dropped; one already sent stays in the reliable stream (see `SendTimeoutError`).
   * @default OutboundOptions.sendTimeoutMs (30000)
   */
  timeoutMs?: number;
  /**
   * Volatile messages only: while offline, keep the latest message per key (older ones are
   * superseded) and send it on reconnect, instead of rejecting with `NotConnectedError`.
   */
  coalesceKey?: string;
}

/** Bounds and pacing of the outbound side. */
export interface OutboundOptions {
  /**
   * Messages kept for delivery (unsent, plus sent but not yet acknowledged); one more is refused
   * with `OfflineQueueFullError` (nothing is evicted).
   * @default 1000
   */
  maxQueuedMessages?: number;
  /**
   * Payload bytes kept for delivery, same rule as `maxQueuedMessages`.
   * @default 1048576 (1 MiB)
   */
  maxQueuedBytes?: number;
  /**
   * Longest a message may wait unsent, in ms; older ones are rejected with `MessageExpiredError`
   * (a sword swing queued a minute ago should not land now).
   * @default 30000
   */
  maxQueuedAgeMs?: number;
  /**
   * Default `timeoutMs` of a send, in ms (0 = none).
   * @default 30000
   */
  sendTimeoutMs?: number;
  /**
   * When the server cannot resume and starts a fresh session, resend the old session's
   * unacknowledged reliable messages in the new one (renumbered from 1, order kept). Off: reject
   * them with `SessionLostError`, since the old session may have handled some of them.
   * @default false
   */
  resendOnNewSession?: boolean;
  /**
   * Messages a backlog flush (resend after resume, offline queue) may write at once.
   * @default 32
   */
  flushBurstMessages?: number;
  /**
   * Sustained rate of a backlog flush, in messages per second. Keeps a reconnect's backlog under
   * the gateway's default per-connection budget (burst 60, 30/s shared by every type).
   * @default 20
   */
  flushMessagesPerSecond?: number;
  /**
   * Frames written together in one WebSocket message during a flush (the gateway accepts 64).
   * @default 32
   */
  maxBatchFrames?: number;
  /**
   * Delay before resending a reliable message the server dropped before sequencing it (ERROR
   * RATE_LIMITED, or a sequence it could not buffer), in ms.
   * @default 1000
   */
  retransmitDelayMs?: number;
}

/** Defaults of {@link OutboundOptions}. */
export const outboundDefaults: Readonly<Required<OutboundOptions>> = Object.freeze({
  maxQueuedMessages: 1000,
  maxQueuedBytes: 1024 * 1024,
  maxQueuedAgeMs: 30_000,
  sendTimeoutMs: 30_000,
  resendOnNewSession: false,
  flushBurstMessages: 32,
  flushMessagesPerSecond: 20,
  maxBatchFrames: 32,
  retransmitDelayMs: 1_000,
});
