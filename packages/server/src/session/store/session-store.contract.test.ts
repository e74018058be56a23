import { randomUUID } from 'node:crypto';
import { ManualClock } from '@mmo/protocol';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { MemorySessionStore } from './memory-session-store.js';
import { RedisSessionStore } from './redis-session-store.js';
import type { SessionStore, StoredSession } from './session-store.js';

const REDIS_URL = process.env['MMO_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const redis = new Redis(REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 2 });
afterAll(async () => {
  await redis.quit();
});

const backends: Array<[string, () => SessionStore]> = [
  ['memory', () => new MemorySessionStore(new ManualClock(0))],
  ['redis', () => new RedisSessionStore(redis, { keyPrefix: `mmo-test:${randomUUID()}:` })],
];

function record(id: string): StoredSession {
  return { id, userId: 'u1', createdAtMs: 5, nonce: 'n1', previousNonce: '', nextOutSequence: 1, peerAck: 0, inboundAck: 0, ownerNode: 'node-a', data: { a: 1 } };
}
const frame = (n: number) => Uint8Array.of(0x4d, 0x4d, 0, 1, 0, 0, 0, 1, n);

describe.each(backends)('SessionStore contract: %s', (_name, make) => {
  it('saves and loads a session', async () => {
    const store = make();
    await store.save(record('s1'), 60_000);
    expect(await store.load('s1')).toEqual(record('s1'));
    expect(await store.load('missing')).toBeUndefined();
  });

  it('keeps outbox frames in sequence order until acknowledged, byte for byte', async () => {
    const store = make();
    await store.save(record('s2'), 60_000);
    for (let s = 1; s <= 5; s++) await store.appendOutbox('s2', { sequence: s, frame: frame(s) });
    expect((await store.load('s2'))?.nextOutSequence).toBe(6);
    await store.ackOutbox('s2', 2);
    const left = await store.readOutbox('s2', 0);
    expect(left.map((e) => e.sequence)).toEqual([3, 4, 5]);
    expect([...left[0]!.frame]).toEqual([...frame(3)]);
    expect((await store.readOutbox('s2', 4)).map((e) => e.sequence)).toEqual([5]);
    expect((await store.load('s2'))?.peerAck).toBe(2);
    await store.ackOutbox('s2', 1); // an older ack changes nothing
    expect((await store.readOutbox('s2', 0)).map((e) => e.sequence)).toEqual([3, 4, 5]);
  });

  it('refuses a sequence that does not increase', async () => {
    const store = make();
    await store.save(record('s3'), 60_000);
    await store.appendOutbox('s3', { sequence: 4, frame: frame(4) });
    await expect(store.appendOutbox('s3', { sequence: 4, frame: frame(4) })).rejects.toThrow();
  });

  it('claims with the current nonce, honours the unconfirmed previous one, and refuses spent ones', async () => {
    const store = make();
    await store.save(record('s4'), 60_000);
    expect(await store.claim('s4', 'n1', 'n2', 'b')).toBe('claimed');
    expect(await store.load('s4')).toMatchObject({ nonce: 'n2', previousNonce: 'n1', ownerNode: 'b' });
    // The client never got n2 (its connection died): n1 still works, once more.
    expect(await store.claim('s4', 'n1', 'n3', 'c')).toBe('claimed');
    expect(await store.load('s4')).toMatchObject({ nonce: 'n3', previousNonce: 'n1' });
    await store.confirmNonce('s4');
    expect(await store.claim('s4', 'n1', 'n4', 'd')).toBe('conflict');
    expect(await store.claim('s4', 'n2', 'n4', 'd')).toBe('conflict');
    expect(await store.claim('s4', 'n3', 'n4', 'd')).toBe('claimed');
    expect(await store.claim('missing', 'n1', 'n2', 'b')).toBe('missing');
  });

  it('records acks monotonically, owner, data, and deletes', async () => {
    const store = make();
    await store.save(record('s5'), 60_000);
    await store.setInboundAck('s5', 7);
    await store.setInboundAck('s5', 3);
    await store.setOwner('s5', '', 30_000);
    await store.setData('s5', { b: [1, 2] });
    expect(await store.load('s5')).toMatchObject({ inboundAck: 7, ownerNode: '', data: { b: [1, 2] } });
    await store.delete('s5');
    expect(await store.load('s5')).toBeUndefined();
    expect(await store.readOutbox('s5', 0)).toEqual([]);
  });

  it('replaces a record and its whole outbox (after a store restart lost them)', async () => {
    const store = make();
    await store.save(record('s6'), 60_000);
    await store.appendOutbox('s6', { sequence: 1, frame: frame(1) });
    await store.replace({ ...record('s6'), nextOutSequence: 9, peerAck: 6 }, [{ sequence: 7, frame: frame(7) }, { sequence: 8, frame: frame(8) }], 60_000);
    expect((await store.readOutbox('s6', 0)).map((e) => e.sequence)).toEqual([7, 8]);
    expect(await store.load('s6')).toMatchObject({ nextOutSequence: 9, peerAck: 6 });
    await store.appendOutbox('s6', { sequence: 9, frame: frame(9) });
    expect((await store.readOutbox('s6', 8)).map((e) => e.sequence)).toEqual([9]);
  });

  it('does not resurrect an unknown session through appends or acks', async () => {
    const store = make();
    await store.appendOutbox('ghost', { sequence: 1, frame: frame(1) });
    await store.ackOutbox('ghost', 1);
    await store.setInboundAck('ghost', 1);
    expect(await store.load('ghost')).toBeUndefined();
    expect(await store.readOutbox('ghost', 0)).toEqual([]);
  });
});

describe('SessionStore expiry', () => {
  it('memory: a session expires after its time to live on the injected clock', async () => {
    const clock = new ManualClock(0);
    const store = new MemorySessionStore(clock);
    await store.save(record('e1'), 1_000);
    clock.advance(999);
    expect(await store.load('e1')).toBeDefined();
    clock.advance(1);
    expect(await store.load('e1')).toBeUndefined();
  });

  it('redis: a session and its outbox carry the time to live', async () => {
    const prefix = `mmo-test:${randomUUID()}:`;
    const store = new RedisSessionStore(redis, { keyPrefix: prefix });
    await store.save(record('e2'), 5_000);
    await store.appendOutbox('e2', { sequence: 1, frame: frame(1) });
    const ttl = await redis.pttl(`${prefix}s:e2:out`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5_000);
    await store.setOwner('e2', '', 200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await store.load('e2')).toBeUndefined();
    expect(await redis.exists(`${prefix}s:e2:out`)).toBe(0);
  });
});
