import type { FrameLimits, SequencerOptions } from '@mmo/protocol';
import type { AckProbeOptions } from '../outbound/ack-probe.js';
import type { AckOptions } from '../sequencer/ack-scheduler.js';
import type { OutboundOptions } from '../outbound/outbound-options.js';
import type { BackoffOptions } from './backoff.js';
import type { HeartbeatOptions } from './heartbeat.js';
import type { TimeSyncOptions } from './time-sync.js';

/** Returns the access token of the next attempt; `null` means "no token: stop" (state `failed`). */
export type TokenProvider = () => string | null | Promise<string | null>;

/** Timers and limits of the connection manager. Every field has a default. */
export interface ConnectionOptions extends HeartbeatOptions, AckOptions, AckProbeOptions {
  /**
   * Time the socket has to open, in ms (then the attempt counts as failed before open).
   * @default 10000
   */
  connectTimeoutMs?: number;
  /**
   * Time from open to CONNECTION_ESTABLISHED, in ms.
   * @default 10000
   */
  handshakeTimeoutMs?: number;
  /**
   * Largest frame accepted from the server, in bytes (snapshots can be large).
   * @default 4194304 (4 MiB)
   */
  maxFrameBytes?: number;
  /**
   * Most frames accepted in one WebSocket message from the server.
   * @default 1024
   */
  maxFramesPerMessage?: number;
  /**
   * Version string sent in the HANDSHAKE.
   * @default the @mmo/client version
   */
  clientVersion?: string;
}

/** Defaults of {@link ConnectionOptions} (heartbeat and ack defaults live beside their code). */
export const connectionDefaults = Object.freeze({
  connectTimeoutMs: 10_000,
  handshakeTimeoutMs: 10_000,
  maxFrameBytes: 4 * 1024 * 1024,
  maxFramesPerMessage: 1024,
});

/** Every option group of the connection manager. */
export interface ConnectionManagerSettings {
  connection?: ConnectionOptions;
  reconnect?: BackoffOptions;
  outbound?: OutboundOptions;
  timeSync?: TimeSyncOptions;
  /** The inbound reliable stream's reorder buffer (the sequencer restarts with each fresh session). */
  sequencer?: Pick<SequencerOptions, 'maxBufferedMessages'>;
}

/** The frame limits used to decode the server's messages. */
export function frameLimitsOf(options: ConnectionOptions): FrameLimits {
  return {
    maxFrameBytes: options.maxFrameBytes ?? connectionDefaults.maxFrameBytes,
    maxFramesPerMessage: options.maxFramesPerMessage ?? connectionDefaults.maxFramesPerMessage,
  };
}
