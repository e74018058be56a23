import type { Duplex } from 'node:stream';
import type { RawData, WebSocket } from 'ws';
import type { TransportSocket } from './transport-socket.js';

/** Turns ws's RawData (Buffer, ArrayBuffer or Buffer[]) into one Uint8Array without copying when possible. */
function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}

/** ws copies its send options, so one frozen object serves every send. */
const BINARY = Object.freeze({ binary: true });

/**
 * Largest message the direct write takes, in bytes. Below it, copying the message behind its
 * WebSocket header into one buffer (pooled by Node under 4 KiB) costs less than ws's two-buffer
 * cork/writev; above it ws's zero-copy path wins.
 */
const DIRECT_WRITE_MAX_BYTES = 16 * 1024;

/** RFC 6455 first byte of an unfragmented binary message: FIN + opcode 2 (no RSV bits: not compressed). */
const FIN_BINARY = 0x82;
/** RFC 6455 payload lengths up to this fit in the 7-bit length field; up to 65535 take 126 + u16. */
const MAX_7BIT_LENGTH = 125;
const LENGTH_16BIT = 126;

/** ws's WebSocket.OPEN. */
const OPEN = 1;
/** ws's Sender state when it is not deflating and not reading a Blob (lib/sender.js DEFAULT). */
const SENDER_IDLE = 0;

/**
 * The private parts of a ws 8 WebSocket the direct write relies on (lib/websocket.js, lib/sender.js).
 * They are checked once when the socket is wrapped; if any is missing (another ws major), every send
 * goes through `ws.send`.
 */
interface WsInternals {
  _socket: Duplex;
  _sender: { _state: number; _queue: unknown[]; _firstFragment: boolean };
  _extensions: Record<string, unknown>;
  _isServer: boolean;
}

/** The internals when the direct write applies to this socket at all: server side, no extension. */
function directWriteInternals(ws: WebSocket): WsInternals | undefined {
  const w = ws as unknown as Partial<WsInternals>;
  const sender = w._sender;
  if (w._isServer !== true || typeof w._socket?.write !== 'function' || sender === undefined || sender === null) return undefined;
  if (typeof sender._state !== 'number' || !Array.isArray(sender._queue) || typeof sender._firstFragment !== 'boolean') return undefined;
  // Negotiated extensions (permessage-deflate) transform frames: leave those to ws.
  if (w._extensions === undefined || Object.keys(w._extensions).length > 0) return undefined;
  return w as WsInternals;
}

/**
 * Adapts a `ws` WebSocket to {@link TransportSocket}. The only file that knows about `ws` sockets.
 *
 * Small messages take a direct write: the WebSocket header and the message in one buffer, one
 * `socket.write` with `done` as its callback, the exact bytes ws would write (server frames are
 * unmasked) but without ws's per-send option objects, header buffer and cork/writev. It applies
 * only while ws's sender is idle (no deflate or Blob read in progress, nothing queued, not inside
 * a fragmented message) and the socket is open; otherwise the message goes through `ws.send`,
 * which keeps ws's own ordering.
 */
export function wrapWsSocket(ws: WebSocket): TransportSocket {
  const direct = directWriteInternals(ws);
  return {
    send(data, done) {
      const length = data.length;
      if (direct !== undefined && length <= DIRECT_WRITE_MAX_BYTES && ws.readyState === OPEN) {
        const sender = direct._sender;
        if (sender._state === SENDER_IDLE && sender._queue.length === 0 && sender._firstFragment) {
          const headerBytes = length <= MAX_7BIT_LENGTH ? 2 : 4;
          const out = Buffer.allocUnsafe(headerBytes + length);
          out[0] = FIN_BINARY;
          if (headerBytes === 2) {
            out[1] = length;
          } else {
            out[1] = LENGTH_16BIT;
            out[2] = length >>> 8;
            out[3] = length & 0xff;
          }
          out.set(data, headerBytes);
          direct._socket.write(out, done);
          return;
        }
      }
      // `done` goes to ws as is: it already takes Node's (error | null | undefined).
      ws.send(data, BINARY, done);
    },
    close(code, reason) {
      ws.close(code, reason);
    },
    terminate() {
      ws.terminate();
    },
    ping() {
      if (ws.readyState === ws.OPEN) ws.ping();
    },
    onMessage(listener) {
      ws.on('message', (data: RawData, isBinary: boolean) => listener(toBytes(data), isBinary));
    },
    onClose(listener) {
      ws.on('close', (code: number, reason: Buffer) => listener(code, reason.toString('utf8')));
    },
    onPong(listener) {
      ws.on('pong', () => listener());
    },
    onError(listener) {
      ws.on('error', listener);
    },
  };
}
