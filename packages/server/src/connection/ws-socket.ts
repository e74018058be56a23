import type { RawData, WebSocket } from 'ws';
import type { TransportSocket } from './transport-socket.js';

/** Turns ws's RawData (Buffer, ArrayBuffer or Buffer[]) into one Uint8Array without copying when possible. */
function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}

/** Adapts a `ws` WebSocket to {@link TransportSocket}. The only file that knows about `ws` sockets. */
export function wrapWsSocket(ws: WebSocket): TransportSocket {
  return {
    send(data, done) {
      ws.send(data, { binary: true }, (error) => done(error ?? undefined));
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
