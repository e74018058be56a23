/**
 * The few members of a WebSocket the client uses, so the core compiles without DOM or Node types.
 * The browser's `WebSocket`, Node's `ws` and `isomorphic-ws` all fit these shapes.
 */

/** `readyState` value of an open socket (same in every implementation). */
export const WEBSOCKET_OPEN = 1;

/** What the client reads from a message event. */
export interface MessageEventLike {
  /** `ArrayBuffer` with `binaryType = 'arraybuffer'`; a string for text frames. */
  readonly data: unknown;
}

/** What the client reads from a close event. */
export interface CloseEventLike {
  readonly code: number;
  readonly reason: string;
}

/** What the client reads from an error event (`ws` adds `message`; browsers give a plain Event). */
export interface ErrorEventLike {
  readonly message?: unknown;
}

/**
 * A WebSocket instance. Handler properties take `never` so that implementations whose handlers
 * expect richer event types (DOM `MessageEvent`, ws `WebSocket.MessageEvent`) are assignable.
 */
export interface WebSocketLike {
  readonly readyState: number;
  /** The negotiated subprotocol. */
  readonly protocol: string;
  binaryType: string;
  onopen: ((event: never) => void) | null;
  onmessage: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
}

/** Extra constructor options; only Node's `ws` reads them (browsers cannot set headers). */
export interface WebSocketConstructorOptions {
  /** Request headers of the upgrade, e.g. `Authorization`. */
  headers?: Record<string, string>;
}

/** A WebSocket constructor: `globalThis.WebSocket`, `ws`, `isomorphic-ws`. */
export interface WebSocketConstructorLike {
  new (url: string, protocols?: string | string[], options?: WebSocketConstructorOptions): WebSocketLike;
}
