import { ManualClock } from '@mmo/protocol';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MemoryNodeRegistry } from './memory-node-registry.js';
import { NodeHeartbeat } from './node-heartbeat.js';
import type { NodeInfo, NodeRegistry } from './node-registry.js';
import { RedisNodeRegistry } from './redis-node-registry.js';
import { deletePrefix, flush, testPrefix, testRedis, until } from './test-helpers.js';

const redis = testRedis();
const prefixes: string[] = [];
afterEach(async () => {
  for (const p of prefixes.splice(0)) await deletePrefix(redis, p);
});
afterAll(async () => {
  await redis.quit();
});

interface Backend {
  registry: NodeRegistry;
  /** Lets `ms` pass for the records' time to live (clock for memory, real time for Redis). */
  expire: (ms: number, done: () => Promise<boolean>) => Promise<void>;
}

const backends: Array<[string, () => Backend]> = [
  [
    'memory',
    () => {
      const clock = new ManualClock(1_000);
      return {
        registry: new MemoryNodeRegistry(clock),
        expire: async (ms) => {
          clock.advance(ms);
        },
      };
    },
  ],
  [
    'redis',
    () => {
      const keyPrefix = testPrefix();
      prefixes.push(keyPrefix);
      // Real TTLs: wait for the condition, bounded, instead of sleeping a guessed time.
      return { registry: new RedisNodeRegistry(redis, { keyPrefix }), expire: (ms, done) => until(done, ms + 2000, 'expiry') };
    },
  ],
];

const node = (nodeId: string, connections = 0): NodeInfo => ({ nodeId, address: `ws://${nodeId}:8080/ws`, startedAt: 500, connections });

describe.each(backends)('NodeRegistry contract: %s', (_name, make) => {
  it('lists live nodes sorted by id with what they reported, refreshed by each heartbeat', async () => {
    const { registry } = make();
    expect(await registry.members()).toEqual([]);
    await registry.heartbeat(node('gw-b', 3), 1_000, 60_000);
    await registry.heartbeat({ ...node('gw-a', 1), extra: 'dropped' } as NodeInfo, 1_000, 60_000);
    expect(await registry.members()).toEqual([
      { ...node('gw-a', 1), heartbeatAt: 1_000 },
      { ...node('gw-b', 3), heartbeatAt: 1_000 },
    ]);
    await registry.heartbeat(node('gw-b', 7), 2_000, 60_000);
    expect((await registry.members()).find((m) => m.nodeId === 'gw-b')).toMatchObject({ connections: 7, heartbeatAt: 2_000 });
  });

  it('forgets a removed node at once', async () => {
    const { registry } = make();
    await registry.heartbeat(node('gw-a'), 1_000, 60_000);
    await registry.heartbeat(node('gw-b'), 1_000, 60_000);
    await registry.remove('gw-a');
    await registry.remove('never-there');
    expect((await registry.members()).map((m) => m.nodeId)).toEqual(['gw-b']);
  });

  it('drops a node whose heartbeat ran out, keeps the one that refreshed', async () => {
    const { registry, expire } = make();
    await registry.heartbeat(node('dies'), 1_000, 300);
    await registry.heartbeat(node('lives'), 1_000, 60_000);
    await expire(300, async () => (await registry.members()).length === 1);
    expect((await registry.members()).map((m) => m.nodeId)).toEqual(['lives']);
  });
});

describe('RedisNodeRegistry', () => {
  it('skips a record it cannot read and cleans its index of expired ids', async () => {
    const keyPrefix = testPrefix();
    prefixes.push(keyPrefix);
    const registry = new RedisNodeRegistry(redis, { keyPrefix });
    await registry.heartbeat(node('ok'), 1, 60_000);
    await redis.set(`${keyPrefix}node:junk`, 'not json');
    await redis.zadd(`${keyPrefix}nodes`, '0', 'junk', '0', 'gone');
    expect((await registry.members()).map((m) => m.nodeId)).toEqual(['ok']);
    expect(await redis.zrange(`${keyPrefix}nodes`, '0', '-1')).toEqual(['junk', 'ok']);
    const ttl = await redis.pttl(`${keyPrefix}node:ok`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });
});

describe('NodeHeartbeat', () => {
  it('heartbeats at start and every interval on the clock, with current figures; removes itself on stop', async () => {
    const clock = new ManualClock(10_000);
    const registry = new MemoryNodeRegistry(clock);
    let connections = 2;
    const hb = new NodeHeartbeat({ registry, clock, heartbeatIntervalMs: 1_000, nodeTtlMs: 3_000, describe: () => node('gw-1', connections) });
    hb.start();
    await flush();
    expect(hb.isHealthy()).toBe(true);
    expect(await registry.members()).toEqual([{ ...node('gw-1', 2), heartbeatAt: 10_000 }]);
    connections = 5;
    clock.advance(1_000);
    await flush();
    expect(await registry.members()).toEqual([{ ...node('gw-1', 5), heartbeatAt: 11_000 }]);
    // Heartbeats keep it listed well past one TTL.
    for (let i = 0; i < 5; i++) {
      clock.advance(1_000);
      await flush();
    }
    expect(await registry.members()).toHaveLength(1);
    await hb.stop();
    expect(await registry.members()).toEqual([]);
  });

  it('a node that stops heartbeating drops out after its TTL; failures are reported, then recovered', async () => {
    const clock = new ManualClock(0);
    const registry = new MemoryNodeRegistry(clock);
    let down = false;
    const flaky: NodeRegistry = {
      heartbeat: (...args) => (down ? Promise.reject(new Error('ECONNREFUSED')) : registry.heartbeat(...args)),
      remove: (id) => registry.remove(id),
      members: () => registry.members(),
    };
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (_: object, m: string) => void warnings.push(m) };
    const hb = new NodeHeartbeat({ registry: flaky, clock, heartbeatIntervalMs: 1_000, nodeTtlMs: 3_000, describe: () => node('gw-2'), logger });
    hb.start();
    await flush();
    down = true;
    for (let i = 0; i < 3; i++) {
      clock.advance(1_000);
      await flush();
    }
    expect(hb.isHealthy()).toBe(false);
    expect(warnings).toHaveLength(1); // once per outage, not per attempt
    expect(await registry.members()).toEqual([]);
    down = false;
    clock.advance(1_000);
    await flush();
    expect(hb.isHealthy()).toBe(true);
    expect(await registry.members()).toHaveLength(1);
    await hb.stop({ remove: false });
    clock.advance(3_000);
    expect(await registry.members()).toEqual([]);
    expect(clock.pendingTimers).toBe(0);
  });

  it('refuses a TTL that does not exceed the interval', () => {
    const registry = new MemoryNodeRegistry(new ManualClock(0));
    expect(() => new NodeHeartbeat({ registry, describe: () => node('x'), heartbeatIntervalMs: 1_000, nodeTtlMs: 1_000 })).toThrow(/nodeTtlMs/);
  });
});
