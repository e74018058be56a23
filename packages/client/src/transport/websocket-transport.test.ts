import { describe, expect, it } from 'vitest';
import type { TransportCloseInfo } from './transport.js';
import type { WebSocketConstructorOptions } from './websocket-like.js';
import { createWebSocketTransport, withQuery } from './websocket-transport.js';

/** Records how it was constructed; the test drives its events. */
class FakeSocket {
  static last: FakeSocket | undefined;
  readyState = 0;
  protocol = 'mmo.v1';
  binaryType = 'blob';
  onopen: ((event: never) => void) | null = null;
  onmessage: ((event: never) => void) | null = null;
  onclose: ((event: never) => void) | null = null;
  onerror: ((event: never) => void) | null = null;
  sent: Uint8Array[] = [];
  closedWith: [number | undefined, string | undefined] | undefined;
  constructor(
    readonly url: string,
    readonly protocols?: string | string[],
    readonly options?: WebSocketConstructorOptions,
  ) {
    FakeSocket.last = this;
  }
  send(data: Uint8Array) {
    this.sent.push(data);
  }
  close(code?: number, reason?: string) {
    this.closedWith = [code, reason];
  }
  fire(name: 'onopen' | 'onmessage' | 'onclose' | 'onerror', event: unknown) {
    (this[name] as ((e: unknown) => void) | null)?.(event);
  }
}

function open(options: Parameters<typeof createWebSocketTransport>[0] = {}) {
  const events: string[] = [];
  const closes: TransportCloseInfo[] = [];
  const factory = createWebSocketTransport({ WebSocket: FakeSocket, ...options });
  const transport = factory(
    { url: 'wss://game.test/ws?zone=1', token: 'a b', resumeToken: 'r1' },
    { onOpen: () => events.push('open'), onMessage: (d) => events.push(`msg ${[...d]}`), onClose: (i) => closes.push(i) },
  );
  return { transport, socket: FakeSocket.last!, events, closes };
}

describe('createWebSocketTransport', () => {
  it('opens with subprotocol mmo.v1, binaryType arraybuffer and the token in ?token=', () => {
    const { socket } = open();
    expect(socket.url).toBe('wss://game.test/ws?zone=1&token=a%20b');
    expect(socket.protocols).toBe('mmo.v1');
    expect(socket.binaryType).toBe('arraybuffer');
    expect(socket.options).toBeUndefined();
  });

  it('puts the token in an Authorization header and the resume token on the URL when asked', () => {
    const { socket } = open({ tokenCarrier: 'header', resumeTokenInUrl: true });
    expect(socket.url).toBe('wss://game.test/ws?zone=1&resume=r1');
    expect(socket.options).toEqual({ headers: { Authorization: 'Bearer a b' } });
  });

  it('hands binary messages over as bytes, sends only once open, reports the close once', () => {
    const { transport, socket, events, closes } = open();
    transport.send(Uint8Array.of(9));
    expect(socket.sent).toHaveLength(0);
    socket.fire('onopen', {});
    transport.send(Uint8Array.of(1, 2));
    socket.fire('onmessage', { data: Uint8Array.of(7, 8).buffer });
    socket.fire('onclose', { code: 1001, reason: 'bye' });
    socket.fire('onclose', { code: 1001, reason: 'bye' });
    expect(socket.sent.map((d) => [...d])).toEqual([[1, 2]]);
    expect(events).toEqual(['open', 'msg 7,8']);
    expect(closes).toEqual([{ code: 1001, reason: 'bye', wasOpen: true }]);
  });

  it("reads the HTTP status of a refused upgrade from ws's error message", () => {
    const { socket, closes } = open();
    socket.fire('onerror', { message: 'Unexpected server response: 401' });
    socket.fire('onclose', { code: 1006, reason: '' });
    expect(closes).toEqual([{ code: 1006, reason: '', wasOpen: false, httpStatus: 401 }]);
  });

  it('explains how to fix a missing WebSocket constructor', () => {
    const saved = (globalThis as { WebSocket?: unknown }).WebSocket;
    delete (globalThis as { WebSocket?: unknown }).WebSocket;
    try {
      expect(() => createWebSocketTransport()).toThrowError(expect.objectContaining({ name: 'WebSocketUnavailableError', code: 'WEBSOCKET_UNAVAILABLE', message: expect.stringContaining("import WebSocket from 'ws'") }));
    } finally {
      if (saved !== undefined) (globalThis as { WebSocket?: unknown }).WebSocket = saved;
    }
  });
});

describe('withQuery', () => {
  it('appends parameters before a fragment and skips empty values', () => {
    expect(withQuery('ws://h/ws', { token: 't' })).toBe('ws://h/ws?token=t');
    expect(withQuery('ws://h/ws?', { token: 't' })).toBe('ws://h/ws?token=t');
    expect(withQuery('ws://h/ws#x', { token: 't', resume: undefined, empty: '' })).toBe('ws://h/ws?token=t#x');
    expect(withQuery('ws://h/ws', {})).toBe('ws://h/ws');
  });
});
