import { MessageType, type QuantizedEntityState } from '@mmo/protocol';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it, vi } from 'vitest';
import { rng } from '../../test/seeded-random.js';
import { WorldMirror } from '../../test/world-mirror.js';
import type { GameplayHooks, QueuedInput } from './gameplay-hooks.js';
import { createSyncMetrics } from './sync-metrics.js';
import { Zone, type ZoneInit } from './zone.js';
import type { ZoneEntity } from './zone-entity.js';

const TICK_MS = 50;
const logger = pino({ level: 'silent' });

function makeZone(extra: Partial<ZoneInit> = {}) {
  return new Zone({ id: 'z', tickIntervalMs: TICK_MS, logger, ...extra });
}

/** Walkers with random turns inside a square, moved on the server's authority (NPC-style). */
function walkers(zone: Zone, count: number, half: number, random: () => number) {
  const list: { e: ZoneEntity; heading: number; turn: number; speed: number }[] = [];
  for (let i = 0; i < count; i++) {
    const e = zone.spawn({ kind: 'npc', externalId: `npc-${i}`, entityType: 'wolf', position: { x: (random() - 0.5) * 2 * half, y: 0, z: (random() - 0.5) * 2 * half } });
    list.push({ e, heading: random() * 7, turn: 0, speed: random() < 0.2 ? 0 : 2 + random() * 4 });
  }
  return () => {
    for (const w of list) {
      if (w.speed === 0) continue;
      if (random() < 0.03) w.turn = (random() - 0.5) * 3;
      w.heading += (w.turn * TICK_MS) / 1000;
      const p = w.e.motion.position;
      let vx = Math.cos(w.heading) * w.speed;
      let vz = Math.sin(w.heading) * w.speed;
      if (Math.abs(p.x + vx) > half) vx = -vx;
      if (Math.abs(p.z + vz) > half) vz = -vz;
      w.heading = Math.atan2(vz, vx);
      zone.moveEntity(w.e, {
        position: { x: p.x + (vx * TICK_MS) / 1000, y: 0, z: p.z + (vz * TICK_MS) / 1000 },
        velocity: { x: vx, y: 0, z: vz },
        rotation: { x: 0, y: Math.sin(w.heading / 2), z: 0, w: Math.cos(w.heading / 2) },
      });
    }
  };
}

/** A movement input sampled and received at `atMs` (same clock), with no rotation or flags. */
function moveInput(inputTick: number, position: { x: number; y: number; z: number }, atMs: number, velocity?: { x: number; y: number; z: number }): QueuedInput {
  return { inputTick, position, rotation: undefined, velocity, clientTimeMs: atMs, flags: 0, receivedAtMs: atMs };
}

function sameState(a: QuantizedEntityState | undefined, b: QuantizedEntityState | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  return a === b || (a.px === b.px && a.py === b.py && a.pz === b.pz && a.ri === b.ri && a.ra === b.ra && a.rb === b.rb && a.rc === b.rc &&
    a.vx === b.vx && a.vy === b.vy && a.vz === b.vz && a.flags === b.flags);
}

describe('Zone state sync', () => {
  it('every client mirror holds exactly the server state of what it sees, over 600 random ticks', () => {
    const random = rng(7);
    const zone = makeZone({ interest: { enterRadius: 60 } });
    const move = walkers(zone, 300, 250, random);
    const viewers: { player: ZoneEntity; mirror: WorldMirror }[] = [];
    for (let i = 0; i < 12; i++) {
      const player = zone.joinPlayer(`u${i}`, `s${i}`);
      zone.moveEntity(player, { position: { x: (random() - 0.5) * 400, y: 0, z: (random() - 0.5) * 400 } });
      const mirror = new WorldMirror(zone.codec, TICK_MS);
      zone.attachViewer(player, mirror);
      viewers.push({ player, mirror });
    }
    let checked = 0;
    // Mismatches are collected and asserted once: 30,000+ expect calls would cost more than the zone.
    const mismatches: string[] = [];
    const { maxError } = zone.codec.position;
    for (let tick = 1; tick <= 600; tick++) {
      move();
      zone.step(tick, tick * TICK_MS);
      for (const { player, mirror } of viewers) {
        const serverVisible = zone.viewerOf(player)!.visible.map((e) => e.id);
        if (serverVisible.join() !== mirror.visible.join()) mismatches.push(`tick ${tick}: visible ${mirror.visible} vs ${serverVisible}`);
        for (const id of mirror.visible) {
          const e = zone.entity(id)!;
          const held = mirror.entities.get(id)!.current;
          if (!sameState(held, e.state)) mismatches.push(`tick ${tick}: entity ${id} state differs`);
          else {
            const world = zone.codec.dequantize(held!);
            if (Math.abs(world.position.x - e.motion.position.x) > maxError.x + 1e-9 || Math.abs(world.position.z - e.motion.position.z) > maxError.z + 1e-9) {
              mismatches.push(`tick ${tick}: entity ${id} beyond the quantization error`);
            }
          }
          checked++;
        }
      }
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    expect(checked).toBeGreaterThan(30_000);
    expect(viewers.reduce((n, v) => n + v.mirror.enters + v.mirror.exits, 0)).toBeGreaterThan(100);
  });

  it('under a tiny byte budget nobody starves: every entity catches up within a bounded number of ticks', () => {
    const random = rng(11);
    const zone = makeZone({ maxBytesPerTick: 40, interest: { enterRadius: 80 } });
    const move = walkers(zone, 120, 60, random);
    const player = zone.joinPlayer('u', 's');
    const mirror = new WorldMirror(zone.codec, TICK_MS);
    zone.attachViewer(player, mirror);
    const staleSince = new Map<number, number>();
    let worst = 0;
    let deferred = 0;
    for (let tick = 1; tick <= 600; tick++) {
      move();
      deferred += zone.step(tick, tick * TICK_MS).recordsDeferred;
      for (const id of mirror.visible) {
        if (sameState(mirror.entities.get(id)!.current, zone.entity(id)!.state)) staleSince.delete(id);
        else if (!staleSince.has(id)) staleSince.set(id, tick);
        else worst = Math.max(worst, tick - staleSince.get(id)!);
      }
      expect(mirror.received.filter((m) => m.type === MessageType.WORLD_DELTA).length).toBe(tick);
    }
    expect(deferred).toBeGreaterThan(1000);
    expect(worst).toBeGreaterThan(0);
    console.log(`tiny budget: ${deferred} records deferred, longest wait ${worst} ticks`);
    // 40 B carries about 10 of the ~110 records that change each tick; the accumulator still
    // reaches the farthest entity (a quarter of the near rate) within a few seconds.
    expect(worst).toBeLessThan(120);
  });

  it('a baseline older than the entity history goes out as a full record: the client stays exact', () => {
    // History of 2 states and a tiny budget: most deferred entities changed more than twice since
    // the client's baseline, so the zone no longer holds it and must send them whole.
    const random = rng(23);
    const zone = makeZone({ maxBytesPerTick: 40, historyTicks: 2, interest: { enterRadius: 80 } });
    const move = walkers(zone, 120, 60, random);
    const player = zone.joinPlayer('u', 's');
    const mirror = new WorldMirror(zone.codec, TICK_MS);
    zone.attachViewer(player, mirror);
    const lastSent = new Map<number, number>();
    let longestWait = 0;
    const mismatches: string[] = [];
    for (let tick = 1; tick <= 300; tick++) {
      move();
      zone.step(tick, tick * TICK_MS);
      for (const id of mirror.visible) {
        const held = mirror.entities.get(id)!;
        if (held.baseTick !== tick) continue;
        longestWait = Math.max(longestWait, tick - (lastSent.get(id) ?? tick));
        lastSent.set(id, tick);
        if (!sameState(held.state, zone.entity(id)!.state)) mismatches.push(`tick ${tick}: entity ${id} differs`);
      }
    }
    expect(mismatches.slice(0, 5)).toEqual([]);
    expect(longestWait).toBeGreaterThan(2);
  });

  it('an entity on the edge of view enters once and does not flicker', () => {
    const zone = makeZone({ interest: { enterRadius: 100, exitRadius: 115 }, interestIntervalTicks: 1 });
    const player = zone.joinPlayer('u', 's');
    const mirror = new WorldMirror(zone.codec, TICK_MS);
    zone.attachViewer(player, mirror);
    const npc = zone.spawn({ kind: 'npc', externalId: 'n', entityType: 'x', position: { x: 120, y: 0, z: 0 } });
    for (let tick = 1; tick <= 400; tick++) {
      zone.moveEntity(npc, { position: { x: 99 + 10 * Math.abs(Math.sin(tick / 7)), y: 0, z: 0 } });
      zone.step(tick, tick * TICK_MS);
    }
    expect(mirror.enters).toBe(2); // self and the NPC, once
    expect(mirror.exits).toBe(0);
    zone.moveEntity(npc, { position: { x: 116, y: 0, z: 0 } });
    zone.step(401, 401 * TICK_MS);
    expect(mirror.exits).toBe(1);
    expect(mirror.visible).toEqual([player.id]);
  });

  it('resting entities cost nothing but the delta header, and a despawned one exits at once', () => {
    const zone = makeZone();
    const player = zone.joinPlayer('u', 's');
    const mirror = new WorldMirror(zone.codec, TICK_MS);
    zone.attachViewer(player, mirror);
    const rocks = Array.from({ length: 40 }, (_, i) => zone.spawn({ kind: 'object', externalId: `r${i}`, entityType: 'rock', position: { x: i, y: 0, z: 5 } }));
    zone.step(1, 50);
    const snapshot = mirror.received.find((m) => m.type === MessageType.WORLD_STATE)!.payload as { objects: unknown[]; players: unknown[] };
    expect(snapshot.objects).toHaveLength(40);
    expect(snapshot.players).toHaveLength(1);
    const before = mirror.received.length;
    zone.step(2, 100);
    const delta = mirror.received.slice(before);
    expect(delta.map((m) => m.type)).toEqual([MessageType.WORLD_DELTA]);
    // 41 visible, none changed: 16-bit count + mode bit + 16-bit empty slot list = 33 bits -> 5 bytes.
    expect((delta[0]!.payload as { packed: Uint8Array }).packed.length).toBe(5);
    // However long they rest (the zero velocity level is not exactly zero), nothing is resent.
    for (let tick = 3; tick <= 300; tick++) {
      const at = mirror.received.length;
      zone.step(tick, tick * 50);
      expect((mirror.received[at]!.payload as { packed: Uint8Array }).packed.length).toBe(5);
    }
    zone.removeEntity(rocks[3]!);
    zone.step(301, 301 * 50);
    expect(mirror.visible).not.toContain(rocks[3]!.id);
  });

  it('an entity removed out of a stale view is skipped until it exits, even when a newcomer reuses its index', () => {
    const zone = makeZone({ interestIntervalTicks: 8 });
    const player = zone.joinPlayer('u', 's');
    const mirror = new WorldMirror(zone.codec, TICK_MS);
    zone.attachViewer(player, mirror);
    const x = zone.spawn({ kind: 'npc', externalId: 'x', entityType: 'wolf', position: { x: 10, y: 0, z: 0 } });
    // A velocity but no motion: its record is due every tick (the client's prediction runs ahead).
    zone.moveEntity(x, { velocity: { x: 1, y: 0, z: 0 } });
    let tick = 0;
    const step = () => zone.step(++tick, tick * TICK_MS);
    // Join on a refresh tick (the player sees x), then stop right after a refresh.
    while (!mirror.visible.includes(x.id) || (tick + 1 + player.id) % 8 === 0) step();
    while ((tick + player.id) % 8 !== 0) step();
    const heldSince = mirror.entities.get(x.id)!.baseTick;
    // x jumps far away and is removed there: the removal's radius query misses this player,
    // whose view is only refreshed every 8 ticks. A newcomer takes x's index at once.
    zone.moveEntity(x, { position: { x: 5000, y: 0, z: 0 } });
    zone.removeEntity(x);
    const y = zone.spawn({ kind: 'npc', externalId: 'y', entityType: 'wolf', position: { x: 20, y: 0, z: 0 } });
    expect(y.index).toBe(x.index);
    const staleTicks: boolean[] = [];
    for (let i = 0; i < 12; i++) {
      zone.moveEntity(y, { position: { x: 20 + i, y: 0, z: 0 }, velocity: { x: 1, y: 0, z: 0 } });
      step();
      if (mirror.visible.includes(x.id)) staleTicks.push(mirror.entities.get(x.id)!.baseTick === heldSince);
    }
    // x stayed in view for some ticks, received nothing meanwhile, then exited; y is exact.
    expect(staleTicks.length).toBeGreaterThan(0);
    expect(staleTicks.every(Boolean)).toBe(true);
    expect(mirror.visible).not.toContain(x.id);
    expect(sameState(mirror.entities.get(y.id)!.current, y.state)).toBe(true);
    // x is gone for good: moving it is a typed error and does not touch y, which took its index.
    const before = { ...y.motion.position };
    expect(() => zone.moveEntity(x, { position: { x: 0, y: 0, z: 0 } })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(y.motion.position).toEqual(before);
    // Nor can another zone's entity (its grid slot and index mean something else here) move y.
    const other = makeZone({});
    other.spawn({ kind: 'npc', externalId: 'filler', entityType: 'wolf', position: { x: 0, y: 0, z: 0 } });
    const stranger = other.spawn({ kind: 'npc', externalId: 's', entityType: 'wolf', position: { x: 0, y: 0, z: 0 } });
    expect(stranger.index).toBe(y.index);
    expect(() => zone.moveEntity(stranger, { position: { x: 1, y: 0, z: 1 } })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(y.motion.position).toEqual(before);
  });

  it('flushes each client once per tick, after every client\'s messages of the tick are queued', () => {
    const zone = makeZone();
    const log: string[] = [];
    const sinkOf = (name: string) => ({
      backlogBytes: 0,
      sendState: (type: number) => (log.push(`${name}:send:${type}`), true),
      sendReliable: () => true,
      sendVolatile: () => true,
      flush: () => void log.push(`${name}:flush`),
    });
    for (const name of ['a', 'b', 'c']) zone.attachViewer(zone.joinPlayer(name, name), sinkOf(name));
    for (let tick = 1; tick <= 3; tick++) {
      log.length = 0;
      zone.step(tick, tick * TICK_MS);
      const firstFlush = log.findIndex((e) => e.endsWith(':flush'));
      expect(log.slice(firstFlush)).toEqual(['a:flush', 'b:flush', 'c:flush']);
      expect(log.slice(0, firstFlush).filter((e) => e.endsWith(`:send:${MessageType.WORLD_DELTA}`))).toHaveLength(3);
    }
  });

  it('a speed hack and a teleport are corrected (server state wins) and reach the violation hook', () => {
    const onViolation = vi.fn<NonNullable<GameplayHooks['onViolation']>>();
    const zone = makeZone({ hooks: { onViolation } });
    const player = zone.joinPlayer('u', 's');
    const mirror = new WorldMirror(zone.codec, TICK_MS);
    zone.attachViewer(player, mirror);
    zone.step(1, 50);
    // 3x the default 7 units/s, honest timestamps.
    let x = 0;
    for (let tick = 2; tick <= 40; tick++) {
      x += (21 * TICK_MS) / 1000;
      zone.queueInput(player, moveInput(tick, { x, y: 0, z: 0 }, tick * TICK_MS, { x: 21, y: 0, z: 0 }));
      zone.step(tick, tick * TICK_MS);
    }
    expect(player.motion.position.x).toBeLessThan(x * 0.5);
    const corrections = mirror.volatile.filter((m) => m.type === MessageType.PLAYER_STATE);
    expect(corrections.length).toBeGreaterThan(10);
    expect(onViolation).toHaveBeenCalled();
    const reasons = onViolation.mock.calls.map((c) => c[0].reason);
    expect(reasons[0]).toBe('speed');
    // Once the hacker is far enough ahead of its corrected position, its steps are teleports.
    expect(new Set(reasons)).toEqual(new Set(['speed', 'teleport']));
    expect(onViolation.mock.calls.at(-1)![0].recentCount).toBe(reasons.length);
    expect(mirror.lastProcessedInput).toBe(40);
    // The client's own entity carries the corrected position.
    const mine = zone.codec.dequantize(mirror.entities.get(player.id)!.current!);
    expect(Math.abs(mine.position.x - player.motion.position.x)).toBeLessThan(0.01);
    zone.queueInput(player, moveInput(41, { x: 500, y: 0, z: 0 }, 41 * TICK_MS));
    zone.step(41, 41 * TICK_MS);
    expect(onViolation.mock.calls.at(-1)![0].reason).toBe('teleport');
    expect(player.motion.position.x).toBeLessThan(x * 0.5);
  });

  it('calls the hooks with the right arguments, and survives a hook that throws', () => {
    const calls: string[] = [];
    const hooks: GameplayHooks = {
      spawnPosition: (userId) => (calls.push(`spawn:${userId}`), { x: 10, y: 0, z: 10 }),
      interestRadius: (e) => (calls.push(`radius:${e.kind}`), 30),
      onPlayerJoined: (e) => void calls.push(`joined:${e.externalId}`),
      onPlayerLeft: (e) => void calls.push(`left:${e.externalId}`),
      preProcessInput: (e, input) => (calls.push(`pre:${e.kind}:${input.inputTick}`), input.inputTick === 3 ? undefined : input),
      onTick: (tick, dt) => {
        calls.push(`tick:${tick}:${dt}`);
        if (tick === 2) throw new Error('game bug');
      },
      postStateUpdate: (tick, changed) => void calls.push(`post:${tick}:${changed.length}`),
      serializeCustomState: (e) => (e.kind === 'player' ? new Uint8Array([7]) : undefined),
    };
    const zone = makeZone({ hooks });
    const player = zone.joinPlayer('alice', 's1');
    expect(player.motion.position).toEqual({ x: 10, y: 0, z: 10 });
    const viewer = zone.attachViewer(player, new WorldMirror(zone.codec, TICK_MS));
    expect(viewer.interest.enterRadius).toBe(30);
    for (const inputTick of [1, 2, 3]) {
      zone.queueInput(player, moveInput(inputTick, { x: 10 + inputTick * 0.1, y: 0, z: 10 }, inputTick * 50));
      zone.step(inputTick, inputTick * 50);
    }
    const mirror = viewer.sink as WorldMirror;
    const snapshot = mirror.received.find((m) => m.type === MessageType.WORLD_STATE)!.payload as { players: { customState: Uint8Array; playerId: string }[] };
    expect(snapshot.players[0]!.playerId).toBe('alice');
    expect([...snapshot.players[0]!.customState]).toEqual([7]);
    zone.leavePlayer(player);
    expect(calls).toEqual([
      'spawn:alice', 'joined:s1', 'radius:player',
      'pre:player:1', 'tick:1:50', 'post:1:1',
      'pre:player:2', 'tick:2:50', 'post:2:1',
      'pre:player:3', 'tick:3:50',
      'left:s1',
    ]);
  });

  it('sends actions at once to the clients that see the actor, and only to them', () => {
    const zone = makeZone({ interest: { enterRadius: 50 } });
    const actor = zone.joinPlayer('a', 'sa');
    const near = zone.joinPlayer('b', 'sb');
    const far = zone.joinPlayer('c', 'sc');
    zone.moveEntity(near, { position: { x: 10, y: 0, z: 0 } });
    zone.moveEntity(far, { position: { x: 500, y: 0, z: 0 } });
    const sinks = [actor, near, far].map((p) => {
      const m = new WorldMirror(zone.codec, TICK_MS);
      zone.attachViewer(p, m);
      return m;
    });
    zone.step(1, 50);
    expect(zone.broadcastAction(actor, { playerId: 'a', actionType: 'wave' })).toBe(1);
    // No tick in between: the action went out immediately.
    expect(sinks[1]!.reliable).toEqual([{ type: MessageType.PLAYER_ACTION, payload: { playerId: 'a', actionType: 'wave' } }]);
    expect(sinks[2]!.reliable).toEqual([]);
    expect(sinks[0]!.reliable).toEqual([]);
  });

  it('skips a client whose backlog is over the limit, then catches it up with deltas against what it has', () => {
    const random = rng(3);
    const zone = makeZone({ maxBacklogBytes: 1000 });
    const move = walkers(zone, 30, 40, random);
    const player = zone.joinPlayer('u', 's');
    const mirror = new WorldMirror(zone.codec, TICK_MS);
    zone.attachViewer(player, mirror);
    for (let tick = 1; tick <= 200; tick++) {
      move();
      mirror.backlogBytes = tick % 20 < 10 ? 5000 : 0;
      const stats = zone.step(tick, tick * TICK_MS);
      expect(stats.viewersSkipped).toBe(mirror.backlogBytes > 0 ? 1 : 0);
      if (mirror.backlogBytes === 0) {
        for (const id of mirror.visible) expect(sameState(mirror.entities.get(id)!.current, zone.entity(id)!.state)).toBe(true);
      }
    }
  });

  it('keeps only the newest maxQueuedInputs inputs of a client that floods between ticks, and counts the dropped ones', async () => {
    const registry = new Registry();
    const metrics = createSyncMetrics(registry);
    const seen: number[] = [];
    const zone = makeZone({ maxQueuedInputs: 4, metrics, hooks: { preProcessInput: (_e, input) => (seen.push(input.inputTick), input) } });
    const player = zone.joinPlayer('u', 's');
    const mirror = new WorldMirror(zone.codec, TICK_MS);
    zone.attachViewer(player, mirror);
    zone.step(1, 50);
    // Ten inputs within one tick period, each a legal 0.01-unit step.
    for (let inputTick = 1; inputTick <= 10; inputTick++) {
      expect(zone.queueInput(player, moveInput(inputTick, { x: inputTick * 0.01, y: 0, z: 0 }, 50 + inputTick))).toBe(true);
    }
    const stats = zone.step(2, 100);
    expect(seen).toEqual([7, 8, 9, 10]);
    expect(stats.inputsApplied).toBe(4);
    expect(mirror.lastProcessedInput).toBe(10);
    expect(player.motion.position.x).toBeCloseTo(0.1, 9);
    expect((await metrics.inputsDropped.get()).values[0]!.value).toBe(6);
    // The queue is bounded per tick, not for ever: the next tick takes four more without a drop.
    for (let inputTick = 11; inputTick <= 14; inputTick++) zone.queueInput(player, moveInput(inputTick, { x: inputTick * 0.01, y: 0, z: 0 }, 100 + inputTick));
    zone.step(3, 150);
    expect(seen.slice(4)).toEqual([11, 12, 13, 14]);
    expect((await metrics.inputsDropped.get()).values[0]!.value).toBe(6);
  });

  it('refuses bad options with a typed error', () => {
    expect(() => makeZone({ maxBytesPerTick: 0 })).toThrow(/maxBytesPerTick/);
    expect(() => makeZone({ tickIntervalMs: Number.NaN })).toThrow(/tickIntervalMs/);
  });
});
