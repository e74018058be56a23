import type { Redis } from 'ioredis';
import type { ClaimResult, SessionStore, StoredOutboxEntry, StoredSession } from './session-store.js';

/** Options of {@link RedisSessionStore}. */
export interface RedisSessionStoreOptions {
  /**
   * Key prefix, so several games or environments can share one Redis.
   * @default 'mmo:'
   */
  keyPrefix?: string;
}

// Appends one frame to the session's outbox stream (entry id = "<sequence>-1", so Redis itself
// refuses a sequence that does not increase) and advances nextOut, only if the session exists.
const APPEND = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('XADD', KEYS[2], ARGV[1] .. '-1', 'f', ARGV[2])
redis.call('HSET', KEYS[1], 'nextOut', tonumber(ARGV[1]) + 1)
local ttl = redis.call('PTTL', KEYS[1])
if ttl > 0 then redis.call('PEXPIRE', KEYS[2], ttl) end
return 1`;

// Records the peer's cumulative ack and trims everything it covers from the outbox stream.
const ACK = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local cur = tonumber(redis.call('HGET', KEYS[1], 'peerAck') or '0')
local ack = tonumber(ARGV[1])
if ack > cur then
  redis.call('HSET', KEYS[1], 'peerAck', ack)
  redis.call('XTRIM', KEYS[2], 'MINID', (ack + 1) .. '-0')
end
return 1`;

// Single-use resume: swap the nonce only if it is still the expected one.
const CLAIM = `
local nonce = redis.call('HGET', KEYS[1], 'nonce')
if not nonce then return 2 end
local prev = redis.call('HGET', KEYS[1], 'prevNonce') or ''
if ARGV[1] == nonce then
  redis.call('HSET', KEYS[1], 'prevNonce', nonce)
elseif prev == '' or ARGV[1] ~= prev then
  return 0
end
redis.call('HSET', KEYS[1], 'nonce', ARGV[2], 'owner', ARGV[3])
return 1`;

const MAX_IN_ACK = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local cur = tonumber(redis.call('HGET', KEYS[1], 'inAck') or '0')
if tonumber(ARGV[1]) > cur then redis.call('HSET', KEYS[1], 'inAck', ARGV[1]) end
return 1`;

const SET_OWNER = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], 'owner', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
return 1`;

interface ScriptedRedis extends Redis {
  mmoAppend(k1: string, k2: string, seq: number, frame: Buffer): Promise<number>;
  mmoAck(k1: string, k2: string, ack: number): Promise<number>;
  mmoClaim(k1: string, expected: string, next: string, owner: string): Promise<number>;
  mmoInAck(k1: string, ack: number): Promise<number>;
  mmoSetOwner(k1: string, k2: string, owner: string, ttlMs: number): Promise<number>;
}

/**
 * Sessions in Redis, so a client can resume on any gateway node: a hash per session and a Redis
 * stream per outbox (entry ids are the sequences; acknowledged entries are trimmed, never dropped
 * before that). Takes an existing ioredis client and never quits it.
 */
export class RedisSessionStore implements SessionStore {
  private readonly redis: ScriptedRedis;
  private readonly prefix: string;

  constructor(redis: Redis, options: RedisSessionStoreOptions = {}) {
    this.prefix = options.keyPrefix ?? 'mmo:';
    const r = redis as ScriptedRedis;
    // defineCommand is idempotent per client; EVALSHA with EVAL fallback survives a Redis restart.
    if (typeof r.mmoAppend !== 'function') {
      r.defineCommand('mmoAppend', { numberOfKeys: 2, lua: APPEND });
      r.defineCommand('mmoAck', { numberOfKeys: 2, lua: ACK });
      r.defineCommand('mmoClaim', { numberOfKeys: 1, lua: CLAIM });
      r.defineCommand('mmoInAck', { numberOfKeys: 1, lua: MAX_IN_ACK });
      r.defineCommand('mmoSetOwner', { numberOfKeys: 2, lua: SET_OWNER });
    }
    this.redis = r;
  }

  private key(id: string): string {
    return `${this.prefix}s:${id}`;
  }

  private outKey(id: string): string {
    return `${this.prefix}s:${id}:out`;
  }

  async save(session: StoredSession, ttlMs: number): Promise<void> {
    const key = this.key(session.id);
    await this.redis
      .multi()
      .del(key)
      .hset(key, this.fields(session))
      .pexpire(key, ttlMs)
      .exec();
  }

  async replace(session: StoredSession, outbox: readonly StoredOutboxEntry[], ttlMs: number): Promise<void> {
    const key = this.key(session.id);
    const outKey = this.outKey(session.id);
    const tx = this.redis.multi().del(key, outKey).hset(key, this.fields(session)).pexpire(key, ttlMs);
    for (const e of outbox) tx.xadd(outKey, `${e.sequence}-1`, 'f', Buffer.from(e.frame.buffer, e.frame.byteOffset, e.frame.byteLength));
    if (outbox.length > 0) tx.pexpire(outKey, ttlMs);
    const results = await tx.exec();
    const failed = results?.find(([error]) => error !== null);
    if (failed !== undefined) throw failed[0];
  }

  private fields(session: StoredSession): Record<string, string> {
    return {
      userId: session.userId,
      createdAtMs: String(session.createdAtMs),
      nonce: session.nonce,
      prevNonce: session.previousNonce,
      nextOut: String(session.nextOutSequence),
      peerAck: String(session.peerAck),
      inAck: String(session.inboundAck),
      owner: session.ownerNode,
      data: JSON.stringify(session.data),
    };
  }

  async load(sessionId: string): Promise<StoredSession | undefined> {
    const h = await this.redis.hgetall(this.key(sessionId));
    if (h['userId'] === undefined) return undefined;
    let data: Record<string, unknown> = {};
    try {
      data = JSON.parse(h['data'] ?? '{}') as Record<string, unknown>;
    } catch {
      data = {};
    }
    return {
      id: sessionId,
      userId: h['userId'],
      createdAtMs: Number(h['createdAtMs'] ?? 0),
      nonce: h['nonce'] ?? '',
      previousNonce: h['prevNonce'] ?? '',
      nextOutSequence: Number(h['nextOut'] ?? 1),
      peerAck: Number(h['peerAck'] ?? 0),
      inboundAck: Number(h['inAck'] ?? 0),
      ownerNode: h['owner'] ?? '',
      data,
    };
  }

  async appendOutbox(sessionId: string, entry: StoredOutboxEntry): Promise<void> {
    const frame = Buffer.from(entry.frame.buffer, entry.frame.byteOffset, entry.frame.byteLength);
    await this.redis.mmoAppend(this.key(sessionId), this.outKey(sessionId), entry.sequence, frame);
  }

  async ackOutbox(sessionId: string, peerAck: number): Promise<void> {
    await this.redis.mmoAck(this.key(sessionId), this.outKey(sessionId), peerAck);
  }

  async readOutbox(sessionId: string, afterSequence: number): Promise<StoredOutboxEntry[]> {
    const rows = await this.redis.xrangeBuffer(this.outKey(sessionId), `${afterSequence + 1}-0`, '+');
    return rows.map(([id, fields]) => {
      const sequence = Number(id.toString().split('-')[0]);
      const frame = fields[1] as Buffer;
      return { sequence, frame: new Uint8Array(frame.buffer, frame.byteOffset, frame.byteLength) };
    });
  }

  async setInboundAck(sessionId: string, inboundAck: number): Promise<void> {
    await this.redis.mmoInAck(this.key(sessionId), inboundAck);
  }

  async claim(sessionId: string, expectedNonce: string, newNonce: string, ownerNode: string): Promise<ClaimResult> {
    const result = await this.redis.mmoClaim(this.key(sessionId), expectedNonce, newNonce, ownerNode);
    return result === 1 ? 'claimed' : result === 2 ? 'missing' : 'conflict';
  }

  async setOwner(sessionId: string, ownerNode: string, ttlMs: number): Promise<void> {
    await this.redis.mmoSetOwner(this.key(sessionId), this.outKey(sessionId), ownerNode, ttlMs);
  }

  async confirmNonce(sessionId: string): Promise<void> {
    await this.redis.hset(this.key(sessionId), 'prevNonce', '');
  }

  async setData(sessionId: string, data: Record<string, unknown>): Promise<void> {
    await this.redis.hset(this.key(sessionId), 'data', JSON.stringify(data));
  }

  async delete(sessionId: string): Promise<void> {
    await this.redis.del(this.key(sessionId), this.outKey(sessionId));
  }

  async close(): Promise<void> {
    // The client belongs to the caller.
  }
}
