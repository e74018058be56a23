import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import * as wsModule from 'ws';
import WebSocket, { WebSocketServer } from 'ws';
import type { TransportSocket } from './transport-socket.js';
import { wrapWsSocket } from './ws-socket.js';

/** A ws server on 127.0.0.1:0, one client connected to it, the server side wrapped. */
interface Pair {
  server: WebSocket;
  client: WebSocket;
  transport: TransportSocket;
  /** Messages the client received, in order. */
  received: Buffer[];
  /** Waits until the client has received `count` messages in all. */
  receivedCount(count: number): Promise<void>;
  /** What went through the direct path (the raw socket) and through ws's sender. */
  writes: { direct: Buffer[]; viaSender: number };
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function connectPair(perMessageDeflate: false | { threshold: number } = false): Promise<Pair> {
  const http: Server = createServer();
  const wss = new WebSocketServer({ server: http, perMessageDeflate });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  cleanups.push(() => new Promise<void>((resolve) => {
    wss.close();
    http.close(() => resolve());
    http.closeAllConnections();
  }));
  const port = (http.address() as AddressInfo).port;
  const accepted = once(wss, 'connection') as Promise<[WebSocket]>;
  const client = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: perMessageDeflate !== false });
  cleanups.push(() => client.terminate());
  const [server] = await accepted;
  await once(client, 'open');

  const writes = { direct: [] as Buffer[], viaSender: 0 };
  // Record, without changing, what each path hands to the socket.
  const internals = server as unknown as { _socket: { write: (...args: unknown[]) => boolean }; _sender: { sendFrame: (...args: unknown[]) => void } };
  const socket = internals._socket;
  const socketWrite = socket.write;
  const sender = internals._sender;
  const sendFrame = sender.sendFrame;
  let inSender = false;
  sender.sendFrame = function (this: unknown, ...args: unknown[]) {
    writes.viaSender++;
    inSender = true;
    try {
      return sendFrame.apply(this, args);
    } finally {
      inSender = false;
    }
  };
  socket.write = function (this: unknown, ...args: unknown[]) {
    if (!inSender) writes.direct.push(Buffer.from(args[0] as Buffer));
    return socketWrite.apply(this, args);
  };

  const received: Buffer[] = [];
  const waiters: Array<() => void> = [];
  client.on('message', (data: Buffer) => {
    received.push(data);
    for (const w of waiters.splice(0)) w();
  });
  const receivedCount = async (count: number): Promise<void> => {
    while (received.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
  };
  return { server, client, transport: wrapWsSocket(server), received, receivedCount, writes };
}

/** `length` bytes that differ from message to message. */
function message(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);
}

/** Sends and resolves with what `done` reported. */
function send(transport: TransportSocket, data: Uint8Array): Promise<Error | null | undefined> {
  return new Promise((resolve) => transport.send(data, resolve));
}

/** ws's frame builder (a named export of ws's ESM entry at run time; @types/ws does not declare it). */
const { Sender } = wsModule as unknown as { Sender: { frame(data: Buffer, options: object): Buffer[] } };

/** The bytes ws itself writes for a server-side unmasked binary message. */
function wsFrameOf(data: Uint8Array): Buffer {
  const list = Sender.frame(Buffer.from(data), { fin: true, opcode: 2, mask: false, readOnly: false, rsv1: false });
  return Buffer.concat(list);
}

describe('wrapWsSocket', () => {
  it('writes small messages directly, each exactly the bytes ws would write, in order', async () => {
    const pair = await connectPair();
    // 125/126 and 16 KiB are the header-length and direct-write boundaries.
    const sizes = [1, 100, 125, 126, 127, 1000, 65535 >> 4, 16 * 1024];
    const messages = sizes.map((n, i) => message(n, i));
    const results = await Promise.all(messages.map((m) => send(pair.transport, m)));
    expect(results.every((r) => r === null || r === undefined)).toBe(true);
    await pair.receivedCount(messages.length);
    expect(pair.received.map((b) => new Uint8Array(b))).toEqual(messages);
    expect(pair.writes.viaSender).toBe(0);
    expect(pair.writes.direct).toEqual(messages.map(wsFrameOf));
  });

  it('leaves larger messages to ws.send, in order with direct ones', async () => {
    const pair = await connectPair();
    const messages = [message(10, 1), message(16 * 1024 + 1, 2), message(20, 3), message(70_000, 4), message(30, 5)];
    for (const m of messages) pair.transport.send(m, () => {});
    await pair.receivedCount(messages.length);
    expect(pair.received.map((b) => new Uint8Array(b))).toEqual(messages);
    expect(pair.writes.viaSender).toBe(2);
    expect(pair.writes.direct).toHaveLength(3);
  });

  it('waits behind a frame ws is still preparing (a Blob being read) instead of overtaking it', async () => {
    const pair = await connectPair();
    const blobBytes = message(64, 9);
    pair.server.send(new Blob([blobBytes]));
    // ws's sender is now busy reading the Blob: these must queue behind it in ws.
    const behind = [message(5, 1), message(6, 2)];
    for (const m of behind) pair.transport.send(m, () => {});
    expect(pair.writes.direct).toHaveLength(0);
    await pair.receivedCount(3);
    expect(pair.received.map((b) => new Uint8Array(b))).toEqual([blobBytes, ...behind]);
    // Once the sender is idle again, small messages take the direct path.
    const after = message(7, 3);
    await send(pair.transport, after);
    await pair.receivedCount(4);
    expect(new Uint8Array(pair.received[3]!)).toEqual(after);
    expect(pair.writes.direct).toEqual([wsFrameOf(after)]);
  });

  it('sends every message through ws when permessage-deflate was negotiated', async () => {
    const pair = await connectPair({ threshold: 0 });
    expect(pair.server.extensions).toContain('permessage-deflate');
    const messages = [message(10, 1), message(200, 2), message(3, 3)];
    const results = await Promise.all(messages.map((m) => send(pair.transport, m)));
    expect(results.every((r) => r === null || r === undefined)).toBe(true);
    await pair.receivedCount(messages.length);
    expect(pair.received.map((b) => new Uint8Array(b))).toEqual(messages);
    expect(pair.writes.direct).toHaveLength(0);
    expect(pair.writes.viaSender).toBe(3);
  });

  it('reports a write on a broken socket as an error through done, on either path', async () => {
    const pair = await connectPair();
    // The socket is gone but ws has not seen its 'close' yet: the direct path's write fails.
    (pair.server as unknown as { _socket: { destroy(): void } })._socket.destroy();
    expect(pair.server.readyState).toBe(WebSocket.OPEN);
    expect(await send(pair.transport, message(10, 1))).toBeInstanceOf(Error);
    await once(pair.server, 'close');
    // Closed: ws.send reports the error itself.
    expect(await send(pair.transport, message(10, 2))).toBeInstanceOf(Error);
  });
});
