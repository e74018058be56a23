/**
 * @mmo/client against a real @mmo/server gateway on 127.0.0.1 (real `ws` sockets, real JWTs):
 * handshake, heartbeat RTT, a custom reliable type answered with ctx.reply, a server-side socket
 * kill while the client has unacknowledged messages (resume, exactly once, in order), token expiry
 * with a fresh token from getToken, and a refused token that stops retrying.
 */
import { CloseCode, MessageType } from '@mmo/protocol';
import type { Gateway } from '@mmo/server';
import { FaultyProxy } from '@mmo/testing';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectedEvent, DisconnectEvent, MmoClient, TransportFactory } from '../src/index.js';
import { createWebSocketTransport } from '../src/index.js';
import WebSocket from 'ws';
import { gameRegistry, nodeClient, signToken, startGateway, until } from './gateway-helpers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

function track(client: MmoClient) {
  const connected: ConnectedEvent[] = [];
  const disconnects: Array<DisconnectEvent & { unacked: number }> = [];
  const states: string[] = [];
  client.on('connected', (e) => connected.push(e));
  client.on('disconnect', (e) => disconnects.push({ ...e, unacked: client.connection.queuedMessages }));
  client.on('stateChange', (e) => states.push(e.to));
  return { connected, disconnects, states };
}

async function withGateway(registry = gameRegistry()) {
  const { gateway, port, url } = await startGateway({ registry: registry.registry });
  cleanups.push(() => gateway.close());
  return { gateway, port, url, ...registry };
}

function connectionOf(gateway: Gateway, sessionId: string) {
  const conn = gateway.connections.bySessionId(sessionId);
  if (conn === undefined) throw new Error(`no connection for session ${sessionId}`);
  return conn;
}

describe('client <-> gateway end to end', () => {
  it('connects, measures RTT, and exchanges a custom reliable message answered with ctx.reply', async () => {
    const { gateway, port, registry, Act, Echo } = await withGateway();
    gateway.router.on(Act, (ctx) => ctx.reply(Echo.type, { n: ctx.payload.n * 10 }));
    // Through a proxy adding 5 ms each way, so the RTT is measurably above zero on loopback.
    const proxy = await FaultyProxy.start(port);
    cleanups.push(() => proxy.close());
    proxy.configure({ latencyMs: 5 });
    const client = nodeClient({ url: `ws://127.0.0.1:${proxy.port}/ws`, token: await signToken('alice'), registry });
    cleanups.push(() => client.disconnect());
    const echoes: number[] = [];
    client.onMessage(Echo, (echo) => echoes.push(echo.n));

    const connected = await client.connect();
    expect(connected).toMatchObject({ resumed: false, reconnect: false });
    expect(connected.sessionId).toBe(client.sessionId);
    await until(() => client.rttMs !== undefined, 5_000, 'a PONG');
    expect(client.rttMs).toBeGreaterThanOrEqual(10);
    expect(Math.abs(client.serverNow() - Date.now())).toBeLessThan(1_000);

    await client.send(Act, { n: 4 }, { requiresAck: true });
    await until(() => echoes.length === 1, 5_000, 'the echo');
    expect(echoes).toEqual([40]);
  });

  it('resumes after the server kills the socket with unacknowledged messages: each handled once, in order', async () => {
    const { gateway, url, registry, Act } = await withGateway();
    const handled: number[] = [];
    let killed = false;
    gateway.router.on(Act, async (ctx) => {
      handled.push(ctx.payload.n);
      if (ctx.payload.n === 4 && !killed) {
        killed = true;
        connectionOf(gateway, ctx.connection.sessionId).deps.socket.terminate();
        // Hold the connection's in-order handler queue until the close lands: the messages the
        // gateway had read behind this one are dropped with the socket, never handled or acked.
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    });
    const client = nodeClient({ url, token: await signToken('bob'), registry });
    cleanups.push(() => client.disconnect());
    const { connected, disconnects } = track(client);
    await client.connect();
    await Promise.all([1, 2, 3].map((n) => client.send(Act, { n })));

    const sends = Array.from({ length: 17 }, (_, i) => client.send(Act, { n: i + 4 }));
    await Promise.all(sends);
    expect(killed).toBe(true);
    expect(disconnects[0]).toMatchObject({ code: CloseCode.ABNORMAL, willReconnect: true, wasConnected: true });
    expect(disconnects[0]!.unacked).toBeGreaterThan(0);
    expect(connected.map((c) => c.resumed)).toEqual([false, true]);
    expect(connected[1]!.sessionId).toBe(connected[0]!.sessionId);
    await until(() => handled.length >= 20, 5_000, 'every message');
    expect(handled).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    // The resend path really ran: the gateway had taken only a prefix when the socket died.
    expect(client.stats.snapshot().resent).toBeGreaterThan(0);
  });

  it('delivers server messages sent while the socket was down exactly once after the resume', async () => {
    const { gateway, url, registry } = await withGateway();
    const client = nodeClient({ url, token: await signToken('cid'), registry });
    cleanups.push(() => client.disconnect());
    const { connected } = track(client);
    const got: string[] = [];
    client.onMessage(MessageType.FRIEND_STATUS, (s) => got.push(s.friendId));
    const { sessionId } = await client.connect();
    for (const id of ['a', 'b', 'c']) gateway.sendToSession(sessionId, MessageType.FRIEND_STATUS, { friendId: id });
    await until(() => got.length === 3, 5_000, 'a..c');
    const detached = new Promise((resolve) => gateway.events.once('sessionDisconnected', resolve));
    connectionOf(gateway, sessionId).deps.socket.terminate();
    await detached;
    for (const id of ['d', 'e']) gateway.sendToSession(sessionId, MessageType.FRIEND_STATUS, { friendId: id });
    await until(() => connected.length === 2 && got.length === 5, 5_000, 'the resume and d..e');
    await new Promise((r) => setTimeout(r, 100));
    expect(got).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(connected[1]).toMatchObject({ sessionId, resumed: true });
  });

  it('reconnects with a fresh token from getToken when the server says the token expired', async () => {
    const { url, registry } = await withGateway();
    const tokens: string[] = [];
    const client = nodeClient({
      url,
      registry,
      getToken: async () => {
        const t = await signToken('dee', { expiresIn: tokens.length === 0 ? '2s' : '5m' });
        tokens.push(t);
        return t;
      },
    });
    cleanups.push(() => client.disconnect());
    const { connected, disconnects } = track(client);
    await client.connect();
    await until(() => connected.length === 2, 8_000, 'the reconnect after expiry');
    expect(disconnects[0]).toMatchObject({ code: CloseCode.TOKEN_EXPIRED, willReconnect: true });
    expect(connected[1]).toMatchObject({ resumed: true, sessionId: connected[0]!.sessionId });
    expect(tokens).toHaveLength(2);
  });

  it('stops at once when the token is refused (Node ws reveals the 401): one attempt, state failed', async () => {
    const { url, registry } = await withGateway();
    const client = nodeClient({ url, registry, token: await signToken('eve', { secret: 'a-wrong-secret-that-is-long-enough-000000' }) });
    const { states } = track(client);
    const error = await client.connect().catch((e: Error) => e);
    expect(error).toMatchObject({ name: 'ConnectionClosedError', reason: 'failed' });
    expect(String((error as Error).message)).toMatch(/401/);
    expect(states).toEqual(['connecting', 'failed']);
  });

  it('stops after maxFailuresBeforeOpen attempts when the refusal status is hidden (as in a browser)', async () => {
    const { url, registry } = await withGateway();
    const inner = createWebSocketTransport({ WebSocket });
    let attempts = 0;
    // A browser's WebSocket never shows the HTTP status of a refused upgrade: strip it.
    const browserLike: TransportFactory = (request, handlers) => {
      attempts++;
      return inner(request, { ...handlers, onClose: ({ httpStatus: _hidden, ...info }) => handlers.onClose(info) });
    };
    const client = nodeClient({
      url,
      registry,
      transport: browserLike,
      token: await signToken('eve', { secret: 'a-wrong-secret-that-is-long-enough-000000' }),
      reconnect: { baseDelayMs: 10, maxDelayMs: 40, maxFailuresBeforeOpen: 4 },
    });
    const { states } = track(client);
    await expect(client.connect()).rejects.toMatchObject({ reason: 'failed' });
    expect(attempts).toBe(4);
    expect(states).toEqual(['connecting', 'reconnecting', 'failed']);
  });
});
