import { CloseCode, encodeMessage, ErrorCode, jsonSchema, ManualClock, MessageType, type MmoEnvelope } from '@mmo/protocol';
import { describe, expect, it } from 'vitest';
import { type ConnectedEvent, createMmoClient, type DisconnectEvent, type MmoClientOptions } from '../src/index.js';
import { FakeServer, type FakeServerOptions } from './fake-server.js';

const flush = () => new Promise((r) => setTimeout(r, 0));

function setup(client: Partial<MmoClientOptions> = {}, server: FakeServerOptions = {}) {
  const clock = new ManualClock(1_700_000_000_000);
  const fake = new FakeServer(clock, server);
  const c = createMmoClient({ url: 'ws://fake.test/ws', token: 'jwt', transport: fake.factory, clock, random: () => 0.5, registry: fake.registry, ...client });
  const states: string[] = [];
  const connected: ConnectedEvent[] = [];
  const disconnects: DisconnectEvent[] = [];
  const errors: unknown[] = [];
  c.on('stateChange', (e) => states.push(e.to));
  c.on('connected', (e) => connected.push(e));
  c.on('disconnect', (e) => disconnects.push(e));
  c.on('error', (e) => errors.push(e.error));
  return { clock, fake, client: c, states, connected, disconnects, errors };
}

function handshakeOf(env: MmoEnvelope | undefined, fake: FakeServer) {
  expect(env?.type).toBe(MessageType.HANDSHAKE);
  return fake.registry.unpack(MessageType.HANDSHAKE, env!.payload);
}

describe('connection manager: states and handshake', () => {
  it('connects: disconnected -> connecting -> connected, fresh session, handshake with the protocol version', async () => {
    const { clock, fake, client, states, connected } = setup();
    const ready = client.connect();
    clock.advance(0);
    await expect(ready).resolves.toMatchObject({ resumed: false, reconnect: false });
    expect(states).toEqual(['connecting', 'connected']);
    expect(connected).toEqual([{ sessionId: 's1', resumed: false, reconnect: false }]);
    expect(client.sessionId).toBe('s1');
    expect(fake.last.request).toMatchObject({ url: 'ws://fake.test/ws', token: 'jwt', resumeToken: undefined });
    const hs = handshakeOf(fake.last.received[0], fake);
    expect(hs).toMatchObject({ protocolVersion: 1, resumeToken: '', lastReceivedSequence: 0 });
    expect(hs.clientVersion).not.toBe('');
  });

  it('measures RTT from heartbeats (EWMA) and sends one every announced interval', () => {
    const { clock, fake, client } = setup({}, { latencyMs: 20, heartbeatIntervalMs: 5_000 });
    void client.connect();
    clock.advance(100);
    expect(client.rttMs).toBe(40);
    const heartbeats = () => fake.last.received.filter((e) => e.type === MessageType.HEARTBEAT).length;
    expect(heartbeats()).toBe(1);
    clock.advance(10_000);
    expect(heartbeats()).toBe(3);
    const last = fake.last.received.filter((e) => e.type === MessageType.HEARTBEAT).at(-1)!;
    expect(fake.registry.unpack(MessageType.HEARTBEAT, last.payload).rttMs).toBe(40);
  });

  it('estimates the server clock from the best TIME_SYNC sample', () => {
    const { clock, client } = setup({}, { latencyMs: 7, serverClockOffsetMs: 123_456 });
    void client.connect();
    clock.advance(1_000);
    expect(client.serverNow() - clock.now()).toBe(123_456);
  });

  it('disconnect() closes, rejects pending sends and never reconnects', async () => {
    const { clock, fake, client, states } = setup();
    void client.connect();
    clock.advance(0);
    fake.last.blackhole = true;
    const pending = client.send(MessageType.PLAYER_ACTION, { actionType: 'jump' });
    client.disconnect('bye');
    await expect(pending).rejects.toMatchObject({ name: 'ConnectionClosedError', reason: 'disconnected' });
    clock.advance(600_000);
    expect(states).toEqual(['connecting', 'connected', 'disconnected']);
    expect(fake.connections).toHaveLength(1);
    expect(client.sessionId).toBeUndefined();
  });
});

describe('connection manager: reconnect policy', () => {
  it('reconnects with backoff and resumes: the handshake carries the resume token and last sequence', async () => {
    const { clock, fake, client, states, connected, disconnects } = setup();
    void client.connect();
    clock.advance(0);
    const got: string[] = [];
    client.onMessage(MessageType.FRIEND_STATUS, (s) => got.push(s.friendId));
    for (const id of ['a', 'b', 'c']) fake.last.sendReliable(MessageType.FRIEND_STATUS, { friendId: id });
    clock.advance(0);
    fake.last.mute = true; // c is lost on the way
    fake.last.sendReliable(MessageType.FRIEND_STATUS, { friendId: 'd' });
    clock.advance(0);
    fake.last.close(CloseCode.ABNORMAL);
    clock.advance(0);
    expect(states.at(-1)).toBe('reconnecting');
    expect(disconnects.at(-1)).toMatchObject({ code: 1006, willReconnect: true, wasConnected: true, retryInMs: 1_000 });
    clock.advance(999);
    expect(fake.connections).toHaveLength(1);
    clock.advance(1);
    expect(fake.connections).toHaveLength(2);
    const hs = handshakeOf(fake.last.received[0], fake);
    expect(hs).toMatchObject({ resumeToken: 's1:1', lastReceivedSequence: 3 });
    expect(connected.at(-1)).toEqual({ sessionId: 's1', resumed: true, reconnect: true });
    expect(got).toEqual(['a', 'b', 'c', 'd']);
    expect(client.stats.snapshot().reconnects).toBe(1);
  });

  it('delivers a replay that overlaps what it already has exactly once', () => {
    const { clock, fake, client } = setup();
    void client.connect();
    clock.advance(0);
    const got: string[] = [];
    client.onMessage(MessageType.FRIEND_STATUS, (s) => got.push(s.friendId));
    for (const id of ['a', 'b']) fake.last.sendReliable(MessageType.FRIEND_STATUS, { friendId: id });
    const replay = [...fake.last.session!.outbox];
    clock.advance(0);
    // The server missed our ack: it replays 1..2 although we have them, then 3.
    fake.last.close(CloseCode.GOING_AWAY);
    clock.advance(2_000);
    for (const m of replay) fake.last.write(m);
    fake.last.sendReliable(MessageType.FRIEND_STATUS, { friendId: 'c' });
    clock.advance(0);
    expect(got).toEqual(['a', 'b', 'c']);
    expect(client.stats.snapshot().duplicatesDropped).toBeGreaterThanOrEqual(2);
  });

  it('never reconnects after a non-retryable close code (AUTH_FAILED)', async () => {
    const { clock, fake, client, states } = setup();
    void client.connect();
    clock.advance(0);
    fake.last.blackhole = true;
    const pending = client.send(MessageType.PLAYER_ACTION, { actionType: 'jump' }).catch((e: Error) => e.name);
    fake.last.close(CloseCode.AUTH_FAILED, 'bad token');
    clock.advance(600_000);
    expect(states).toEqual(['connecting', 'connected', 'failed']);
    expect(fake.connections).toHaveLength(1);
    expect(await pending).toBe('ConnectionClosedError');
  });

  it('honours DISCONNECT reconnect:false (kicked) even with a retryable close code', () => {
    const { clock, fake, client, states, disconnects } = setup();
    void client.connect();
    clock.advance(0);
    fake.last.disconnect(CloseCode.GOING_AWAY, { code: CloseCode.KICKED, reason: 'kicked by GM', reconnect: false });
    clock.advance(600_000);
    expect(states.at(-1)).toBe('failed');
    expect(disconnects.at(-1)).toMatchObject({ code: CloseCode.KICKED, reason: 'kicked by GM', willReconnect: false });
    expect(fake.connections).toHaveLength(1);
  });

  it("honours DISCONNECT reconnect:true and its retryAfterMs (token expired closes with 1008)", () => {
    const { clock, fake, client, states } = setup();
    void client.connect();
    clock.advance(0);
    fake.last.disconnect(CloseCode.POLICY_VIOLATION, { code: CloseCode.TOKEN_EXPIRED, reconnect: true, retryAfterMs: 5_000 });
    clock.advance(4_999);
    expect(states.at(-1)).toBe('reconnecting');
    expect(fake.connections).toHaveLength(1);
    clock.advance(1);
    expect(fake.connections).toHaveLength(2);
    expect(states.at(-1)).toBe('connected');
  });

  it('calls getToken before every attempt and uses the fresh token', async () => {
    let n = 0;
    const { clock, fake, client } = setup({ token: undefined, getToken: async () => `jwt-${++n}` });
    void client.connect();
    await flush();
    clock.advance(0);
    fake.last.close(CloseCode.ABNORMAL);
    clock.advance(1_000);
    await flush();
    clock.advance(0);
    expect(fake.connections.map((c) => c.request.token)).toEqual(['jwt-1', 'jwt-2']);
    expect(client.state).toBe('connected');
  });

  it('fails when getToken returns null', async () => {
    const { client, states } = setup({ token: undefined, getToken: () => null });
    await expect(client.connect()).rejects.toMatchObject({ name: 'ConnectionClosedError', reason: 'failed' });
    expect(states).toEqual(['connecting', 'failed']);
  });

  it('gives up after maxFailuresBeforeOpen refusals that hide their status (a browser with a refused token)', async () => {
    const { clock, fake, client, states } = setup({ reconnect: { maxFailuresBeforeOpen: 3 } }, { autoOpen: false });
    const ready = client.connect();
    for (let i = 0; i < 10; i++) {
      if (fake.connections.length > i) fake.connections[i]!.refuse();
      clock.advance(60_000);
    }
    await expect(ready).rejects.toMatchObject({ reason: 'failed' });
    expect(fake.connections).toHaveLength(3);
    expect(states).toEqual(['connecting', 'reconnecting', 'failed']);
  });

  it('fails at once when the runtime reveals a 401 for the upgrade (Node ws)', async () => {
    const { clock, fake, client } = setup({}, { autoOpen: false });
    const ready = client.connect();
    fake.last.refuse(401);
    clock.advance(600_000);
    await expect(ready).rejects.toMatchObject({ reason: 'failed' });
    expect(fake.connections).toHaveLength(1);
  });

  it('fails after maxAttempts attempts that open but never establish', () => {
    const { clock, fake, client, states } = setup({ reconnect: { maxAttempts: 4 }, connection: { handshakeTimeoutMs: 1_000 } });
    fake.onMessage = undefined;
    // The server opens but never answers the handshake.
    fake.handle = () => {};
    void client.connect();
    clock.advance(3_600_000);
    expect(fake.connections).toHaveLength(5); // the first attempt and 4 retries
    expect(states.at(-1)).toBe('failed');
  });

  it('treats a silent server as dead after 2.5 heartbeat intervals and resumes', () => {
    const { clock, fake, client, disconnects } = setup({}, { heartbeatIntervalMs: 10_000 });
    void client.connect();
    clock.advance(0);
    fake.last.mute = true;
    fake.last.blackhole = true;
    clock.advance(24_999);
    expect(client.state).toBe('connected');
    clock.advance(1);
    expect(client.state).toBe('reconnecting');
    expect(disconnects.at(-1)).toMatchObject({ code: CloseCode.IDLE_TIMEOUT, wasConnected: true });
    clock.advance(1_000);
    expect(client.state).toBe('connected');
    expect(fake.connections).toHaveLength(2);
  });

  it('reconnects when the handshake times out', () => {
    const { clock, fake, client } = setup({ connection: { handshakeTimeoutMs: 2_000 } });
    void client.connect();
    fake.last.blackhole = true;
    clock.advance(2_000);
    expect(client.state).toBe('reconnecting');
    clock.advance(1_000);
    expect(client.state).toBe('connected');
  });
});

describe('connection manager: reliable stream across reconnects', () => {
  it('resends exactly what the server did not get, once, in order, and resolves every send', async () => {
    const { clock, fake, client } = setup();
    const Act = client.registry.register({ type: 1000, name: 'Act', schema: jsonSchema<{ n: number }>() });
    void client.connect();
    clock.advance(0);
    let seen = 0;
    fake.onMessage = (conn) => {
      if (++seen === 3) conn.blackhole = true; // 4 and 5 vanish with the link
    };
    const sends = [1, 2, 3, 4, 5].map((n) => client.send(Act, { n }));
    clock.advance(0);
    fake.last.close(CloseCode.ABNORMAL);
    clock.advance(0);
    expect(client.state).toBe('reconnecting');
    const offline = client.send(Act, { n: 6 });
    clock.advance(1_000);
    // The server sends nothing back by itself: the ack probe's HEARTBEAT fetches the ack.
    clock.advance(200);
    await Promise.all([...sends, offline]);
    const session = fake.sessions.get('s1')!;
    expect(session.handled.map((e) => fake.registry.unpack(Act, e.payload).n)).toEqual([1, 2, 3, 4, 5, 6]);
    const resentOnSecond = fake.connections[1]!.received.filter((e) => e.type === 1000).map((e) => e.sequence);
    expect(resentOnSecond).toEqual([4, 5, 6]);
    expect(client.stats.snapshot().resent).toBe(2);
  });

  it('starts a fresh session when the resume is refused: says why, rejects the old stream, renumbers from 1', async () => {
    const { clock, fake, client, connected } = setup();
    void client.connect();
    clock.advance(0);
    fake.last.blackhole = true;
    const lost = client.send(MessageType.PLAYER_ACTION, { actionType: 'old' }).catch((e: Error) => e.name);
    fake.last.close(CloseCode.ABNORMAL);
    fake.refuseResume = 'expired';
    clock.advance(1_000);
    expect(connected.at(-1)).toEqual({ sessionId: 's2', resumed: false, reconnect: true, resumeRejectedReason: 'expired' });
    expect(await lost).toBe('SessionLostError');
    const got: string[] = [];
    client.onMessage(MessageType.FRIEND_STATUS, (s) => got.push(s.friendId));
    fake.last.sendReliable(MessageType.FRIEND_STATUS, { friendId: 'new' }); // sequence 2 after the ERROR
    const next = client.send(MessageType.PLAYER_ACTION, { actionType: 'wave' });
    clock.advance(200);
    await next;
    expect(got).toEqual(['new']);
    expect(fake.last.received.filter((e) => e.type === MessageType.PLAYER_ACTION).map((e) => e.sequence)).toEqual([1]);
  });

  it('keeps the latest coalesced volatile message while offline and sends it on reconnect', async () => {
    const { clock, fake, client } = setup();
    void client.connect();
    clock.advance(0);
    fake.last.close(CloseCode.ABNORMAL);
    clock.advance(0);
    const dropped = client.send(MessageType.PLAYER_MOVE, { inputTick: 1 });
    const old = client.send(MessageType.PLAYER_MOVE, { inputTick: 2 }, { coalesceKey: 'move' });
    const latest = client.send(MessageType.PLAYER_MOVE, { inputTick: 3 }, { coalesceKey: 'move' });
    await expect(dropped).rejects.toMatchObject({ name: 'NotConnectedError' });
    await expect(old).rejects.toMatchObject({ name: 'MessageSupersededError' });
    clock.advance(1_000);
    await latest;
    const moves = fake.last.received.filter((e) => e.type === MessageType.PLAYER_MOVE);
    expect(moves.map((e) => [e.sequence, fake.registry.unpack(MessageType.PLAYER_MOVE, e.payload).inputTick])).toEqual([[0, 3]]);
  });

  it('acknowledges the server stream with a standalone ACK when it sends nothing itself', () => {
    const { clock, fake, client } = setup({ connection: { ackDelayMs: 100 }, timeSync: { burstSamples: 1, resyncIntervalMs: 0 } });
    void client.connect();
    clock.advance(0);
    fake.last.sendReliable(MessageType.FRIEND_STATUS, { friendId: 'x' });
    fake.last.sendReliable(MessageType.FRIEND_STATUS, { friendId: 'y' });
    clock.advance(99);
    expect(fake.last.session!.peerAck).toBe(0);
    clock.advance(1);
    expect(fake.last.session!.peerAck).toBe(2);
    expect(fake.last.session!.outbox).toEqual([]);
    const acks = fake.last.received.filter((e) => e.type === MessageType.ACK);
    expect(acks).toHaveLength(1);
    expect(acks[0]).toMatchObject({ sequence: 0, ack: 2 });
  });

  it('asks an idle server for its ack with an early heartbeat (ack probe), backing off while nothing moves', async () => {
    const { clock, fake, client } = setup({ timeSync: { burstSamples: 1, resyncIntervalMs: 0 } }, { heartbeatIntervalMs: 10_000 });
    void client.connect();
    clock.advance(0);
    const heartbeats = () => fake.last.received.filter((e) => e.type === MessageType.HEARTBEAT).length;
    expect(heartbeats()).toBe(1);
    const sent = client.send(MessageType.PLAYER_ACTION, { actionType: 'jump' });
    clock.advance(199);
    expect(heartbeats()).toBe(1);
    clock.advance(1);
    expect(heartbeats()).toBe(2);
    await sent; // the PONG carried the ack
    // A server that never answers: probes back off (at +600, +1000, +1800 ms: 200, 400, 800 ms
    // apart after the progress check), not one every 200 ms.
    fake.last.blackhole = true;
    void client.send(MessageType.PLAYER_ACTION, { actionType: 'again' });
    clock.advance(3_000);
    expect(heartbeats()).toBe(2); // blackholed: the fake saw none of them
    expect(client.stats.snapshot().messagesOutByType['HEARTBEAT']).toBe(5);
  });

  it('settles requiresAck sends on the ACK and rejects them on ERROR with a ServerError', async () => {
    const { clock, fake, client } = setup();
    void client.connect();
    clock.advance(0);
    fake.onMessage = (conn, env) => {
      if (env.sequence === 2) {
        conn.sendReliable(MessageType.ERROR, { code: ErrorCode.ACTION_REJECTED, message: 'no mana', requestId: '2', retryable: false, details: {} });
      }
    };
    const ok = client.send(MessageType.PLAYER_ACTION, { actionType: 'heal' }, { requiresAck: true });
    const bad = client.send(MessageType.PLAYER_ACTION, { actionType: 'fireball' }, { requiresAck: false });
    clock.advance(0);
    await ok;
    await expect(bad).rejects.toMatchObject({ name: 'ServerError', errorCode: ErrorCode.ACTION_REJECTED, message: 'no mana' });
  });
});

describe('connection manager: inbound dispatch', () => {
  it('keeps dispatching after a handler throws and reports the error with its type', () => {
    const { clock, fake, client, errors } = setup();
    void client.connect();
    clock.advance(0);
    const got: string[] = [];
    const events: Array<{ context: string; type?: number }> = [];
    client.on('error', (e) => events.push({ context: e.context, ...(e.type === undefined ? {} : { type: e.type }) }));
    client.onMessage(MessageType.FRIEND_STATUS, () => {
      throw new Error('ui bug');
    });
    client.onMessage(MessageType.FRIEND_STATUS, (s) => got.push(s.friendId));
    fake.last.sendReliable(MessageType.FRIEND_STATUS, { friendId: 'a' });
    fake.last.sendReliable(MessageType.FRIEND_STATUS, { friendId: 'b' });
    fake.last.writeRaw(encodeMessage({ type: 4242 })); // not registered on the client
    clock.advance(0);
    expect(got).toEqual(['a', 'b']);
    expect(errors).toHaveLength(3);
    expect(events).toEqual([
      { context: 'handler', type: MessageType.FRIEND_STATUS },
      { context: 'handler', type: MessageType.FRIEND_STATUS },
      { context: 'decode', type: 4242 },
    ]);
    expect(client.state).toBe('connected');
  });

  it('counts traffic for the stats overlay', () => {
    const { clock, client } = setup();
    void client.connect();
    clock.advance(0);
    const s = client.stats.snapshot();
    expect(s.bytesOutPerSecond).toBeGreaterThan(0);
    expect(s.bytesInPerSecond).toBeGreaterThan(0);
    expect(s.messagesOutByType).toMatchObject({ HANDSHAKE: 1, HEARTBEAT: 1, TIME_SYNC: 1 });
    expect(s.messagesInByType).toMatchObject({ CONNECTION_ESTABLISHED: 1, AUTH_RESULT: 1, PONG: 1 });
  });
});
