import { type Clock, systemClock, type TimerHandle } from '@mmo/protocol';
import type { Redis } from 'ioredis';
import {
  isPresenceStatus,
  offlineRecord,
  type PresenceChange,
  type PresenceChangeListener,
  type PresenceChangeReason,
  type PresenceDeleteOptions,
  type PresenceRecord,
  type PresenceStore,
} from './presence-store.js';

/** Options of {@link RedisPresenceStore}. */
export interface RedisPresenceStoreOptions {
  /**
   * Key prefix, so several games or environments can share one Redis.
   * @default 'mmo:'
   */
  keyPrefix?: string;
  /**
   * Pub/sub channel of the change feed; every node of one cluster must use the same one.
   * @default `${keyPrefix}presence:changes`
   */
  channel?: string;
  /**
   * A connection for the subscription (a subscribed connection cannot run other commands). It may
   * carry other subscriptions: messages of other channels are ignored. It is not quit on close.
   * @default redis.duplicate(), owned by the store and quit on close
   */
  subscriber?: Redis;
  /**
   * Clock of the sweep timer and of default `lastSeenMs` values. Deadlines themselves are kept
   * in Redis server time, so nodes with skewed clocks agree on them.
   * @default systemClock
   */
  clock?: Clock;
  /**
   * How often this node looks for expired users and announces them offline, in ms. Every node
   * sweeps; each expired user is announced once (the sweep removes and publishes atomically).
   * @default 1000
   */
  sweepIntervalMs?: number;
  /**
   * Most expired users handled by one sweep script call (a full batch runs the next one at once).
   * @default 500
   */
  sweepBatchSize?: number;
  /**
   * Called on background failures: a sweep, a malformed feed message, a listener that throws,
   * the owned subscriber connection's errors.
   * @default ignore
   */
  onError?: (error: unknown, context: string) => void;
}

/** Defaults of {@link RedisPresenceStoreOptions}. */
export const redisPresenceStoreDefaults = Object.freeze({
  keyPrefix: 'mmo:',
  sweepIntervalMs: 1000,
  sweepBatchSize: 500,
});

/** Users per refresh script call, so one call never blocks Redis for long. */
const REFRESH_CHUNK = 500;
/** Keys per MGET. */
const GET_CHUNK = 500;

// Redis server time in ms; scripts use it so that every node's deadlines share one clock.
const NOW = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// KEYS: record, deadlines. ARGV: userId, record json, ttlMs, channel, change json.
const SET = `${NOW}
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[3]), ARGV[1])
redis.call('PUBLISH', ARGV[4], ARGV[5])
return 1`;

// KEYS: record, deadlines. ARGV: userId, owner node ('' = any), channel, change json.
const DELETE = `
local v = redis.call('GET', KEYS[1])
if not v then return 0 end
if ARGV[2] ~= '' then
  local ok, r = pcall(cjson.decode, v)
  if not ok or type(r) ~= 'table' or r['n'] ~= ARGV[2] then return 0 end
end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1`;

// KEYS: deadlines, record 1..n. ARGV: node, ttlMs, userId 1..n. Returns users with no record.
const REFRESH = `${NOW}
local ttl = tonumber(ARGV[2])
local missing = {}
for i = 2, #KEYS do
  local id = ARGV[i + 1]
  local v = redis.call('GET', KEYS[i])
  if not v then
    missing[#missing + 1] = id
  else
    local ok, r = pcall(cjson.decode, v)
    if ok and type(r) == 'table' and r['n'] == ARGV[1] then
      redis.call('PEXPIRE', KEYS[i], ttl)
      redis.call('ZADD', KEYS[1], now + ttl, id)
    end
  end
end
return missing`;

// KEYS: deadlines. ARGV: record key prefix, batch size, channel. Users whose deadline passed and
// whose record is gone are removed and announced in the same script, so exactly one node announces
// each; a record that is still there (refreshed in between) gets its deadline corrected.
const SWEEP = `${NOW}
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[2]))
local announced = 0
for i = 1, #due, 2 do
  local id = due[i]
  local pttl = redis.call('PTTL', ARGV[1] .. id)
  if pttl == -2 then
    redis.call('ZREM', KEYS[1], id)
    redis.call('PUBLISH', ARGV[3], '{"k":"expire","u":' .. cjson.encode(id) ..
      ',"r":{"s":"offline","z":"","m":"","n":"","l":' .. string.format('%d', tonumber(due[i + 1])) .. '}}')
    announced = announced + 1
  elseif pttl == -1 then
    redis.call('ZREM', KEYS[1], id)
  else
    redis.call('ZADD', KEYS[1], now + pttl, id)
  end
end
return {announced, #due / 2}`;

interface ScriptedRedis extends Redis {
  mmoPresenceSet(record: string, deadlines: string, userId: string, json: string, ttlMs: number, channel: string, change: string): Promise<number>;
  mmoPresenceDelete(record: string, deadlines: string, userId: string, nodeId: string, channel: string, change: string): Promise<number>;
  mmoPresenceRefresh(numKeys: number, ...args: Array<string | number>): Promise<string[]>;
  mmoPresenceSweep(deadlines: string, recordPrefix: string, batch: number, channel: string): Promise<[number, number]>;
}

/** The stored JSON of a record: short field names, one string per user. */
interface WireRecord {
  s: string;
  z: string;
  m: string;
  n: string;
  l: number;
}

/**
 * Presence in Redis for several gateway nodes. A user is one string key
 * `${keyPrefix}presence:u:${userId}` (JSON, with the time to live as its Redis expiry); a sorted set
 * `${keyPrefix}presence:deadlines` holds each user's expiry deadline (Redis server time, ms); changes
 * go out on the pub/sub `channel` from inside the script that makes them. Expiry does not rely on
 * keyspace notifications: every node sweeps the deadline set on its clock. Takes an existing
 * ioredis client and never quits it.
 * @example
 * const redis = new Redis(process.env.MMO_REDIS_URL ?? 'redis://127.0.0.1:6379');
 * const store = new RedisPresenceStore(redis, { keyPrefix: 'game1:' });
 * await store.ready();
 */
export class RedisPresenceStore implements PresenceStore {
  private readonly redis: ScriptedRedis;
  private readonly subscriber: Redis;
  private readonly ownsSubscriber: boolean;
  private readonly prefix: string;
  private readonly deadlinesKey: string;
  /** Record key prefix as Redis sees it (the client's own `keyPrefix` included), for the sweep. */
  private readonly sweepRecordPrefix: string;
  private readonly channel: string;
  private readonly clock: Clock;
  private readonly sweepIntervalMs: number;
  private readonly sweepBatchSize: number;
  private readonly onError: (error: unknown, context: string) => void;
  private readonly listeners = new Set<PresenceChangeListener>();
  private readonly onMessage: (channel: string, message: string) => void;
  private readonly subscribed: Promise<void>;
  private isSubscribed = false;
  private sweepFailing = false;
  private sweepTimer: TimerHandle | undefined;
  private sweeping: Promise<void> | undefined;
  private closed = false;

  constructor(redis: Redis, options: RedisPresenceStoreOptions = {}) {
    this.prefix = options.keyPrefix ?? redisPresenceStoreDefaults.keyPrefix;
    this.channel = options.channel ?? `${this.prefix}presence:changes`;
    this.clock = options.clock ?? systemClock;
    this.sweepIntervalMs = options.sweepIntervalMs ?? redisPresenceStoreDefaults.sweepIntervalMs;
    this.sweepBatchSize = options.sweepBatchSize ?? redisPresenceStoreDefaults.sweepBatchSize;
    if (!(this.sweepIntervalMs > 0)) throw new RangeError('sweepIntervalMs must be a positive number of ms');
    if (!Number.isInteger(this.sweepBatchSize) || this.sweepBatchSize < 1) throw new RangeError('sweepBatchSize must be a positive integer');
    this.onError = options.onError ?? (() => {});
    this.deadlinesKey = `${this.prefix}presence:deadlines`;
    this.sweepRecordPrefix = `${redis.options.keyPrefix ?? ''}${this.prefix}presence:u:`;

    const r = redis as ScriptedRedis;
    // defineCommand is idempotent per client; EVALSHA with EVAL fallback survives a Redis restart.
    if (typeof r.mmoPresenceSet !== 'function') {
      r.defineCommand('mmoPresenceSet', { numberOfKeys: 2, lua: SET });
      r.defineCommand('mmoPresenceDelete', { numberOfKeys: 2, lua: DELETE });
      r.defineCommand('mmoPresenceRefresh', { lua: REFRESH });
      r.defineCommand('mmoPresenceSweep', { numberOfKeys: 1, lua: SWEEP });
    }
    this.redis = r;

    this.ownsSubscriber = options.subscriber === undefined;
    this.subscriber = options.subscriber ?? redis.duplicate();
    if (this.ownsSubscriber) this.subscriber.on('error', (error: unknown) => this.onError(error, 'presence subscriber connection'));
    this.onMessage = (channel, message) => {
      if (channel === this.channel) this.receive(message);
    };
    this.subscriber.on('message', this.onMessage);
    this.subscribed = this.subscriber.subscribe(this.channel).then(() => {
      this.isSubscribed = true;
    });
    // Callers see a failure through ready(); nothing else may be left unhandled.
    this.subscribed.catch((error: unknown) => this.onError(error, 'presence subscribe'));
    this.armSweep();
  }

  private recordKey(userId: string): string {
    return `${this.prefix}presence:u:${userId}`;
  }

  async set(userId: string, record: PresenceRecord, ttlMs: number): Promise<void> {
    const change = JSON.stringify({ k: 'set', u: userId, r: toWire(record) });
    await this.redis.mmoPresenceSet(this.recordKey(userId), this.deadlinesKey, userId, JSON.stringify(toWire(record)), wholeMs(ttlMs), this.channel, change);
  }

  async get(userIds: readonly string[]): Promise<Map<string, PresenceRecord>> {
    const out = new Map<string, PresenceRecord>();
    for (let i = 0; i < userIds.length; i += GET_CHUNK) {
      const ids = userIds.slice(i, i + GET_CHUNK);
      const values = await this.redis.mget(ids.map((id) => this.recordKey(id)));
      ids.forEach((id, j) => {
        const record = parseRecord(values[j]);
        if (record !== undefined) out.set(id, record);
      });
    }
    return out;
  }

  async delete(userId: string, options: PresenceDeleteOptions = {}): Promise<boolean> {
    const change = JSON.stringify({ k: 'delete', u: userId, r: toWire(offlineRecord(options.lastSeenMs ?? this.clock.now())) });
    const removed = await this.redis.mmoPresenceDelete(this.recordKey(userId), this.deadlinesKey, userId, options.nodeId ?? '', this.channel, change);
    return removed === 1;
  }

  async refresh(nodeId: string, userIds: readonly string[], ttlMs: number): Promise<string[]> {
    const missing: string[] = [];
    for (let i = 0; i < userIds.length; i += REFRESH_CHUNK) {
      const ids = userIds.slice(i, i + REFRESH_CHUNK);
      const keys = [this.deadlinesKey, ...ids.map((id) => this.recordKey(id))];
      missing.push(...(await this.redis.mmoPresenceRefresh(keys.length, ...keys, nodeId, wholeMs(ttlMs), ...ids)));
    }
    return missing;
  }

  subscribe(listener: PresenceChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  ready(): Promise<void> {
    return this.subscribed;
  }

  isHealthy(): boolean {
    return !this.closed && this.isSubscribed && !this.sweepFailing && this.redis.status === 'ready' && this.subscriber.status === 'ready';
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sweepTimer !== undefined) this.clock.clearTimeout(this.sweepTimer);
    this.sweepTimer = undefined;
    this.listeners.clear();
    await this.sweeping;
    this.subscriber.off('message', this.onMessage);
    try {
      if (this.ownsSubscriber) await this.subscriber.quit();
      else await this.subscriber.unsubscribe(this.channel);
    } catch {
      if (this.ownsSubscriber) this.subscriber.disconnect();
    }
  }

  private armSweep(delayMs = this.sweepIntervalMs): void {
    if (this.closed) return;
    this.sweepTimer = this.clock.setTimeout(() => {
      this.sweepTimer = undefined;
      this.sweeping = this.sweep().finally(() => {
        this.sweeping = undefined;
      });
    }, delayMs);
  }

  private async sweep(): Promise<void> {
    let full = false;
    try {
      const [, seen] = await this.redis.mmoPresenceSweep(this.deadlinesKey, this.sweepRecordPrefix, this.sweepBatchSize, this.channel);
      this.sweepFailing = false;
      full = seen >= this.sweepBatchSize;
    } catch (error) {
      if (!this.sweepFailing) this.onError(error, 'presence sweep');
      this.sweepFailing = true;
    }
    // A full batch means more are due: go again at once instead of waiting a whole interval.
    this.armSweep(full ? 0 : this.sweepIntervalMs);
  }

  private receive(message: string): void {
    const change = parseChange(message);
    if (change === undefined) {
      this.onError(new Error(`malformed presence change on ${this.channel}`), 'presence feed');
      return;
    }
    for (const listener of [...this.listeners]) {
      try {
        listener({ userId: change.userId, record: { ...change.record }, reason: change.reason });
      } catch (error) {
        this.onError(error, 'presence feed listener');
      }
    }
  }
}

function wholeMs(ttlMs: number): number {
  if (!(ttlMs > 0) || !Number.isFinite(ttlMs)) throw new RangeError(`ttlMs must be a positive number of ms, got ${ttlMs}`);
  return Math.ceil(ttlMs);
}

function toWire(r: PresenceRecord): WireRecord {
  return { s: r.status, z: r.zoneId, m: r.statusMessage, n: r.nodeId, l: r.lastSeenMs };
}

function fromWire(value: unknown): PresenceRecord | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const w = value as Partial<Record<keyof WireRecord, unknown>>;
  if (!isPresenceStatus(w.s) || typeof w.z !== 'string' || typeof w.m !== 'string' || typeof w.n !== 'string') return undefined;
  if (typeof w.l !== 'number' || !Number.isFinite(w.l)) return undefined;
  return { status: w.s, zoneId: w.z, statusMessage: w.m, nodeId: w.n, lastSeenMs: w.l };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function parseRecord(text: string | null | undefined): PresenceRecord | undefined {
  return typeof text === 'string' ? fromWire(parseJson(text)) : undefined;
}

const REASONS: ReadonlySet<string> = new Set<PresenceChangeReason>(['set', 'delete', 'expire']);

function parseChange(text: string): PresenceChange | undefined {
  const v = parseJson(text) as { k?: unknown; u?: unknown; r?: unknown } | undefined;
  if (typeof v !== 'object' || v === null) return undefined;
  if (typeof v.k !== 'string' || !REASONS.has(v.k) || typeof v.u !== 'string') return undefined;
  const record = fromWire(v.r);
  return record === undefined ? undefined : { userId: v.u, record, reason: v.k as PresenceChangeReason };
}
