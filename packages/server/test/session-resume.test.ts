import { CloseCode, ErrorCode, MessageType, jsonSchema, createMessageRegistry } from '@mmo/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { Gateway } from '../src/index.js';
import { connect, registry, signToken, startGateway, type TestClient } from './helpers.js';

let running: Gateway[] = [];
afterEach(async () => {
  await Promise.all(running.map((g) => g.close()));
  running = [];
});

async function handshake(client: TestClient, payload: Record<string, unknown> = {}) {
  const env = await client.handshake(payload);
  return { env, ce: registry.unpack(MessageType.CONNECTION_ESTABLISHED, env.payload) };
}

function friendIds(envs: Array<{ payload: Uint8Array }>) {
  return envs.map((e) => registry.unpack(MessageType.FRIEND_STATUS, e.payload).friendId);
}

describe('session resume over real sockets', () => {
  it('replays exactly the unacknowledged reliable messages, in order, including those sent while detached', async () => {
    const { gateway, url } = await startGateway();
    running.push(gateway);
    const token = await signToken('rey');
    const a = await connect(url, { token });
    const { ce } = await handshake(a);
    await a.next(MessageType.AUTH_RESULT);
    for (const id of ['f1', 'f2', 'f3', 'f4', 'f5']) gateway.sendToSession(ce.sessionId, MessageType.FRIEND_STATUS, { friendId: id });
    const got: Array<{ sequence: number; payload: Uint8Array }> = [];
    for (let i = 0; i < 5; i++) got.push(await a.next(MessageType.FRIEND_STATUS));
    expect(got.map((e) => e.sequence)).toEqual([1, 2, 3, 4, 5]);
    // The client acknowledges 1..2 (piggy-backed on a heartbeat), then its socket dies.
    a.send({ type: MessageType.HEARTBEAT, ack: 2 });
    await a.next(MessageType.PONG);
    const detached = new Promise((resolve) => gateway.events.once('sessionDisconnected', resolve));
    a.ws.terminate();
    await detached;
    expect(gateway.sendToSession(ce.sessionId, MessageType.FRIEND_STATUS, { friendId: 'f6' })).toBe(true);
    expect(gateway.sendToSession(ce.sessionId, MessageType.FRIEND_STATUS, { friendId: 'f7' })).toBe(true);

    // It had received 3 (not acked): resume says so; 4..7 come back, nothing else.
    const b = await connect(`${url}?resume=${encodeURIComponent(ce.resumeToken)}`, { token });
    const resumed = await handshake(b, { lastReceivedSequence: 3 });
    expect(resumed.ce).toMatchObject({ sessionId: ce.sessionId, resumed: true });
    expect(resumed.ce.resumeToken).not.toBe(ce.resumeToken);
    const replay: Array<{ sequence: number; payload: Uint8Array }> = [];
    for (let i = 0; i < 4; i++) replay.push(await b.next(MessageType.FRIEND_STATUS));
    expect(replay.map((e) => e.sequence)).toEqual([4, 5, 6, 7]);
    expect(friendIds(replay)).toEqual(['f4', 'f5', 'f6', 'f7']);
    // New messages continue the same stream.
    gateway.sendToSession(ce.sessionId, MessageType.FRIEND_STATUS, { friendId: 'f8' });
    expect((await b.next(MessageType.FRIEND_STATUS)).sequence).toBe(8);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(b.received.filter((e) => e.type === MessageType.FRIEND_STATUS)).toEqual([]);

    // The old token was single-use: once the client has used its new one (any message), a second
    // resume with the old one is refused and starts fresh.
    b.send({ type: MessageType.HEARTBEAT, ack: 8 });
    await b.next(MessageType.PONG);
    const c = await connect(url, { token, headers: {} });
    const fresh = await handshake(c, { resumeToken: ce.resumeToken, lastReceivedSequence: 3 });
    const refusal = registry.unpack(MessageType.ERROR, (await c.next(MessageType.ERROR)).payload);
    expect(refusal).toMatchObject({ code: ErrorCode.RESUME_REJECTED, details: { reason: 'reused' } });
    expect(fresh.ce.resumed).toBe(false);
    expect(fresh.ce.sessionId).not.toBe(ce.sessionId);
  });

  it('never runs a client message handler twice when the client resends after a drop', async () => {
    const reg = createMessageRegistry();
    const Act = reg.register({ type: 1000, name: 'Act', schema: jsonSchema<{ n: number }>() });
    const { gateway, url } = await startGateway({ registry: reg });
    running.push(gateway);
    const handled: number[] = [];
    gateway.router.on(Act, (ctx) => {
      handled.push(ctx.payload.n);
    });
    const token = await signToken('sol');
    const a = await connect(url, { token });
    const { ce } = await handshake(a);
    a.send({ type: 1000, sequence: 1, payload: reg.pack(Act, { n: 1 }) });
    a.send({ type: 1000, sequence: 2, payload: reg.pack(Act, { n: 2 }) });
    a.send({ type: MessageType.HEARTBEAT });
    const pong = await a.next(MessageType.PONG);
    expect(pong.ack).toBe(2);
    a.ws.terminate();
    await new Promise((resolve) => gateway.events.once('sessionDisconnected', resolve));

    // The client did not see the ack: it resends 1 and 2, then sends 3 (and 5 before 4).
    const b = await connect(url, { token });
    const resumed = await handshake(b, { resumeToken: ce.resumeToken });
    expect(resumed.env.ack).toBe(2); // CONNECTION_ESTABLISHED tells it what we have
    for (const n of [1, 2, 3, 5, 4]) b.send({ type: 1000, sequence: n, payload: reg.pack(Act, { n }) });
    b.send({ type: MessageType.HEARTBEAT });
    await b.next(MessageType.PONG);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(handled).toEqual([1, 2, 3, 4, 5]);
  });

  it('ends a session whose outbox overflows explicitly: DISCONNECT SESSION_LOST, close 4011, token dead', async () => {
    const { gateway, url } = await startGateway({ session: { maxOutboxMessages: 5 } });
    running.push(gateway);
    const token = await signToken('ovf');
    const a = await connect(url, { token });
    const { ce } = await handshake(a);
    // AUTH_RESULT is not reliable; five reliable messages fit, the sixth cannot be kept.
    for (let i = 0; i < 6; i++) gateway.sendToSession(ce.sessionId, MessageType.FRIEND_STATUS, { friendId: `x${i}` });
    const disconnect = registry.unpack(MessageType.DISCONNECT, (await a.next(MessageType.DISCONNECT)).payload);
    expect(disconnect).toMatchObject({ code: CloseCode.SESSION_LOST, reconnect: true });
    expect((await a.waitClosed()).code).toBe(CloseCode.SESSION_LOST);
    expect(gateway.sessions.get(ce.sessionId)).toBeUndefined();
    const b = await connect(url, { token });
    await handshake(b, { resumeToken: ce.resumeToken });
    const refusal = registry.unpack(MessageType.ERROR, (await b.next(MessageType.ERROR)).payload);
    expect(refusal.details).toEqual({ reason: 'unknown' });
  });

  it('an HTTP-side session delivers what was sent to it before its first socket', async () => {
    const { gateway, url } = await startGateway();
    running.push(gateway);
    const { session, resumeToken } = await gateway.sessions.createSession('web');
    gateway.sendToSession(session.id, MessageType.FRIEND_STATUS, { friendId: 'early' });
    const upgraded = new Promise((resolve) => gateway.events.once('sessionUpgraded', resolve));
    const client = await connect(url, { token: await signToken('web') });
    const { ce } = await handshake(client, { resumeToken });
    await upgraded;
    expect(ce).toMatchObject({ sessionId: session.id, resumed: false });
    const early = await client.next(MessageType.FRIEND_STATUS);
    expect(early.sequence).toBe(1);
    expect(registry.unpack(MessageType.FRIEND_STATUS, early.payload).friendId).toBe('early');
  });

  it('acknowledges a client message on a quiet connection within moments (standalone ACK)', async () => {
    const reg = createMessageRegistry();
    const Act = reg.register({ type: 1000, name: 'Act', schema: jsonSchema<{ n: number }>() });
    const { gateway, url } = await startGateway({ registry: reg });
    running.push(gateway);
    gateway.router.on(Act, () => {});
    const client = await connect(url, { token: await signToken('quiet') });
    await handshake(client);
    await client.next(MessageType.AUTH_RESULT);
    const sent = Date.now();
    client.send({ type: 1000, sequence: 1, payload: reg.pack(Act, { n: 1 }) });
    const ack = await client.next(MessageType.ACK, 2_000);
    expect(ack.ack).toBe(1);
    expect(ack.sequence).toBe(0); // volatile: never replayed, never acked back
    expect(Date.now() - sent).toBeLessThan(1_000);
  });
});
