import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterBus, ClusterBusOptions } from './cluster-bus.js';
import { ClusterErrorCode, isClusterError } from './cluster-error.js';
import { InProcessClusterBus, InProcessClusterHub } from './in-process-cluster-bus.js';
import { RedisClusterBus } from './redis-cluster-bus.js';
import { Inbox, testPrefix, testRedis, until, within } from './test-helpers.js';
import { type AdminAction, clusterTopics } from './topics.js';

/** Two nodes of one cluster, each with its own connections. */
interface Pair {
  a: ClusterBus;
  b: ClusterBus;
}

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const backends: Array<[string, (options?: ClusterBusOptions) => Promise<Pair>]> = [
  [
    'in-process',
    async (options) => {
      const hub = new InProcessClusterHub();
      const a = new InProcessClusterBus({ ...options, hub, nodeId: 'node-a' });
      const b = new InProcessClusterBus({ ...options, hub, nodeId: 'node-b' });
      cleanups.push(() => a.close(), () => b.close());
      return { a, b };
    },
  ],
  [
    'redis',
    async (options) => {
      const keyPrefix = testPrefix();
      // Node a is given a publisher and a subscriber; node b one client it duplicates.
      const clients: Redis[] = [testRedis(), testRedis(), testRedis()];
      const a = new RedisClusterBus({ publisher: clients[0]!, subscriber: clients[1]! }, { ...options, keyPrefix, nodeId: 'node-a' });
      const b = new RedisClusterBus({ redis: clients[2]! }, { ...options, keyPrefix, nodeId: 'node-b' });
      cleanups.push(async () => {
        await a.close();
        await b.close();
        for (const c of clients) await c.quit();
      });
      await until(() => a.isHealthy() && b.isHealthy(), 5000, 'both buses healthy');
      return { a, b };
    },
  ],
];

describe.each(backends)('ClusterBus contract: %s', (_name, makePair) => {
  it('delivers user, zone and admin topics to every subscribed node, the publisher included', async () => {
    const { a, b } = await makePair();
    const user = new Inbox();
    const zoneA = new Inbox();
    const zoneB = new Inbox();
    const adminB = new Inbox<AdminAction>();
    const subs = [
      b.subscribe(clusterTopics.toUser('u1'), user.handler),
      a.subscribe(clusterTopics.toZone('forest'), zoneA.handler),
      b.subscribe(clusterTopics.toZone('forest'), zoneB.handler),
      b.subscribe(clusterTopics.admin, adminB.handler),
    ];
    await within(Promise.all(subs.map((s) => s.ready)), 5000, 'subscriptions');

    await a.publish(clusterTopics.toUser('u1'), { hello: 'u1' });
    await a.publish(clusterTopics.toZone('forest'), { chat: 'hi', n: [1, 2] });
    await a.publish(clusterTopics.admin, { action: 'kick', userId: 'u1', reason: 'banned' });
    await a.publish(clusterTopics.admin, { action: 'drain', nodeId: 'all' });

    expect((await user.count(1))[0]).toEqual({ message: { hello: 'u1' }, meta: { topic: 'user:u1', from: 'node-a' } });
    expect((await zoneA.count(1)).map((r) => r.message)).toEqual([{ chat: 'hi', n: [1, 2] }]);
    expect((await zoneB.count(1)).map((r) => r.meta)).toEqual([{ topic: 'zone:forest', from: 'node-a' }]);
    expect((await adminB.count(2)).map((r) => r.message)).toEqual([
      { action: 'kick', userId: 'u1', reason: 'banned' },
      { action: 'drain', nodeId: 'all' },
    ]);
    expect(b.stats().delivered).toBe(4);
    expect(a.stats().published).toBe(4);
  });

  it('carries bytes byte for byte (every value, views with an offset, empty)', async () => {
    const { a, b } = await makePair();
    const inbox = new Inbox();
    await b.subscribe(clusterTopics.toNode('node-b'), inbox.handler).ready;
    const every = Uint8Array.from({ length: 256 }, (_, i) => i);
    const backing = Uint8Array.from([9, 9, 0xff, 0x00, 0x7b, 9]);
    await a.publish(clusterTopics.toNode('node-b'), every);
    await a.publish(clusterTopics.toNode('node-b'), backing.subarray(2, 5));
    await a.publish(clusterTopics.toNode('node-b'), new Uint8Array(0));
    const got = (await inbox.count(3)).map((r) => r.message);
    expect(got.every((m) => m instanceof Uint8Array)).toBe(true);
    expect(got.map((m) => [...(m as Uint8Array)])).toEqual([[...every], [0xff, 0x00, 0x7b], []]);
  });

  it('hands each node its own copy of a JSON message', async () => {
    const { a, b } = await makePair();
    const inbox = new Inbox();
    await b.subscribe('custom', inbox.handler).ready;
    const sent = { deep: { list: [1, 'two', null] }, text: 'é✓' };
    await a.publish('custom', sent);
    const [first] = await inbox.count(1);
    expect(first!.message).toEqual(sent);
    expect(first!.message).not.toBe(sent);
  });

  it('stops delivering after unsubscribe, keeps the other handlers of the topic', async () => {
    const { a, b } = await makePair();
    const stays = new Inbox();
    const leaves = new Inbox();
    const other = new Inbox();
    const s1 = b.subscribe('t', stays.handler);
    const s2 = b.subscribe('t', leaves.handler);
    const s3 = b.subscribe('last', other.handler);
    await Promise.all([s1.ready, s2.ready, s3.ready]);
    await a.publish('t', { n: 1 });
    await leaves.count(1);
    s2();
    s2(); // idempotent
    await a.publish('t', { n: 2 });
    await stays.count(2);
    s1();
    await a.publish('t', { n: 3 });
    // Messages from one publisher arrive in order: once 'last' is in, nothing else is coming.
    await a.publish('last', { done: true });
    await other.count(1);
    expect(stays.messages).toEqual([{ n: 1 }, { n: 2 }]);
    expect(leaves.messages).toEqual([{ n: 1 }]);
  });

  it('drops what the topic refuses and survives a throwing handler', async () => {
    const { a, b } = await makePair();
    const admin = new Inbox<AdminAction>();
    const after = new Inbox();
    await b.subscribe(clusterTopics.admin, () => {
      throw new Error('handler bug');
    }).ready;
    await b.subscribe(clusterTopics.admin, admin.handler).ready;
    await b.subscribe('after', after.handler).ready;
    await a.publish('admin', { action: 'kick' }); // no userId: refused by clusterTopics.admin
    await a.publish('admin', new Uint8Array([1, 2]));
    await a.publish(clusterTopics.admin, { action: 'kick', userId: 'u9', reason: 'x' });
    await a.publish('after', {});
    await after.count(1);
    expect(admin.messages).toEqual([{ action: 'kick', userId: 'u9', reason: 'x' }]);
    expect(b.stats()).toMatchObject({ droppedInvalid: 4, handlerErrors: 1 });
  });

  it('rejects what it cannot send with typed errors, and nothing after close', async () => {
    const { a } = await makePair({ maxMessageBytes: 64, maxTopics: 2 });
    const tooLarge = await a.publish('t', new Uint8Array(64)).catch((e: unknown) => e);
    expect(isClusterError(tooLarge, ClusterErrorCode.MESSAGE_TOO_LARGE)).toBe(true);
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(isClusterError(await a.publish('t', cyclic).catch((e: unknown) => e), ClusterErrorCode.INVALID_MESSAGE)).toBe(true);
    expect(isClusterError(await a.publish('t', 'text' as unknown as object).catch((e: unknown) => e), ClusterErrorCode.INVALID_MESSAGE)).toBe(true);
    a.subscribe('one', () => {});
    a.subscribe('one', () => {}); // same topic: no new one
    a.subscribe('two', () => {});
    expect(() => a.subscribe('three', () => {})).toThrow(expect.objectContaining({ code: ClusterErrorCode.TOO_MANY_TOPICS }));
    expect(a.stats().publishFailed).toBe(3);
    expect(a.isHealthy()).toBe(true);
    await a.close();
    expect(a.isHealthy()).toBe(false);
    expect(isClusterError(await a.publish('t', {}).catch((e: unknown) => e), ClusterErrorCode.BUS_CLOSED)).toBe(true);
    expect(() => a.subscribe('t', () => {})).toThrow(expect.objectContaining({ code: ClusterErrorCode.BUS_CLOSED }));
  });
});
