import type { InboundMessage } from '../dispatch/inbound-message.js';

/**
 * Where the connection stands: `disconnected` (not started, or the game disconnected) ->
 * `connecting` (first attempt) -> `connected` (session established) -> `reconnecting` (retrying
 * with backoff after a drop or a failed attempt) -> `connected` | `failed` (gave up: a
 * non-retryable close, a refused token, or the attempt limits).
 */
export type ConnectionState = 'disconnected' | 'connecting' | 'connected' | 'reconnecting' | 'failed';

/** Payload of `stateChange`. */
export interface StateChangeEvent {
  from: ConnectionState;
  to: ConnectionState;
  /** Why, in words (for logs and debug overlays). */
  reason: string;
}

/** Payload of `connected`. */
export interface ConnectedEvent {
  sessionId: string;
  /** True when the previous session continued (nothing lost); false for a fresh session. */
  resumed: boolean;
  /** Set when a resume was asked for and refused (the server's reason, e.g. `expired`). */
  resumeRejectedReason?: string;
  /** True for every connection after the first one of this client. */
  reconnect: boolean;
}

/** Payload of `disconnect`: a link closed. */
export interface DisconnectEvent {
  /** Close code (or the server's DISCONNECT code when it sent one). */
  code: number;
  reason: string;
  /** True when a retry is scheduled. */
  willReconnect: boolean;
  /** Delay before the retry, in ms (when `willReconnect`). */
  retryInMs?: number;
  /** True when the link had an established session (false: an attempt that failed). */
  wasConnected: boolean;
}

/** Payload of `error`: a problem that did not (by itself) end the connection. */
export interface ClientErrorEvent {
  error: unknown;
  /** Where it happened: `handler`, `listener`, `decode`, `server`, `getToken`, `protocol`. */
  context: string;
  /** Message type involved, when there is one. */
  type?: number;
}

/** Events of the connection manager (and of `client.on`). */
export interface ConnectionEvents {
  /** The state changed. */
  stateChange: StateChangeEvent;
  /** A session was established: resumed or fresh, and which. */
  connected: ConnectedEvent;
  /** A link closed; says whether a reconnect follows. */
  disconnect: DisconnectEvent;
  /** A message from the server, decoded, in order and de-duplicated (reliable ones). */
  message: InboundMessage;
  /** A handler, listener, payload or server error that was caught. */
  error: ClientErrorEvent;
}
