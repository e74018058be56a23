import type { Redis } from 'ioredis';
import { type NodeInfo, type NodeMember, type NodeRegistry, parseNodeMember, toNodeMember } from './node-registry.js';

/** Options of {@link RedisNodeRegistry}. */
export interface RedisNodeRegistryOptions {
  /**
   * Key prefix, so several games or environments can share one Redis.
   * @default 'mmo:'
   */
  keyPrefix?: string;
}

// Lists live members and forgets the ids whose record expired, in one step (so a heartbeat cannot
// slip between the read and the clean-up). KEYS[1] = the id index; ARGV[1] = record key prefix.
const MEMBERS = `
local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
local out = {}
for _, id in ipairs(ids) do
  local v = redis.call('GET', ARGV[1] .. id)
  if v then out[#out + 1] = v else redis.call('ZREM', KEYS[1], id) end
end
return out`;

interface ScriptedRedis extends Redis {
  mmoNodeMembers(index: string, recordPrefix: string): Promise<string[]>;
}

/**
 * Membership in Redis: one string key per node (`<prefix>node:<id>`, JSON, PX = the heartbeat's
 * time to live) and a sorted set of ids (`<prefix>nodes`) so listing needs no SCAN. Takes an
 * existing ioredis client and never quits it. Uses keys not named in KEYS: standalone Redis (or a
 * cluster with the prefix in a hash tag, e.g. `{mmo}:`).
 */
export class RedisNodeRegistry implements NodeRegistry {
  private readonly redis: ScriptedRedis;
  private readonly indexKey: string;
  private readonly recordPrefix: string;

  constructor(redis: Redis, options: RedisNodeRegistryOptions = {}) {
    const prefix = options.keyPrefix ?? 'mmo:';
    this.indexKey = `${prefix}nodes`;
    this.recordPrefix = `${prefix}node:`;
    const r = redis as ScriptedRedis;
    if (typeof r.mmoNodeMembers !== 'function') r.defineCommand('mmoNodeMembers', { numberOfKeys: 1, lua: MEMBERS });
    this.redis = r;
  }

  async heartbeat(info: NodeInfo, heartbeatAt: number, ttlMs: number): Promise<void> {
    const results = await this.redis
      .multi()
      .set(this.recordPrefix + info.nodeId, JSON.stringify(toNodeMember(info, heartbeatAt)), 'PX', Math.max(1, Math.round(ttlMs)))
      .zadd(this.indexKey, 0, info.nodeId)
      .exec();
    const failed = results?.find(([error]) => error !== null);
    if (failed !== undefined) throw failed[0];
  }

  async remove(nodeId: string): Promise<void> {
    await this.redis.multi().del(this.recordPrefix + nodeId).zrem(this.indexKey, nodeId).exec();
  }

  async members(): Promise<NodeMember[]> {
    const rows = await this.redis.mmoNodeMembers(this.indexKey, this.recordPrefix);
    const members: NodeMember[] = [];
    for (const row of rows) {
      const m = parseNodeMember(row);
      if (m !== undefined) members.push(m);
    }
    return members.sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));
  }
}
