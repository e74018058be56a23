import type { Redis } from 'ioredis';
import { type ZoneLease, type ZoneLeases, type ZoneLeaseState, leaseTtl } from './zone-leases.js';

/** Options of {@link RedisZoneLeases}. */
export interface RedisZoneLeasesOptions {
  /**
   * Key prefix, so several games or environments can share one Redis.
   * @default 'mmo:'
   */
  keyPrefix?: string;
}

// Lease value: "<token>:<nodeId>". KEYS[1] = lease, KEYS[2] = fencing counter; ARGV = nodeId, ttlMs.
// Free: a new token from the counter, then SET NX PX. Held by the same node: extend, same token.
// The counter is seeded from Redis' clock in ms the first time (and after a Redis restart that
// lost it), so tokens keep increasing across restarts as long as a zone changes hands less than
// once per millisecond on average.
const ACQUIRE = `
local cur = redis.call('GET', KEYS[1])
if cur then
  local token, owner = string.match(cur, '^(%d+):(.*)$')
  if owner == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return {1, token}
  end
  return {0, token or '0'}
end
if redis.call('EXISTS', KEYS[2]) == 0 then
  local t = redis.call('TIME')
  redis.call('SET', KEYS[2], string.format('%.0f', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)))
end
redis.call('INCR', KEYS[2])
local token = redis.call('GET', KEYS[2])
if not redis.call('SET', KEYS[1], token .. ':' .. ARGV[1], 'NX', 'PX', ARGV[2]) then return {0, '0'} end
return {1, token}`;

// Compare-and-renew: only the exact lease (token and node) is extended.
const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0`;

// Compare-and-delete: only the exact lease is released.
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0`;

interface ScriptedRedis extends Redis {
  mmoLeaseAcquire(lease: string, fence: string, nodeId: string, ttlMs: number): Promise<[number, string]>;
  mmoLeaseRenew(lease: string, value: string, ttlMs: number): Promise<number>;
  mmoLeaseRelease(lease: string, value: string): Promise<number>;
}

function leaseValue(lease: ZoneLease): string {
  return `${lease.token}:${lease.nodeId}`;
}

/**
 * Zone leases in Redis: `<prefix>zone:<id>:lease` = "<token>:<nodeId>" with PX = the lease's time to
 * live, and `<prefix>zone:<id>:fence`, the zone's token counter (no expiry, one per zone). Lua
 * scripts make every check-and-write atomic. Takes an existing ioredis client and never quits it.
 */
export class RedisZoneLeases implements ZoneLeases {
  private readonly redis: ScriptedRedis;
  private readonly prefix: string;

  constructor(redis: Redis, options: RedisZoneLeasesOptions = {}) {
    this.prefix = `${options.keyPrefix ?? 'mmo:'}zone:`;
    const r = redis as ScriptedRedis;
    // defineCommand is idempotent per client; EVALSHA with EVAL fallback survives a Redis restart.
    if (typeof r.mmoLeaseAcquire !== 'function') {
      r.defineCommand('mmoLeaseAcquire', { numberOfKeys: 2, lua: ACQUIRE });
      r.defineCommand('mmoLeaseRenew', { numberOfKeys: 1, lua: RENEW });
      r.defineCommand('mmoLeaseRelease', { numberOfKeys: 1, lua: RELEASE });
    }
    this.redis = r;
  }

  private leaseKey(zoneId: string): string {
    return `${this.prefix}${zoneId}:lease`;
  }

  async acquire(zoneId: string, nodeId: string, ttlMs: number): Promise<ZoneLease | undefined> {
    const [ok, token] = await this.redis.mmoLeaseAcquire(this.leaseKey(zoneId), `${this.prefix}${zoneId}:fence`, nodeId, leaseTtl(ttlMs));
    return ok === 1 ? { zoneId, nodeId, token: Number(token) } : undefined;
  }

  async renew(lease: ZoneLease, ttlMs: number): Promise<boolean> {
    return (await this.redis.mmoLeaseRenew(this.leaseKey(lease.zoneId), leaseValue(lease), leaseTtl(ttlMs))) === 1;
  }

  async release(lease: ZoneLease): Promise<boolean> {
    return (await this.redis.mmoLeaseRelease(this.leaseKey(lease.zoneId), leaseValue(lease))) === 1;
  }

  async owner(zoneId: string): Promise<ZoneLeaseState | undefined> {
    const key = this.leaseKey(zoneId);
    const results = await this.redis.multi().get(key).pttl(key).exec();
    const value = results?.[0]?.[1];
    const pttl = results?.[1]?.[1];
    if (typeof value !== 'string') return undefined;
    const match = /^(\d+):(.*)$/s.exec(value);
    if (match === null) return undefined;
    return { zoneId, nodeId: match[2]!, token: Number(match[1]), remainingMs: typeof pttl === 'number' && pttl > 0 ? pttl : 0 };
  }
}
