import { randomUUID } from 'node:crypto';
import { ManualClock } from '@mmo/protocol';
import { Redis } from 'ioredis';
import { MemoryPresenceStore } from './memory-presence-store.js';
import { describePresenceStoreContract } from './presence-store.contract.js';
import { RedisPresenceStore } from './redis-presence-store.js';

const REDIS_URL = process.env['MMO_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

describePresenceStoreContract('memory', {
  async create() {
    const clock = new ManualClock(1_700_000_000_000);
    const sweepIntervalMs = 100;
    const store = new MemoryPresenceStore(clock, { sweepIntervalMs });
    return {
      store,
      // One memory store is what every service of one process shares.
      peer: async () => store,
      passTime: (ms) => clock.advance(ms),
      shortTtlMs: 400,
      sweepIntervalMs,
      dispose: () => store.close(),
    };
  },
});

/** Real Redis; `clientPrefix` puts the isolation prefix in ioredis's own `keyPrefix` instead. */
const redisHarness = (clientPrefix: boolean) => ({
  async create() {
    const testPrefix = `mmo-test:${randomUUID()}:`;
    const sweepIntervalMs = 50;
    const clients: Redis[] = [];
    const stores: RedisPresenceStore[] = [];
    const open = async () => {
      const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2, ...(clientPrefix ? { keyPrefix: testPrefix } : {}) });
      clients.push(redis);
      const store = new RedisPresenceStore(redis, {
        keyPrefix: clientPrefix ? 'mmo:' : testPrefix,
        channel: `${testPrefix}presence:changes`,
        sweepIntervalMs,
      });
      stores.push(store);
      await store.ready();
      return store;
    };
    const store = await open();
    return {
      store,
      peer: open,
      passTime: () => {},
      shortTtlMs: 400,
      sweepIntervalMs,
      dispose: async () => {
        for (const s of stores) await s.close();
        for (const c of clients) c.disconnect();
        // SCAN, not KEYS: the Redis is shared.
        const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${testPrefix}*`, 'COUNT', 500);
          if (keys.length > 0) await redis.del(...keys);
          cursor = next;
        } while (cursor !== '0');
        await redis.quit();
      },
    };
  },
});

describePresenceStoreContract('redis', redisHarness(false));
describePresenceStoreContract('redis behind an ioredis keyPrefix', redisHarness(true));
