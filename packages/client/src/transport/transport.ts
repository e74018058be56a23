/**
 * The transport seam between the connection manager and a socket. One `Transport` is one attempt:
 * it opens, carries whole binary messages, and closes once. Wrappers (latency or loss injection in
 * the web demo, recording in tests) take a {@link TransportFactory} and return another one.
 */

/** Why a transport closed. */
export interface TransportCloseInfo {
  /** WebSocket close code (1006 when the connection dropped or was refused before opening). */
  code: number;
  reason: string;
  /** True when the transport had opened before it closed. */
  wasOpen: boolean;
  /**
   * HTTP status of a refused upgrade, when the runtime reveals it (Node `ws` does; browsers never
   * do, so there a refusal looks like any failure before open).
   */
  httpStatus?: number;
}

/** Callbacks a transport calls; `onClose` exactly once, nothing after it. */
export interface TransportHandlers {
  onOpen(): void;
  /** One whole binary WebSocket message (one or more frames). */
  onMessage(data: Uint8Array): void;
  onClose(info: TransportCloseInfo): void;
}

/** What an attempt connects with. */
export interface TransportRequest {
  /** Gateway URL, e.g. `wss://game.example.com/ws`. */
  url: string;
  /** Access token for this attempt (fresh from `getToken` when one is configured). */
  token: string | undefined;
  /** Resume token of the session to continue, when the transport puts it on the URL. */
  resumeToken: string | undefined;
}

/** One open (or opening) connection. */
export interface Transport {
  /** Sends one binary message. Ignored once closing. */
  send(data: Uint8Array): void;
  /** Starts closing; `onClose` follows (possibly much later on a dead link: callers need not wait). */
  close(code?: number, reason?: string): void;
}

/** Opens a transport for one attempt. */
export type TransportFactory = (request: TransportRequest, handlers: TransportHandlers) => Transport;
