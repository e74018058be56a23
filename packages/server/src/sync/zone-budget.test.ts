// The per-client byte budget and its priority accumulator, records shared between clients, and the
// state-sync metrics that count what the budget and the backlog rule held back.
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { rng } from '../../test/seeded-random.js';
import { WorldMirror } from '../../test/world-mirror.js';
import { createSyncMetrics } from './sync-metrics.js';
import { Zone, type ZoneInit } from './zone.js';
import type { ZoneEntity } from './zone-entity.js';

const TICK_MS = 50;
const logger = pino({ level: 'silent' });

function makeZone(extra: Partial<ZoneInit> = {}) {
  return new Zone({ id: 'z', tickIntervalMs: TICK_MS, logger, interest: { enterRadius: 100 }, ...extra });
}

/** NPCs on a ring of `radius` around the origin whose velocity changes at random every tick, so each needs a record every tick. */
function jitterers(zone: Zone, prefix: string, count: number, radius: number, random: () => number): ZoneEntity[] {
  return Array.from({ length: count }, (_, i) => {
    const a = (i / count) * 2 * Math.PI;
    return zone.spawn({ kind: 'npc', externalId: `${prefix}${i}`, entityType: 'bat', position: { x: Math.cos(a) * radius, y: 0, z: Math.sin(a) * radius } });
  }).map((e) => {
    (e as ZoneEntity & { jitter?: () => void }).jitter = () => {
      zone.moveEntity(e, { velocity: { x: (random() - 0.5) * 4, y: 0, z: (random() - 0.5) * 4 } });
    };
    return e;
  });
}

function jitter(entities: ZoneEntity[]): void {
  for (const e of entities) (e as ZoneEntity & { jitter: () => void }).jitter();
}

/** Ticks after which a mirror got a record of each entity, counted from `fromTick`. */
function recordCounter(mirror: WorldMirror, entities: ZoneEntity[]) {
  const counts = new Map(entities.map((e) => [e.id, 0]));
  return {
    afterStep(tick: number) {
      for (const e of entities) if (mirror.entities.get(e.id)?.baseTick === tick) counts.set(e.id, counts.get(e.id)! + 1);
    },
    mean: () => [...counts.values()].reduce((a, b) => a + b, 0) / counts.size,
    min: () => Math.min(...counts.values()),
  };
}

describe('Zone byte budget', () => {
  it("keeps each client's packed delta within maxBytesPerTick once nothing is entering", () => {
    const random = rng(5);
    const zone = makeZone({ maxBytesPerTick: 60 });
    const bats = jitterers(zone, 'b', 80, 40, random);
    const player = zone.joinPlayer('u', 's');
    const mirror = new WorldMirror(zone.codec, TICK_MS);
    zone.attachViewer(player, mirror);
    let deferred = 0;
    for (let tick = 1; tick <= 200; tick++) {
      jitter(bats);
      const stats = zone.step(tick, tick * TICK_MS);
      deferred += stats.recordsDeferred;
      // Tick 1 carries 81 mandatory full records (everything enters): over budget by design.
      if (tick > 1) expect(stats.packedBytes).toBeLessThanOrEqual(60);
    }
    // The budget really bound: ~80 records of ~3 B change each tick, 60 B fit about 15.
    expect(deferred).toBeGreaterThan(100 * 50);
  });

  /** Two groups jittering in one client's view under a 50-byte budget for 400 ticks: records each got. */
  function race(seed: number, place: (zone: Zone, random: () => number) => [ZoneEntity[], ZoneEntity[]]) {
    const random = rng(seed);
    const zone = makeZone({ maxBytesPerTick: 50 });
    const [first, second] = place(zone, random);
    const player = zone.joinPlayer('u', 's');
    const mirror = new WorldMirror(zone.codec, TICK_MS);
    zone.attachViewer(player, mirror);
    const counts = [recordCounter(mirror, first), recordCounter(mirror, second)] as const;
    for (let tick = 1; tick <= 400; tick++) {
      jitter(first);
      jitter(second);
      zone.step(tick, tick * TICK_MS);
      if (tick > 1) for (const c of counts) c.afterStep(tick);
    }
    return counts;
  }

  it('sends near entities more often than far ones, and still reaches the far ones', () => {
    const [nearCount, farCount] = race(9, (zone, random) => [jitterers(zone, 'n', 30, 8, random), jitterers(zone, 'f', 30, 90, random)]);
    // Weights: ~0.97 at 8 units, the floor of 0.25 at 90 units.
    expect(nearCount.mean()).toBeGreaterThan(2.5 * farCount.mean());
    expect(farCount.min()).toBeGreaterThan(10);
  });

  it('sends entities of higher priority more often at the same distance', () => {
    const [importantCount, plainCount] = race(13, (zone, random) => {
      const important = jitterers(zone, 'i', 30, 40, random);
      const plain = jitterers(zone, 'p', 30, 41, random);
      for (const e of important) e.priority = 4;
      return [important, plain];
    });
    expect(importantCount.mean()).toBeGreaterThan(2.5 * plainCount.mean());
    expect(plainCount.min()).toBeGreaterThan(10);
  });
});

describe('Zone record sharing', () => {
  it("encodes each entity's change once per baseline, however many clients see it", () => {
    const random = rng(17);
    const zone = makeZone();
    const bats = jitterers(zone, 'b', 40, 30, random);
    const mirrors: WorldMirror[] = [];
    for (let i = 0; i < 20; i++) {
      const player = zone.joinPlayer(`u${i}`, `s${i}`);
      zone.moveEntity(player, { position: { x: i * 0.5, y: 0, z: 0 } });
      const mirror = new WorldMirror(zone.codec, TICK_MS);
      zone.attachViewer(player, mirror);
      mirrors.push(mirror);
    }
    zone.step(1, TICK_MS);
    let sent = 0;
    let encoded = 0;
    for (let tick = 2; tick <= 50; tick++) {
      jitter(bats);
      const stats = zone.step(tick, tick * TICK_MS);
      sent += stats.recordsSent;
      encoded += stats.recordsEncoded;
      // Every client holds the same baselines (all joined together, no budget pressure): one
      // encode per changed entity.
      expect(stats.recordsEncoded).toBeLessThanOrEqual(stats.changed);
    }
    expect(sent).toBeGreaterThan(15 * encoded);
  });
});

describe('state-sync metrics', () => {
  it('counts records held back by budgets and client ticks skipped for backlog', async () => {
    const registry = new Registry();
    const metrics = createSyncMetrics(registry);
    const random = rng(21);
    const zone = makeZone({ maxBytesPerTick: 40, maxBacklogBytes: 1000, metrics });
    const bats = jitterers(zone, 'b', 60, 30, random);
    const player = zone.joinPlayer('u', 's');
    const mirror = new WorldMirror(zone.codec, TICK_MS);
    zone.attachViewer(player, mirror);
    let deferred = 0;
    let skipped = 0;
    for (let tick = 1; tick <= 100; tick++) {
      jitter(bats);
      mirror.backlogBytes = tick % 10 === 0 ? 5000 : 0;
      const stats = zone.step(tick, tick * TICK_MS);
      deferred += stats.recordsDeferred;
      skipped += stats.viewersSkipped;
    }
    expect(deferred).toBeGreaterThan(0);
    expect(skipped).toBe(10);
    expect((await metrics.recordsDeferred.get()).values[0]!.value).toBe(deferred);
    expect((await metrics.viewersSkipped.get()).values[0]!.value).toBe(skipped);
    expect(await registry.metrics()).toContain(`mmo_state_viewers_skipped_total 10`);
  });
});
