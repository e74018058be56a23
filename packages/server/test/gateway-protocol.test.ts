import { CloseCode, encodeFrame, ErrorCode, jsonSchema, MessageType, createMessageRegistry } from '@mmo/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { HandlerError, type Gateway } from '../src/index.js';
import { connect, connectReady, httpCall, httpGet, registry, signToken, startGateway } from './helpers.js';

let running: Gateway[] = [];
afterEach(async () => {
  await Promise.all(running.map((g) => g.close()));
  running = [];
});
async function start(overrides = {}) {
  const started = await startGateway(overrides);
  running.push(started.gateway);
  return started;
}

describe('HTTP side', () => {
  it('serves /healthz, /readyz and Prometheus /metrics with the seed names', async () => {
    const { http } = await start();
    expect((await httpGet(`${http}/healthz`)).status).toBe(200);
    expect(JSON.parse((await httpGet(`${http}/readyz`)).body)).toEqual({ ready: true });
    const metrics = await httpGet(`${http}/metrics`);
    expect(metrics.status).toBe(200);
    for (const name of ['mmorpg_players_online', 'mmorpg_state_update_latency_seconds', 'mmorpg_bandwidth_bytes_total', 'mmo_connections_active', 'mmo_upgrades_refused_total']) {
      expect(metrics.body).toContain(name);
    }
    expect((await httpGet(`${http}/nope`)).status).toBe(404);
  });
});

describe('handshake and system messages', () => {
  it('answers HANDSHAKE with CONNECTION_ESTABLISHED and AUTH_RESULT', async () => {
    const { url, gateway } = await start({ featureFlags: ['batching', 'x'] });
    const { client, established } = await connectReady(url, 'alice');
    const ce = registry.unpack(MessageType.CONNECTION_ESTABLISHED, established.payload);
    expect(ce.sessionId).toMatch(/[0-9a-f-]{36}/);
    expect(ce.heartbeatIntervalMs).toBe(10_000);
    expect(ce.featureFlags).toEqual(['batching', 'x']);
    expect(Math.abs(ce.serverTime - Date.now())).toBeLessThan(5_000);
    const auth = registry.unpack(MessageType.AUTH_RESULT, (await client.next(MessageType.AUTH_RESULT)).payload);
    expect(auth.success).toBe(true);
    expect(auth.userId).toBe('alice');
    expect(gateway.connections.bySessionId(ce.sessionId)?.userId).toBe('alice');
    client.close();
  });

  it('refuses an unsupported protocol version with ERROR and close 4001', async () => {
    const { url } = await start();
    const client = await connect(url, { token: await signToken('old') });
    client.send({ type: MessageType.HANDSHAKE, payload: registry.pack(MessageType.HANDSHAKE, { protocolVersion: 7 }) });
    const error = registry.unpack(MessageType.ERROR, (await client.next(MessageType.ERROR)).payload);
    expect(error.code).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect((await client.waitClosed()).code).toBe(CloseCode.UNSUPPORTED_VERSION);
  });

  it('closes a connection that never handshakes (4000) and one that starts with something else (1002)', async () => {
    const { url } = await start({ connection: { handshakeTimeoutMs: 100 } });
    const silent = await connect(url, { token: await signToken('s') });
    expect((await silent.waitClosed()).code).toBe(CloseCode.HANDSHAKE_TIMEOUT);
    const rude = await connect(url, { token: await signToken('r') });
    rude.send({ type: MessageType.PLAYER_ACTION });
    expect(registry.unpack(MessageType.ERROR, (await rude.next(MessageType.ERROR)).payload).code).toBe(ErrorCode.HANDSHAKE_REQUIRED);
    expect((await rude.waitClosed()).code).toBe(CloseCode.PROTOCOL_ERROR);
  });

  it('answers HEARTBEAT with PONG echoing the client time, and records the reported RTT', async () => {
    const { url, gateway } = await start();
    const { client } = await connectReady(url, 'hb');
    client.send({ type: MessageType.HEARTBEAT, payload: registry.pack(MessageType.HEARTBEAT, { clientTime: 123456, rttMs: 42 }) });
    const pong = registry.unpack(MessageType.PONG, (await client.next(MessageType.PONG)).payload);
    expect(pong.clientTime).toBe(123456);
    expect(pong.serverTime).toBeGreaterThan(0);
    expect([...gateway.connections.all()][0]?.rttMs).toBe(42);
    client.send({ type: MessageType.HEARTBEAT, payload: Uint8Array.of(0xff) });
    expect((await client.next(MessageType.PONG)).type).toBe(MessageType.PONG);
    client.close();
  });
});

describe('router', () => {
  it('runs handlers, ACKs requires_ack, answers ERROR with the request sequence, times out, and refuses unknown types', async () => {
    const gatewayRegistry = createMessageRegistry();
    const Echo = gatewayRegistry.register({ type: 1000, name: 'Echo', schema: jsonSchema<{ text: string; mode?: string }>() });
    const { url, gateway } = await start({ registry: gatewayRegistry, connection: { handlerTimeoutMs: 100 } });
    const seen: string[] = [];
    gateway.router.use(async (ctx, next) => {
      ctx.locals.set('mw', 'yes');
      await next();
    });
    gateway.router.on(Echo, async (ctx) => {
      seen.push(`${ctx.payload.text}:${String(ctx.locals.get('mw'))}:${ctx.connection.userId}`);
      if (ctx.payload.mode === 'reject') throw new HandlerError(ErrorCode.ACTION_REJECTED, 'nope', { details: { why: 'test' } });
      if (ctx.payload.mode === 'crash') throw new Error('secret internal detail');
      if (ctx.payload.mode === 'slow') await new Promise((resolve) => setTimeout(resolve, 1_000));
      ctx.reply(Echo.type, { text: ctx.payload.text.toUpperCase() });
    });
    const { client } = await connectReady(url, 'rob');
    const pack = (v: { text: string; mode?: string }) => gatewayRegistry.pack(Echo, v);

    client.send({ type: 1000, sequence: 1, requiresAck: true, payload: pack({ text: 'hi' }) });
    expect(registry.unpack(MessageType.ACK, (await client.next(MessageType.ACK)).payload).sequence).toBe(1);
    expect(gatewayRegistry.unpack(Echo, (await client.next(1000)).payload).text).toBe('HI');

    client.send({ type: 1000, sequence: 2, payload: pack({ text: 'x', mode: 'reject' }) });
    const rejected = registry.unpack(MessageType.ERROR, (await client.next(MessageType.ERROR)).payload);
    expect(rejected).toMatchObject({ code: ErrorCode.ACTION_REJECTED, message: 'nope', requestId: '2' });
    expect(rejected.details).toEqual({ why: 'test' });

    client.send({ type: 1000, sequence: 3, payload: pack({ text: 'x', mode: 'crash' }) });
    const crashed = registry.unpack(MessageType.ERROR, (await client.next(MessageType.ERROR)).payload);
    expect(crashed).toMatchObject({ code: ErrorCode.INTERNAL, requestId: '3' });
    expect(crashed.message).not.toContain('secret');

    client.send({ type: 1000, sequence: 4, payload: pack({ text: 'x', mode: 'slow' }) });
    const timeout = registry.unpack(MessageType.ERROR, (await client.next(MessageType.ERROR)).payload);
    expect(timeout).toMatchObject({ code: ErrorCode.HANDLER_TIMEOUT, requestId: '4', retryable: true });

    client.send({ type: 4242, sequence: 5 });
    expect(registry.unpack(MessageType.ERROR, (await client.next(MessageType.ERROR)).payload)).toMatchObject({ code: ErrorCode.UNKNOWN_MESSAGE_TYPE, requestId: '5' });

    // A resent reliable message (same sequence) never runs its handler twice, but is re-ACKed.
    // (Standalone cumulative ACKs may have arrived meanwhile: forget them first.)
    await new Promise((resolve) => setTimeout(resolve, 100));
    client.received.splice(0);
    client.send({ type: 1000, sequence: 1, requiresAck: true, payload: pack({ text: 'hi' }) });
    expect(registry.unpack(MessageType.ACK, (await client.next(MessageType.ACK)).payload).sequence).toBe(1);
    expect(seen.filter((s) => s.startsWith('hi:'))).toEqual(['hi:yes:rob']);
    client.close();
  });
});

describe('bad input', () => {
  it('closes on framing violations with the table codes and stays healthy', async () => {
    const { url, http } = await start({ connectRateLimit: { perIpPerMinute: 1000 } });
    const cases: Array<[Uint8Array | string, number]> = [
      [Uint8Array.of(0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08), CloseCode.PROTOCOL_ERROR],
      [Uint8Array.of(0x4d, 0x4d, 0x00, 0x09, 0, 0, 0, 0), CloseCode.PROTOCOL_ERROR],
      [Uint8Array.of(0x4d, 0x4d, 0x00, 0x01, 0, 0, 0, 10, 1), CloseCode.PROTOCOL_ERROR],
      [Uint8Array.of(0x4d, 0x4d, 0x00, 0x01, 0x7f, 0, 0, 0), CloseCode.MESSAGE_TOO_BIG],
      ['text frame', CloseCode.PROTOCOL_ERROR],
    ];
    for (const [bytes, code] of cases) {
      const { client } = await connectReady(url, `bad${code}`);
      client.sendRaw(bytes);
      expect((await client.waitClosed()).code).toBe(code);
    }
    const { client } = await connectReady(url, 'garbage');
    for (let i = 0; i < 11; i++) client.sendRaw(encodeFrame(Uint8Array.of(0x0f, i)));
    expect((await client.waitClosed()).code).toBe(CloseCode.INVALID_PAYLOAD);
    expect((await httpGet(`${http}/healthz`)).status).toBe(200);
    const metrics = await httpGet(`${http}/metrics`);
    expect(metrics.body).toMatch(/mmo_protocol_errors_total\{code="BAD_MAGIC"\} 1/);
    expect(metrics.body).toMatch(/mmo_connection_closes_total\{code="1009"\} 1/);
  });

  it('closes a slow consumer at the queue cap with 4007 and keeps memory bounded', async () => {
    const { url, gateway, http } = await start({
      connection: { writeQueue: { maxQueueBytes: 256 * 1024, maxInFlightBytes: 64 * 1024 } },
      // A large outbox, so the write queue is the limit this test reaches (not SESSION_LOST).
      session: { maxOutboxBytes: 256 * 1024 * 1024, maxOutboxMessages: 1_000_000 },
    });
    const { client } = await connectReady(url, 'slow');
    const conn = [...gateway.connections.all()][0]!;
    // Stop reading: the client's TCP receive window fills, the server's writes stop completing.
    client.ws.pause();
    const payload = new Uint8Array(16 * 1024).fill(7);
    let maxQueued = 0;
    const results: boolean[] = [];
    for (let i = 0; i < 10_000 && conn.state === 'open'; i++) {
      results.push(conn.send(MessageType.CHAT_MESSAGE, payload, { reliable: true }));
      maxQueued = Math.max(maxQueued, conn.queuedBytes);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(conn.state).not.toBe('open');
    // Every one of them is in the session's outbox, the one that overflowed the queue included:
    // each send said so (a false would invite a retry, and a duplicate after the resume).
    expect(results.every(Boolean)).toBe(true);
    expect(conn.session!.outbox.size).toBe(results.length);
    expect(maxQueued).toBeLessThanOrEqual(256 * 1024);
    client.ws.resume();
    expect((await client.waitClosed()).code).toBe(CloseCode.SLOW_CONSUMER);
    expect((await httpGet(`${http}/metrics`)).body).toMatch(/mmo_slow_consumer_closes_total 1/);
  });
});

describe('drain and admin', () => {
  it('drains: readiness false, DISCONNECT with reconnect hint, close 1001, new upgrades refused', async () => {
    const { url, gateway, http } = await start({ drainRetryAfterMs: 750 });
    const { client } = await connectReady(url, 'dr');
    const closing = client.waitClosed();
    const drained = gateway.drain();
    const disconnect = registry.unpack(MessageType.DISCONNECT, (await client.next(MessageType.DISCONNECT)).payload);
    expect(disconnect).toMatchObject({ code: CloseCode.SERVER_DRAINING, reconnect: true, retryAfterMs: 750 });
    expect((await closing).code).toBe(CloseCode.GOING_AWAY);
    await drained;
    expect(gateway.isReady()).toBe(false);
    await expect(httpGet(`${http}/readyz`)).rejects.toThrow();
  });

  it('admin API: token required, lists connections and sessions, sends, kicks', async () => {
    const adminToken = 'admin-token-0123456789';
    const { url, http } = await start({ adminToken });
    const { client } = await connectReady(url, 'kim');
    expect((await httpGet(`${http}/admin/connections`)).status).toBe(401);
    expect((await httpGet(`${http}/admin/connections`, { authorization: 'Bearer wrong-token-0123456789' })).status).toBe(401);
    const auth = { authorization: `Bearer ${adminToken}` };
    const list = JSON.parse((await httpGet(`${http}/admin/connections`, auth)).body);
    expect(list.connections).toHaveLength(1);
    expect(list.connections[0]).toMatchObject({ userId: 'kim', state: 'open' });
    const sessions = JSON.parse((await httpGet(`${http}/admin/sessions`, auth)).body);
    expect(sessions.sessions[0].userId).toBe('kim');

    const payloadBase64 = Buffer.from(registry.pack(MessageType.FRIEND_STATUS, { userId: 'kim', friendId: 'lee', status: 1 })).toString('base64');
    const sent = await httpCall('POST', `${http}/admin/send`, auth, JSON.stringify({ userId: 'kim', type: MessageType.FRIEND_STATUS, payloadBase64 }));
    expect(JSON.parse(sent.body)).toEqual({ delivered: 1 });
    const friend = await client.next(MessageType.FRIEND_STATUS);
    expect(friend.sequence).toBeGreaterThan(0);
    expect(registry.unpack(MessageType.FRIEND_STATUS, friend.payload).friendId).toBe('lee');
    expect((await httpCall('POST', `${http}/admin/send`, auth, '{"userId":1}')).status).toBe(400);
    expect((await httpCall('POST', `${http}/admin/send`, auth, 'not json')).status).toBe(400);

    const kicked = await httpCall('POST', `${http}/admin/kick`, auth, JSON.stringify({ userId: 'kim', reason: 'bye' }));
    expect(JSON.parse(kicked.body)).toEqual({ kicked: 1 });
    const disconnect = registry.unpack(MessageType.DISCONNECT, (await client.next(MessageType.DISCONNECT)).payload);
    expect(disconnect).toMatchObject({ code: CloseCode.KICKED, reconnect: false });
    expect((await client.waitClosed()).code).toBe(CloseCode.POLICY_VIOLATION);
  });

  it('duplicate login "replace" closes the older connection with REPLACED', async () => {
    const { url } = await start();
    const first = await connectReady(url, 'dup');
    await connectReady(url, 'dup');
    const disconnect = registry.unpack(MessageType.DISCONNECT, (await first.client.next(MessageType.DISCONNECT)).payload);
    expect(disconnect).toMatchObject({ code: CloseCode.REPLACED, reconnect: false });
  });
});
