// The presence service over real Redis: two nodes with their own connections, a node that dies,
// and a Redis that dies and comes back (a disposable redis-server, never the shared one).
import { randomUUID } from 'node:crypto';
import { pb, systemClock } from '@mmo/protocol';
import { DisposableRedis } from '@mmo/testing';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryFriendsProvider } from './friends-provider.js';
import type { PresenceLogger } from './presence-options.js';
import { createPresenceService, type PresenceService } from './presence-service.js';
import type { PresenceStore } from './presence-store.js';
import { RedisPresenceStore } from './redis-presence-store.js';
import { MortalNode, SentLog } from './test-nodes.js';

const REDIS_URL = process.env['MMO_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const S = pb.PlayerStatus;
const DEADLINE_MS = 5_000;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Resolves once `check` holds (polled while real time passes), failing after a deadline. */
async function eventually(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > DEADLINE_MS) throw new Error(`${what}: not within ${DEADLINE_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function redisNode(url: string, keyPrefix: string, nodeId: string, friends: MemoryFriendsProvider, wrap?: (s: PresenceStore) => MortalNode) {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
  redis.on('error', () => {}); // the outage test kills its server; the store reports through the service
  const store = new RedisPresenceStore(redis, { keyPrefix, sweepIntervalMs: 50 });
  await store.ready();
  const mortal = wrap?.(store);
  const sent = new SentLog();
  const errors: unknown[] = [];
  const logger: PresenceLogger = { debug() {}, info() {}, warn() {}, error: (f) => errors.push(f) };
  const service: PresenceService = createPresenceService({
    store: mortal?.store ?? store,
    clock: mortal?.clock ?? systemClock,
    friends,
    nodeId,
    ttlMs: 600,
    refreshIntervalMs: 150,
    storeTimeoutMs: 300,
    send: sent.send,
    logger,
  });
  cleanups.push(async () => {
    if (mortal === undefined) await service.close();
    await store.close();
    redis.disconnect();
  });
  return { service, sent, store, redis, mortal, errors };
}

async function removeKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await redis.quit();
}

describe('PresenceService over Redis', () => {
  it('delivers a change on node B to a friend on node A', async () => {
    const prefix = `mmo-test:${randomUUID()}:`;
    cleanups.push(() => removeKeys(REDIS_URL, prefix));
    const friends = new MemoryFriendsProvider();
    friends.addFriendship('alice', 'bob');
    const a = await redisNode(REDIS_URL, prefix, 'node-a', friends);
    const b = await redisNode(REDIS_URL, prefix, 'node-b', friends);
    await a.service.connect('alice');
    await b.service.connect('bob');
    expect(b.sent.friendLists('bob')[0]?.friends).toMatchObject([{ userId: 'alice', status: S.PLAYER_STATUS_ONLINE, nodeId: 'node-a' }]);
    await b.service.statusChange('bob', { status: S.PLAYER_STATUS_IN_GAME, zoneId: 'dungeon-3' });
    await eventually(() => a.sent.friendStatuses('alice').some((f) => f.status === S.PLAYER_STATUS_IN_GAME && f.zoneId === 'dungeon-3'), 'FRIEND_STATUS on node A');
    await b.service.disconnect('bob');
    await eventually(() => a.sent.friendStatuses('alice').at(-1)?.status === S.PLAYER_STATUS_OFFLINE, 'offline on node A');
    expect(a.service.isHealthy()).toBe(true);
  });

  it('takes the users of a node that died offline within TTL + sweep', async () => {
    const prefix = `mmo-test:${randomUUID()}:`;
    cleanups.push(() => removeKeys(REDIS_URL, prefix));
    const friends = new MemoryFriendsProvider();
    friends.addFriendship('alice', 'bob');
    const a = await redisNode(REDIS_URL, prefix, 'node-a', friends, (s) => new MortalNode(systemClock, s));
    const b = await redisNode(REDIS_URL, prefix, 'node-b', friends);
    await a.service.connect('alice');
    await b.service.connect('bob');
    a.mortal!.kill();
    const diedAtMs = Date.now();
    await eventually(() => b.sent.friendStatuses('bob').some((f) => f.friendId === 'alice' && f.status === S.PLAYER_STATUS_OFFLINE), 'alice offline');
    // TTL 600 ms + sweep 50 ms, with room for a loaded machine.
    expect(Date.now() - diedAtMs).toBeLessThan(600 + 50 + 1_000);
    expect(b.service.isConnected('bob')).toBe(true);
  });

  it('keeps serving through a Redis outage, reports it, and restores presence after', async () => {
    const server = await DisposableRedis.start();
    cleanups.push(() => server.kill());
    const prefix = `mmo-test:${randomUUID()}:`;
    const friends = new MemoryFriendsProvider();
    friends.addFriendship('alice', 'bob');
    const a = await redisNode(server.url, prefix, 'node-a', friends);
    await a.service.connect('alice');
    await a.service.connect('bob');
    // Bob's ONLINE reaches Alice through the store's change feed, asynchronously: wait for it
    // before clearing the log, or it may land after the clear and look like a flicker.
    await eventually(() => a.sent.friendStatuses('alice').some((f) => f.friendId === 'bob' && f.status === S.PLAYER_STATUS_ONLINE), 'bob online for alice');
    a.sent.clear();
    await server.kill();
    await a.service.statusChange('bob', { status: S.PLAYER_STATUS_BUSY });
    await eventually(() => a.sent.friendStatuses('alice').some((f) => f.status === S.PLAYER_STATUS_BUSY), 'local delivery while Redis is down');
    expect(a.service.isHealthy()).toBe(false);
    // Redis comes back empty: the node writes its users again and reports healthy.
    await server.launch();
    const check = new Redis(server.url, { maxRetriesPerRequest: 1 });
    const reader = new RedisPresenceStore(check, { keyPrefix: prefix });
    cleanups.push(async () => {
      await reader.close();
      check.disconnect();
    });
    await eventually(() => a.service.isHealthy(), 'healthy again');
    await eventually(async () => (await reader.get(['alice', 'bob'])).size === 2, 'users written again');
    const records = await reader.get(['alice', 'bob']);
    expect(records.get('bob')).toMatchObject({ status: 'busy', nodeId: 'node-a' });
    expect(records.get('alice')).toMatchObject({ status: 'online', nodeId: 'node-a' });
    // One error line for the outage (plus at most the subscriber's), and no offline flicker.
    expect(a.errors.length).toBeLessThanOrEqual(2);
    const seen = a.sent.friendStatuses('alice').map((f) => f.status);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen).toEqual(seen.map(() => S.PLAYER_STATUS_BUSY));
  });
});
