import { ErrorCode, MessageType } from '@mmo/protocol';
import { DisposableRedis } from '@mmo/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, RedisSessionStore } from '../src/index.js';
import { connect, registry, signToken, startGateway, type TestClient } from './helpers.js';

const RESUME_SECRET = 'shared-resume-secret-0123456789-abcdef';

describe('Redis restart while sessions exist', () => {
  let redisServer: DisposableRedis;
  const clients: Redis[] = [];
  const gateways: Gateway[] = [];
  beforeAll(async () => {
    redisServer = await DisposableRedis.start();
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.close()));
    for (const c of clients) c.disconnect();
    await redisServer.kill();
  });

  async function node(nodeId: string) {
    const redis = new Redis(redisServer.url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
    redis.on('error', () => {});
    clients.push(redis);
    const started = await startGateway({ nodeId, sessionStore: new RedisSessionStore(redis), session: { resumeTokenSecret: RESUME_SECRET } });
    gateways.push(started.gateway);
    return { ...started, redis };
  }

  async function open(url: string, token: string, payload: Record<string, unknown> = {}) {
    const client = await connect(url, { token });
    const env = await client.handshake(payload);
    return { client, ce: registry.unpack(MessageType.CONNECTION_ESTABLISHED, env.payload) };
  }

  async function friends(client: TestClient, n: number) {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await client.next(MessageType.FRIEND_STATUS)).sequence);
    return out;
  }

  it('every session either resumes completely or is told it cannot be recovered', async () => {
    const a = await node('a');
    const b = await node('b');
    const t1 = await signToken('r1');
    const t2 = await signToken('r2');
    const s1 = await open(a.url, t1);
    const s2 = await open(a.url, t2);
    for (const s of [s1, s2]) {
      for (let i = 0; i < 3; i++) a.gateway.sendToSession(s.ce.sessionId, MessageType.FRIEND_STATUS, { friendId: `m${i}` });
      expect(await friends(s.client, 3)).toEqual([1, 2, 3]);
    }

    // Redis loses everything (it keeps nothing on disk) and comes back.
    await redisServer.restart();
    await expect.poll(async () => a.redis.ping().catch(() => 'down'), { timeout: 5_000 }).toBe('PONG');
    await expect.poll(async () => b.redis.ping().catch(() => 'down'), { timeout: 5_000 }).toBe('PONG');

    // r1 drops and resumes on the node that holds its session: complete resume, and the node
    // rewrites the lost copy so the session is durable again.
    s1.client.ws.terminate();
    await new Promise((resolve) => a.gateway.events.once('sessionDisconnected', resolve));
    const r1 = await open(a.url, t1, { resumeToken: s1.ce.resumeToken, lastReceivedSequence: 1 });
    expect(r1.ce).toMatchObject({ resumed: true, sessionId: s1.ce.sessionId });
    expect(await friends(r1.client, 2)).toEqual([2, 3]);

    // r2 resumes on the other node, which finds nothing in Redis: told so, and starts fresh.
    s2.client.ws.terminate();
    const r2 = await open(b.url, t2, { resumeToken: s2.ce.resumeToken, lastReceivedSequence: 3 });
    const refusal = registry.unpack(MessageType.ERROR, (await r2.client.next(MessageType.ERROR)).payload);
    expect(refusal).toMatchObject({ code: ErrorCode.RESUME_REJECTED, details: { reason: 'unknown' } });
    expect(r2.ce.resumed).toBe(false);

    // r1's rewritten session now survives a move to node b, exactly.
    await new Promise((resolve) => setTimeout(resolve, 100));
    r1.client.ws.terminate();
    await new Promise((resolve) => a.gateway.events.once('sessionDisconnected', resolve));
    const moved = await open(b.url, t1, { resumeToken: r1.ce.resumeToken, lastReceivedSequence: 2 });
    expect(moved.ce).toMatchObject({ resumed: true, sessionId: s1.ce.sessionId });
    expect(await friends(moved.client, 1)).toEqual([3]);
  }, 30_000);
});
