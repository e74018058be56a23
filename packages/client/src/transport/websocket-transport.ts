import { SUBPROTOCOL } from '@mmo/protocol';
import { WebSocketUnavailableError } from '../errors.js';
import type { Transport, TransportCloseInfo, TransportFactory, TransportHandlers, TransportRequest } from './transport.js';
import type { CloseEventLike, ErrorEventLike, MessageEventLike, WebSocketConstructorLike, WebSocketConstructorOptions } from './websocket-like.js';

/** Where the access token travels. */
export type TokenCarrier = 'query' | 'header';

/** Options of {@link createWebSocketTransport}. */
export interface WebSocketTransportOptions {
  /**
   * The WebSocket constructor.
   * @default globalThis.WebSocket (throws WebSocketUnavailableError when absent)
   */
  WebSocket?: WebSocketConstructorLike | undefined;
  /**
   * `query`: `?token=` on the URL (works everywhere; the gateway redacts it in logs). `header`:
   * `Authorization: Bearer` (Node `ws` only: browsers cannot set WebSocket headers).
   * @default 'query'
   */
  tokenCarrier?: TokenCarrier;
  /**
   * Put the resume token on the URL as `?resume=` (the gateway prefers it over the handshake's).
   * Off by default: the handshake carries it, which keeps it out of proxy logs.
   * @default false
   */
  resumeTokenInUrl?: boolean;
  /** Extra upgrade headers (Node `ws` only). */
  headers?: Record<string, string>;
}

/** Defaults of {@link WebSocketTransportOptions}. */
export const webSocketTransportDefaults = Object.freeze({
  tokenCarrier: 'query' as TokenCarrier,
  resumeTokenInUrl: false,
});

/** Query parameter of the access token (what the gateway reads). */
export const TOKEN_QUERY_PARAM = 'token';
/** Query parameter of the resume token (what the gateway reads). */
export const RESUME_QUERY_PARAM = 'resume';

// ws puts the status of a refused upgrade in its error message ("Unexpected server response: 401").
const UNEXPECTED_RESPONSE = /Unexpected server response: (\d{3})/;
/** Close code browsers and ws report for a connection that dropped without a close frame. */
const ABNORMAL_CLOSE = 1006;

/** Resolves the constructor now, so a missing one fails at construction, not on first connect. */
export function resolveWebSocket(ctor: WebSocketConstructorLike | undefined): WebSocketConstructorLike {
  const found = ctor ?? (globalThis as { WebSocket?: WebSocketConstructorLike }).WebSocket;
  if (found === undefined) throw new WebSocketUnavailableError();
  return found;
}

/** Appends query parameters to a URL string (no `URL` class: it is not in ES2022). */
export function withQuery(url: string, params: Readonly<Record<string, string | undefined>>): string {
  const hashAt = url.indexOf('#');
  const base = hashAt < 0 ? url : url.slice(0, hashAt);
  const hash = hashAt < 0 ? '' : url.slice(hashAt);
  const parts = Object.entries(params)
    .filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '')
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  if (parts.length === 0) return url;
  const sep = base.includes('?') ? (base.endsWith('?') || base.endsWith('&') ? '' : '&') : '?';
  return `${base}${sep}${parts.join('&')}${hash}`;
}

function toBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}

/**
 * A {@link TransportFactory} over a WebSocket: subprotocol `mmo.v1`, `binaryType = 'arraybuffer'`,
 * token in `?token=` (or an Authorization header with Node `ws`), optional `?resume=`.
 * @example
 * import WebSocket from 'ws';
 * const transport = createWebSocketTransport({ WebSocket, tokenCarrier: 'header' });
 */
export function createWebSocketTransport(options: WebSocketTransportOptions = {}): TransportFactory {
  const Ctor = resolveWebSocket(options.WebSocket);
  const carrier = options.tokenCarrier ?? webSocketTransportDefaults.tokenCarrier;
  const resumeInUrl = options.resumeTokenInUrl ?? webSocketTransportDefaults.resumeTokenInUrl;
  return (request: TransportRequest, handlers: TransportHandlers): Transport => {
    const url = withQuery(request.url, {
      [TOKEN_QUERY_PARAM]: carrier === 'query' ? request.token : undefined,
      [RESUME_QUERY_PARAM]: resumeInUrl ? request.resumeToken : undefined,
    });
    const headers: Record<string, string> = { ...options.headers };
    if (carrier === 'header' && request.token !== undefined) headers['Authorization'] = `Bearer ${request.token}`;
    const ctorOptions: WebSocketConstructorOptions | undefined = Object.keys(headers).length > 0 ? { headers } : undefined;
    return openSocket(Ctor, url, ctorOptions, handlers);
  };
}

function openSocket(Ctor: WebSocketConstructorLike, url: string, ctorOptions: WebSocketConstructorOptions | undefined, handlers: TransportHandlers): Transport {
  let opened = false;
  let closed = false;
  let httpStatus: number | undefined;
  const finish = (info: TransportCloseInfo) => {
    if (closed) return;
    closed = true;
    handlers.onClose(info);
  };
  let socket;
  try {
    socket = ctorOptions === undefined ? new Ctor(url, SUBPROTOCOL) : new Ctor(url, SUBPROTOCOL, ctorOptions);
  } catch (error) {
    // A malformed URL throws synchronously (SyntaxError); report it like a refused attempt.
    const reason = error instanceof Error ? error.message : String(error);
    const transport: Transport = { send() {}, close() {} };
    Promise.resolve().then(() => finish({ code: ABNORMAL_CLOSE, reason, wasOpen: false }));
    return transport;
  }
  socket.binaryType = 'arraybuffer';
  socket.onopen = () => {
    if (closed) return;
    opened = true;
    handlers.onOpen();
  };
  socket.onmessage = (event: MessageEventLike) => {
    if (closed) return;
    const bytes = toBytes(event.data);
    // A text frame is a protocol violation by the server; hand over zero bytes so the decoder says so.
    handlers.onMessage(bytes ?? new Uint8Array(0));
  };
  socket.onerror = (event: ErrorEventLike) => {
    const match = typeof event?.message === 'string' ? UNEXPECTED_RESPONSE.exec(event.message) : null;
    if (match !== null) httpStatus = Number(match[1]);
  };
  socket.onclose = (event: CloseEventLike) => {
    finish({
      code: event.code,
      reason: event.reason,
      wasOpen: opened,
      ...(httpStatus === undefined ? {} : { httpStatus }),
    });
  };
  return {
    send(data: Uint8Array) {
      if (closed || !opened) return;
      socket.send(data);
    },
    close(code?: number, reason?: string) {
      if (closed) return;
      try {
        socket.close(code, reason);
      } catch {
        // Invalid code for this runtime (browsers accept 1000 and 3000-4999 only): close plainly.
        socket.close();
      }
    },
  };
}
