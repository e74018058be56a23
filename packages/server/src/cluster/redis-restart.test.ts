import { DisposableRedis } from '@mmo/testing';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterErrorCode, isClusterError } from './cluster-error.js';
import { NodeHeartbeat } from './node-heartbeat.js';
import { RedisClusterBus } from './redis-cluster-bus.js';
import { RedisNodeRegistry } from './redis-node-registry.js';
import { RedisZoneLeases } from './redis-zone-leases.js';
import { Inbox, nextEvent, testRedis, until, within } from './test-helpers.js';
import { clusterTopics } from './topics.js';
import { ZoneOwnership } from './zone-ownership.js';

// A redis-server of our own on a free port, killed by PID and started again on the same port
// (the shared Redis on 6379 is never touched). It keeps nothing on disk: a restart loses every key.
let server: DisposableRedis;
const clients: Redis[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);

beforeAll(async () => {
  server = await DisposableRedis.start();
  process.on('unhandledRejection', onUnhandled);
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await server.kill();
  process.off('unhandledRejection', onUnhandled);
});

function client(): Redis {
  const c = testRedis(server.url);
  clients.push(c);
  return c;
}

interface LogLine {
  level: string;
  message: string;
}
function recorder(lines: LogLine[]) {
  const at = (level: string) => (_: object, message: string) => void lines.push({ level, message });
  return { debug: () => {}, info: at('info'), warn: at('warn'), error: at('error') };
}

describe('cluster over a Redis that dies and comes back', () => {
  it('bus: not healthy while down, publishes fail typed, re-subscribes and delivers after the restart', async () => {
    const logs: LogLine[] = [];
    const a = new RedisClusterBus({ publisher: client(), subscriber: client() }, { nodeId: 'node-a', logger: recorder(logs) });
    const b = new RedisClusterBus({ redis: client() }, { nodeId: 'node-b', logger: recorder(logs) });
    await until(() => a.isHealthy() && b.isHealthy(), 5_000, 'buses healthy');
    const user = new Inbox();
    await within(b.subscribe(clusterTopics.toUser('u1'), user.handler).ready, 5_000, 'subscribed');
    await a.publish(clusterTopics.toUser('u1'), { n: 1 });
    await user.count(1);

    const aDown = nextEvent(a, 'health', (h) => h === false);
    const bDown = nextEvent(b, 'health', (h) => h === false);
    await server.kill();
    await within(Promise.all([aDown, bDown]), 5_000, 'both buses unhealthy');
    expect(a.isHealthy()).toBe(false);
    const failure = await a.publish(clusterTopics.toUser('u1'), { n: 'lost' }).catch((e: unknown) => e);
    expect(isClusterError(failure, ClusterErrorCode.REDIS_UNAVAILABLE)).toBe(true);
    // Subscribing while down works too: it takes effect once Redis is back.
    const zone = new Inbox();
    const zoneSub = b.subscribe(clusterTopics.toZone('forest'), zone.handler);

    const aUp = nextEvent(a, 'health', (h) => h === true);
    const bUp = nextEvent(b, 'health', (h) => h === true);
    await server.launch();
    await within(Promise.all([aUp, bUp, zoneSub.ready]), 10_000, 'both buses healthy again');
    await a.publish(clusterTopics.toUser('u1'), { n: 2 });
    await a.publish(clusterTopics.toZone('forest'), { n: 3 });
    expect((await user.count(2)).map((r) => r.message)).toEqual([{ n: 1 }, { n: 2 }]);
    expect((await zone.count(1)).map((r) => r.message)).toEqual([{ n: 3 }]);
    expect(b.stats().resubscribes).toBeGreaterThanOrEqual(1);
    expect(a.stats().publishFailed).toBe(1);
    expect(logs.some((l) => l.level === 'warn' && /Redis unavailable/.test(l.message))).toBe(true);
    expect(logs.some((l) => l.level === 'info' && /subscribed again/.test(l.message))).toBe(true);
    await a.close();
    await b.close();
    expect(unhandled).toEqual([]);
  });

  it('zones: the owner stops simulating when Redis is gone, and takes them again with a higher token', async () => {
    const leases = new RedisZoneLeases(client());
    const own = new ZoneOwnership({ leases, nodeId: 'node-a', zones: ['z1'], leaseTtlMs: 600, renewIntervalMs: 150 });
    const first = nextEvent<[string, number]>(own, 'acquired');
    own.start();
    const [, oldToken] = await within(first, 5_000, 'acquired');
    const lost = nextEvent(own, 'lost');
    await server.kill();
    expect(await within(lost, 5_000, 'lost after Redis died')).toEqual(['z1', 'expired']);
    const again = nextEvent<[string, number]>(own, 'acquired');
    await server.launch();
    const [, newToken] = await within(again, 10_000, 'acquired after the restart');
    // Redis lost the counter with everything else; the clock-seeded counter still goes up.
    expect(newToken).toBeGreaterThan(oldToken);
    await own.stop();
    expect(unhandled).toEqual([]);
  });

  it('membership: heartbeats fail while down and list the node again after the restart', async () => {
    const registry = new RedisNodeRegistry(client());
    const hb = new NodeHeartbeat({
      registry,
      heartbeatIntervalMs: 100,
      nodeTtlMs: 1_000,
      describe: () => ({ nodeId: 'node-a', address: 'ws://a', startedAt: 1, connections: 0 }),
    });
    hb.start();
    await until(async () => (await registry.members()).length === 1, 5_000, 'listed');
    await server.kill();
    await until(() => !hb.isHealthy(), 5_000, 'heartbeat failing');
    await expect(registry.members()).rejects.toThrow();
    await server.launch();
    await until(async () => hb.isHealthy() && (await registry.members().catch(() => [])).length === 1, 10_000, 'listed again');
    await hb.stop();
    expect(await registry.members()).toEqual([]);
    expect(unhandled).toEqual([]);
  });
});
