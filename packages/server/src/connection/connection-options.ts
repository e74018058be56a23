import type { WriteQueueOptions } from './write-queue/index.js';
import type { MessageRateLimiterOptions } from '../router/rate-limit/index.js';

/** Per-connection limits and timers. Every field has a safe default (see `connectionDefaults`). */
export interface ConnectionOptions {
  /**
   * Interval at which clients are told to send HEARTBEAT, in ms (sent in CONNECTION_ESTABLISHED).
   * @default 10000
   */
  heartbeatIntervalMs?: number;
  /**
   * Silence after which the server sends one final WebSocket ping, in ms.
   * @default 30000
   */
  idleTimeoutMs?: number;
  /**
   * How long the final ping may go unanswered before the connection closes (IDLE_TIMEOUT), in ms.
   * @default 5000
   */
  finalPingTimeoutMs?: number;
  /**
   * Time a new connection has to send its HANDSHAKE, in ms.
   * @default 10000
   */
  handshakeTimeoutMs?: number;
  /**
   * Default time a handler may run before HANDLER_TIMEOUT, in ms (seed: 5 s).
   * @default 5000
   */
  handlerTimeoutMs?: number;
  /**
   * Largest frame body accepted, in bytes.
   * @default 65536
   */
  maxFrameBytes?: number;
  /**
   * Most frames accepted in one inbound WebSocket message.
   * @default 64
   */
  maxFramesPerMessage?: number;
  /**
   * Messages received but not yet handled (handlers run one at a time per connection, in order);
   * past this the client is flooding and is closed with POLICY_VIOLATION.
   * @default 256
   */
  maxPendingMessages?: number;
  /**
   * Malformed, unknown or undecodable messages tolerated (each answered with ERROR) within
   * `protocolErrorWindowMs`; one more closes the connection with INVALID_PAYLOAD (1007).
   * @default 10
   */
  maxProtocolErrors?: number;
  /**
   * Window of `maxProtocolErrors`, in ms.
   * @default 60000
   */
  protocolErrorWindowMs?: number;
  /**
   * After sending a close frame, how long to wait for the peer before dropping the socket, in ms.
   * @default 2000
   */
  closeGraceMs?: number;
  /**
   * Outbound queue limits and batching. The gateway's default `urgentPriority` is 5 (NORMAL): only
   * LOW and BACKGROUND frames wait `maxBatchDelayMs` to batch.
   */
  writeQueue?: WriteQueueOptions;
  /** Inbound per-type message rate limits. */
  rateLimits?: MessageRateLimiterOptions;
}

/** Fully resolved {@link ConnectionOptions}. */
export type ResolvedConnectionOptions = Required<Omit<ConnectionOptions, 'writeQueue' | 'rateLimits'>> &
  Pick<ConnectionOptions, 'writeQueue' | 'rateLimits'>;

/** Defaults of {@link ConnectionOptions}. */
export const connectionDefaults: Readonly<Required<Omit<ConnectionOptions, 'writeQueue' | 'rateLimits'>>> = Object.freeze({
  heartbeatIntervalMs: 10_000,
  // Three missed heartbeats: long enough for a browser tab in the background, short enough to free
  // a dead player's slot quickly.
  idleTimeoutMs: 30_000,
  finalPingTimeoutMs: 5_000,
  handshakeTimeoutMs: 10_000,
  handlerTimeoutMs: 5_000,
  // 64 KiB covers any client->server message of a game; clients never send snapshots.
  maxFrameBytes: 64 * 1024,
  maxFramesPerMessage: 64,
  maxPendingMessages: 256,
  maxProtocolErrors: 10,
  protocolErrorWindowMs: 60_000,
  closeGraceMs: 2_000,
});
