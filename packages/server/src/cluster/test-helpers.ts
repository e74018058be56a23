// Helpers for the cluster tests only (not exported from the package): deadlines instead of sleeps,
// a Redis connection factory and per-test key prefixes.
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { ClusterHandler } from './cluster-bus.js';
import type { ClusterPayload, ClusterMessageMeta } from './index.js';

/** The shared test Redis (never stopped or reconfigured by these tests). */
export const REDIS_URL = process.env['MMO_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** A fresh key prefix for one test. */
export function testPrefix(): string {
  return `mmo-test:${randomUUID()}:`;
}

/** A client that reconnects fast and fails queued commands after one retry (tests want outages to show). */
export function testRedis(url: string = REDIS_URL): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(50 * times, 300),
  });
  redis.on('error', () => {}); // outages are expected in some tests; the code under test reports them
  return redis;
}

/** Deletes every key under `prefix` (SCAN, never KEYS). */
export async function deletePrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

/** Rejects with `what` if `promise` has not settled within `ms`. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves once `check()` is true, checking on each event-loop turn (a condition, not a sleep). */
export async function until(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Next emission of `event` whose arguments pass `match`. */
export function nextEvent<A extends unknown[]>(
  emitter: { on(event: string, fn: (...args: A) => void): unknown; off(event: string, fn: (...args: A) => void): unknown },
  event: string,
  match: (...args: A) => boolean = () => true,
): Promise<A> {
  return new Promise((resolve) => {
    const fn = (...args: A) => {
      if (!match(...args)) return;
      emitter.off(event, fn);
      resolve(args);
    };
    emitter.on(event, fn);
  });
}

/** Lets every pending microtask and immediate run (after a ManualClock advance). */
export async function flush(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** A handler that records messages and lets a test await the n-th one. */
export class Inbox<T extends ClusterPayload = ClusterPayload> {
  readonly received: Array<{ message: T; meta: ClusterMessageMeta }> = [];
  private waiters: Array<{ count: number; resolve: () => void }> = [];

  readonly handler: ClusterHandler<T> = (message, meta) => {
    this.received.push({ message, meta });
    this.waiters = this.waiters.filter((w) => {
      if (this.received.length < w.count) return true;
      w.resolve();
      return false;
    });
  };

  /** Resolves once `count` messages in total arrived (within `ms`). */
  async count(count: number, ms = 5000): Promise<Array<{ message: T; meta: ClusterMessageMeta }>> {
    if (this.received.length < count) {
      await within(new Promise<void>((resolve) => this.waiters.push({ count, resolve })), ms, `${count} message(s)`);
    }
    return this.received;
  }

  get messages(): T[] {
    return this.received.map((r) => r.message);
  }
}
