import { MessageType } from '@mmo/protocol';
import { Zone } from '@mmo/server';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { rng, TICK_MS, walkers, WorldSink } from '../../test/world-harness.js';
import { createInterpolator } from '../interpolation/interpolator.js';
import { feedInterpolator } from './feed-interpolator.js';
import { createWorldState } from './world-state.js';

describe('feedInterpolator', () => {
  it('pushes every visible remote entity per tick at the delta time, leaves self out, removes exits', () => {
    const zone = new Zone({ id: 'z', tickIntervalMs: TICK_MS, logger: pino({ level: 'silent' }), interest: { enterRadius: 30 } });
    const move = walkers(zone, 60, 60, rng(4));
    const player = zone.joinPlayer('alice', 'session-a');
    const world = createWorldState({ selfPlayerId: 'alice' });
    zone.attachViewer(player, new WorldSink(world));
    const interpolator = createInterpolator({ interpolationDelayMs: 2 * TICK_MS });
    const stop = feedInterpolator(world, interpolator);
    let exits = 0;
    world.on('entityExited', () => exits++);
    const t0 = 1_700_000_000_000;
    for (let tick = 1; tick <= 200; tick++) {
      move();
      zone.moveEntity(player, { position: { x: -50 + tick * 0.5, y: 0, z: 0 } });
      zone.step(tick, t0 + tick * TICK_MS);
      const remote = world.visibleIds.filter((id) => id !== player.id);
      expect(interpolator.entityIds().sort((a, b) => a - b)).toEqual(remote);
      // On a snapshot's time the interpolator gives back that tick's state exactly.
      for (const id of remote) {
        const e = world.entity(id)!;
        const sampled = interpolator.sampleEntity(id, t0 + tick * TICK_MS)!;
        expect(sampled.position).toEqual(e.motion.position);
        expect(sampled.status).toBe('interpolated');
      }
    }
    expect(exits).toBeGreaterThan(5);
    expect(interpolator.has(player.id)).toBe(false);
    stop();
    world.apply(MessageType.WORLD_DELTA, { tick: 999, packed: new Uint8Array(3) }); // desync: everything exits
    expect(interpolator.size).toBeGreaterThan(0); // no longer fed
  });

  it('drops self once it becomes known after its first samples', () => {
    const world = createWorldState();
    const zone = new Zone({ id: 'z', tickIntervalMs: TICK_MS, logger: pino({ level: 'silent' }) });
    const player = zone.joinPlayer('bob', 'session-b');
    zone.attachViewer(player, new WorldSink(world));
    const interpolator = createInterpolator();
    feedInterpolator(world, interpolator);
    zone.step(1, 1000);
    expect(interpolator.has(player.id)).toBe(true);
    world.setSelfPlayerId('bob');
    zone.step(2, 1050);
    expect(interpolator.has(player.id)).toBe(false);
  });
});
