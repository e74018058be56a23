import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { Zone } from '../sync/zone.js';
import { HostedZonePlacements, RedisZonePlacements, type ZonePlacement } from './zone-placements.js';

const REDIS_URL = process.env['MMO_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const logger = pino({ level: 'silent' });
const at = (x: number, y: number, z: number): ZonePlacement => ({ position: { x, y, z }, rotation: { x: 0, y: 0.7071, z: 0, w: 0.7071 } });

describe('RedisZonePlacements', () => {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  afterAll(() => redis.quit());

  it('rewrites one key per zone with a TTL and reads it back, skipping malformed entries', async () => {
    const keyPrefix = `test:${randomUUID().slice(0, 8)}:`;
    const store = new RedisZonePlacements(redis, { keyPrefix, ttlMs: 4_000 });
    expect(await store.load('forest')).toEqual(new Map());
    await store.save('forest', new Map([['s1', at(1.23456, 2, 3)], ['s2', at(4, 5, 6)]]));
    await store.save('forest', new Map([['s1', at(1.23456, 2, 3)]]));
    const loaded = await store.load('forest');
    expect([...loaded.keys()]).toEqual(['s1']);
    expect(loaded.get('s1')).toEqual({ position: { x: 1.235, y: 2, z: 3 }, rotation: { x: 0, y: 0.7071, z: 0, w: 0.7071 } });
    const ttl = await redis.pttl(`${keyPrefix}zone:forest:placements`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(4_000);

    await redis.set(`${keyPrefix}zone:forest:placements`, JSON.stringify({ good: [1, 2, 3, 0, 0, 0, 1], short: [1, 2], text: 'x' }), 'PX', 1_000);
    expect([...(await store.load('forest')).keys()]).toEqual(['good']);
    await redis.set(`${keyPrefix}zone:forest:placements`, 'not json', 'PX', 1_000);
    expect(await store.load('forest')).toEqual(new Map());
  });
});

describe('HostedZonePlacements', () => {
  it('places players created before and after the record arrived; the validator measures the next input from there', () => {
    const zone = new Zone({ id: 'z', tickIntervalMs: 50, logger });
    const placements = new HostedZonePlacements(zone, 0, 10_000);
    const early = zone.joinPlayer('early', 'se');
    placements.created('se');
    expect(early.motion.position).toEqual({ x: 0, y: 0, z: 0 });
    placements.loadedWith(new Map([['se', at(20, 0, 30)], ['sl', at(-5, 0, 8)], ['gone', at(1, 1, 1)]]));
    expect(early.motion.position).toEqual({ x: 20, y: 0, z: 30 });
    expect(early.motion.rotation).toEqual({ x: 0, y: 0.7071, z: 0, w: 0.7071 });
    const late = zone.joinPlayer('late', 'sl');
    placements.created('sl');
    expect(late.motion.position).toEqual({ x: -5, y: 0, z: 8 });

    // A step of 0.25 from the stored place is accepted (measured from there, not from the spawn point).
    zone.queueInput(early, { inputTick: 1, position: { x: 20, y: 0, z: 30.25 }, rotation: undefined, velocity: undefined, clientTimeMs: 50, flags: 0, receivedAtMs: 50 });
    zone.step(1, 50);
    expect(early.motion.position.z).toBeCloseTo(30.25);
  });

  it('saves the zone’s players and unclaimed stored ones within the keep window; a player who left is not carried', () => {
    const zone = new Zone({ id: 'z', tickIntervalMs: 50, logger });
    const placements = new HostedZonePlacements(zone, 1_000, 5_000);
    placements.loadedWith(new Map([['back', at(1, 0, 1)], ['away', at(2, 0, 2)], ['quit', at(3, 0, 3)]]));
    zone.joinPlayer('back', 'back');
    placements.created('back');
    placements.left('quit');
    zone.joinPlayer('new', 'new');
    placements.created('new');
    expect([...placements.snapshot(['back', 'new'], 2_000).keys()].sort()).toEqual(['away', 'back', 'new']);
    expect(placements.snapshot(['back', 'new'], 2_000).get('back')?.position).toEqual({ x: 1, y: 0, z: 1 });
    expect([...placements.snapshot(['back', 'new'], 6_000).keys()].sort()).toEqual(['back', 'new']);
  });
});
