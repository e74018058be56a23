// The client's world model against a real @mmo/server Zone, every message round-tripped through
// the protobuf registry: the client must hold exactly the server's integers of everything it sees.
import { MessageType } from '@mmo/protocol';
import { Zone, type ZoneEntity } from '@mmo/server';
import fc from 'fast-check';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { expectSameView, rng, TICK_MS, walkers, WorldSink } from '../../test/world-harness.js';
import { isWorldDesyncError } from '../errors.js';
import type { WorldDesyncEvent } from './world-events.js';
import { createWorldState, type WorldState } from './world-state.js';

const logger = pino({ level: 'silent' });

function makeZone(enterRadius = 60): Zone {
  return new Zone({ id: 'start', tickIntervalMs: TICK_MS, logger, interest: { enterRadius } });
}

interface Client {
  userId: string;
  player: ZoneEntity;
  world: WorldState;
  sink: WorldSink;
  /** Entities the events say are in view. */
  inView: Set<number>;
  enters: number;
  exits: number;
  desyncs: WorldDesyncEvent[];
}

function joinClient(zone: Zone, userId: string, random: () => number, half: number): Client {
  const player = zone.joinPlayer(userId, `session-${userId}`);
  zone.moveEntity(player, { position: { x: (random() - 0.5) * 2 * half, y: 0, z: (random() - 0.5) * 2 * half } });
  const world = createWorldState({ tickRate: 1000 / TICK_MS, selfPlayerId: userId });
  const sink = new WorldSink(world);
  const client: Client = { userId, player, world, sink, inView: new Set(), enters: 0, exits: 0, desyncs: [] };
  world.on('entityEntered', ({ entity }) => {
    if (client.inView.has(entity.entityId)) throw new Error(`entered twice: ${entity.entityId}`);
    client.inView.add(entity.entityId);
    client.enters++;
  });
  world.on('entityExited', ({ entity }) => {
    if (!client.inView.delete(entity.entityId)) throw new Error(`exit without enter: ${entity.entityId}`);
    client.exits++;
  });
  world.on('desync', (event) => client.desyncs.push(event));
  zone.attachViewer(player, sink);
  return client;
}

/** Players walk in straight lines across the square (so they meet and part). */
function walkPlayers(zone: Zone, clients: Client[], tick: number): void {
  for (const [i, c] of clients.entries()) {
    const angle = i * 1.3 + tick / 200;
    const speed = 7;
    const p = c.player.motion.position;
    zone.moveEntity(c.player, {
      position: { x: Math.max(-240, Math.min(240, p.x + (Math.cos(angle) * speed * TICK_MS) / 1000)), y: 0, z: Math.max(-240, Math.min(240, p.z + (Math.sin(angle) * speed * TICK_MS) / 1000)) },
      velocity: { x: Math.cos(angle) * speed, y: 0, z: Math.sin(angle) * speed },
    });
  }
}

describe('WorldState against a real Zone', () => {
  it('holds exactly the server state of every visible entity over 600 random ticks, with players joining and leaving', () => {
    const random = rng(42);
    const zone = makeZone(40);
    const move = walkers(zone, 200, 200, random);
    let next = 0;
    const clients: Client[] = [];
    const everyone: Client[] = [];
    for (; next < 6; next++) clients.push(joinClient(zone, `u${next}`, random, 200));
    everyone.push(...clients);
    const updated = new Map<Client, number>();
    for (const c of clients) c.world.on('entityUpdated', () => updated.set(c, (updated.get(c) ?? 0) + 1));
    let checked = 0;
    for (let tick = 1; tick <= 600; tick++) {
      move();
      walkPlayers(zone, clients, tick);
      if (tick % 97 === 0) {
        // One player leaves (everyone who saw it sees it exit), another joins.
        const leaving = clients.splice(Math.floor(random() * clients.length), 1)[0]!;
        zone.leavePlayer(leaving.player);
        clients.push(joinClient(zone, `u${next++}`, random, 200));
        everyone.push(clients.at(-1)!);
      }
      zone.step(tick, 1_700_000_000_000 + tick * TICK_MS);
      for (const c of clients) {
        checked += expectSameView(zone, c.player, c.world, c.userId);
        expect(new Set(c.world.visibleIds)).toEqual(c.inView);
        expect(c.world.serverTick).toBe(tick);
        expect(c.world.serverTimeMs).toBe(1_700_000_000_000 + tick * TICK_MS);
        expect(c.world.self?.externalId).toBe(c.userId);
        expect(c.desyncs).toEqual([]);
      }
    }
    expect(checked).toBeGreaterThan(10_000);
    expect(everyone.reduce((n, c) => n + c.exits, 0)).toBeGreaterThan(60);
    expect(everyone.reduce((n, c) => n + c.enters, 0)).toBeGreaterThan(120);
    // entityUpdated fires for every visible entity on every tick.
    expect([...updated.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(checked / 2);
  });

  it('reports the own player through selfState with lastProcessedInput, and rejected moves as corrections', () => {
    const zone = makeZone();
    const random = rng(3);
    const c = joinClient(zone, 'alice', random, 10);
    const selfStates: { tick: number; lastProcessedInput: number; x: number }[] = [];
    const corrections: { tick: number; x: number; lastProcessedInput: number }[] = [];
    c.world.on('selfState', ({ tick, lastProcessedInput, entity }) => selfStates.push({ tick, lastProcessedInput, x: entity.motion.position.x }));
    c.world.on('correction', ({ tick, position, lastProcessedInput }) => corrections.push({ tick, x: position.x, lastProcessedInput }));
    zone.step(1, 1000);
    const start = { ...c.player.motion.position };
    for (let tick = 2; tick <= 10; tick++) {
      const t = tick - 1;
      zone.queueInput(c.player, {
        inputTick: t,
        position: { x: start.x + 0.1 * t, y: 0, z: start.z },
        rotation: undefined,
        velocity: { x: 2, y: 0, z: 0 },
        clientTimeMs: 1000 + t * TICK_MS,
        flags: 0,
        receivedAtMs: 1000 + tick * TICK_MS,
      });
      zone.step(tick, 1000 + tick * TICK_MS);
    }
    expect(selfStates.at(-1)).toMatchObject({ tick: 10, lastProcessedInput: 9 });
    expect(selfStates.at(-1)!.x).toBeCloseTo(start.x + 0.9, 1);
    // A teleport is refused: the server corrects the player where it was.
    zone.queueInput(c.player, {
      inputTick: 10,
      position: { x: start.x + 300, y: 0, z: start.z },
      rotation: undefined,
      velocity: undefined,
      clientTimeMs: 1000 + 10 * TICK_MS,
      flags: 0,
      receivedAtMs: 1000 + 11 * TICK_MS,
    });
    zone.step(11, 1000 + 11 * TICK_MS);
    expect(corrections).toHaveLength(1);
    expect(corrections[0]!.tick).toBe(11);
    expect(corrections[0]!.x).toBeCloseTo(start.x + 0.9, 5);
    expect(corrections[0]!.lastProcessedInput).toBe(10);
    expectSameView(zone, c.player, c.world, 'alice');
  });

  it("takes an entity's new health and custom state from the zone's refresh (markDirty), without re-entering it", () => {
    const zone = new Zone({
      id: 'start',
      tickIntervalMs: TICK_MS,
      logger,
      interest: { enterRadius: 60 },
      hooks: { serializeCustomState: (e) => (e.data.has('mood') ? new TextEncoder().encode(String(e.data.get('mood'))) : undefined) },
    });
    const c = joinClient(zone, 'alice', rng(5), 1);
    const wolf = zone.spawn({ kind: 'npc', externalId: 'wolf', entityType: 'wolf', position: { x: 5, y: 0, z: 5 } });
    const chest = zone.spawn({ kind: 'object', externalId: 'chest', entityType: 'chest', position: { x: -5, y: 0, z: 5 } });
    zone.step(1, 1000);
    zone.step(2, 1050);
    expect(c.world.entity(wolf.id)?.health).toBe(0);
    const enters = c.enters;
    wolf.health = 80;
    chest.data.set('mood', 'open');
    zone.markDirty(wolf);
    zone.markDirty(chest);
    zone.step(3, 1100);
    // NPC entries carry health (NPCStateUpdate has no max_health or custom_state field).
    expect(c.world.entity(wolf.id)?.health).toBe(80);
    expect(new TextDecoder().decode(c.world.entity(chest.id)?.customState)).toBe('open');
    expect(c.enters).toBe(enters);
    expect(c.desyncs).toEqual([]);
    expectSameView(zone, c.player, c.world, 'alice');
  });

  it('a corrupted delta raises desync without throwing, drops the view, and a resume snapshot restores it exactly', () => {
    const random = rng(9);
    const zone = makeZone(80);
    const move = walkers(zone, 60, 60, random);
    const c = joinClient(zone, 'bob', random, 20);
    const exitsByReason: Record<string, number> = {};
    c.world.on('entityExited', ({ reason }) => (exitsByReason[reason] = (exitsByReason[reason] ?? 0) + 1));
    for (let tick = 1; tick <= 30; tick++) {
      move();
      zone.step(tick, tick * TICK_MS);
    }
    const inViewBefore = c.world.size;
    expect(inViewBefore).toBeGreaterThan(5);
    // The next delta claims one more entity in view than the client has.
    c.sink.tamper = (type, payload) => {
      if (type !== MessageType.WORLD_DELTA) return payload;
      const p = payload as { packed: Uint8Array };
      const packed = Uint8Array.from(p.packed);
      packed[1] = packed[1]! + 1;
      return { ...p, packed };
    };
    move();
    expect(() => zone.step(31, 31 * TICK_MS)).not.toThrow();
    c.sink.tamper = undefined;
    expect(c.desyncs).toHaveLength(1);
    const { error } = c.desyncs[0]!;
    expect(isWorldDesyncError(error)).toBe(true);
    expect(error.code).toBe('WORLD_DESYNC');
    expect(error.reason).toBe('visible-count');
    expect(error.messageType).toBe(MessageType.WORLD_DELTA);
    expect(c.world.needsResync).toBe(true);
    expect(c.world.visibleIds).toEqual([]);
    expect(exitsByReason['desync']).toBe(inViewBefore);
    // Further messages are ignored (no second desync, no partial view).
    for (let tick = 32; tick <= 35; tick++) {
      move();
      zone.step(tick, tick * TICK_MS);
    }
    expect(c.desyncs).toHaveLength(1);
    expect(c.world.size).toBe(0);
    // Reconnect: the client resets on `connected`, the server attaches a fresh viewer.
    c.world.reset();
    expect(c.world.needsResync).toBe(false);
    zone.attachViewer(c.player, c.sink);
    for (let tick = 36; tick <= 120; tick++) {
      move();
      zone.step(tick, tick * TICK_MS);
      expectSameView(zone, c.player, c.world, 'bob');
    }
    expect(c.world.size).toBeGreaterThan(5);
    expect(c.desyncs).toHaveLength(1);
  });

  it('a resume without a desync (reset, then the fresh full view) works too', () => {
    const random = rng(5);
    const zone = makeZone(80);
    const move = walkers(zone, 40, 50, random);
    const c = joinClient(zone, 'carol', random, 20);
    for (let tick = 1; tick <= 20; tick++) {
      move();
      zone.step(tick, tick * TICK_MS);
    }
    const resets: number[] = [];
    c.world.on('entityExited', ({ reason, entity }) => reason === 'reset' && resets.push(entity.entityId));
    const before = [...c.world.visibleIds];
    c.world.reset();
    expect(resets.sort((a, b) => a - b)).toEqual(before);
    zone.attachViewer(c.player, c.sink);
    for (let tick = 21; tick <= 60; tick++) {
      move();
      zone.step(tick, tick * TICK_MS);
      expectSameView(zone, c.player, c.world, 'carol');
    }
    expect(c.desyncs).toEqual([]);
  });

  it('dropped or reordered messages are detected as out of step', () => {
    const cases: { drop: number; reason: string }[] = [
      { drop: MessageType.INTEREST_UPDATE, reason: 'unknown-entity' },
      { drop: MessageType.WORLD_STATE, reason: 'missing-state' },
    ];
    for (const { drop, reason } of cases) {
      const random = rng(21);
      const zone = makeZone(80);
      walkers(zone, 30, 40, random);
      const c = joinClient(zone, 'dan', random, 10);
      zone.step(1, TICK_MS);
      const far = zone.spawn({ kind: 'object', externalId: 'chest', entityType: 'chest', position: { x: 400, y: 0, z: 400 } });
      zone.step(2, 2 * TICK_MS);
      // Lose the message that announces the chest (interest is refreshed every few ticks).
      const mentionsChest = (payload: unknown) => {
        const p = payload as { entered?: number[]; objects?: unknown[] };
        return (p.entered ?? []).includes(far.id) || (p.objects ?? []).length > 0;
      };
      c.sink.tamper = (type, payload) => (type === drop && mentionsChest(payload) ? null : payload);
      zone.moveEntity(far, { position: { ...c.player.motion.position } });
      for (let tick = 3; tick <= 12; tick++) zone.step(tick, tick * TICK_MS);
      expect(zone.viewerOf(c.player)!.visible).toContain(far);
      expect(c.desyncs.map((d) => d.error.reason)).toEqual([reason]);
    }
  });

  it('never throws out of apply and never leaves a half-applied view, whatever bits of a delta are flipped (property)', () => {
    const random = rng(13);
    const zone = makeZone(80);
    const move = walkers(zone, 40, 40, random);
    const world = createWorldState({ selfPlayerId: 'eve' });
    const sink = new WorldSink(world);
    const player = zone.joinPlayer('eve', 'session-eve');
    zone.attachViewer(player, sink);
    for (let tick = 1; tick <= 40; tick++) {
      move();
      zone.step(tick, tick * TICK_MS);
    }
    const deltas = sink.seen.filter((m) => m.type === MessageType.WORLD_DELTA).map((m) => m.payload as { tick: number; packed: Uint8Array });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: deltas.length - 1 }), fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), (at, flips) => {
        // A fresh model at the state just before delta `at`, by replaying the stream.
        const replay = createWorldState({ selfPlayerId: 'eve' });
        let desynced = 0;
        replay.on('desync', () => desynced++);
        const cut = sink.seen.findIndex((m) => m.payload === deltas[at]);
        for (const m of sink.seen.slice(0, cut)) replay.apply(m.type, m.payload);
        const delta = deltas[at]!;
        const packed = Uint8Array.from(delta.packed);
        for (const f of flips) {
          const bit = f % (packed.length * 8);
          packed[bit >> 3]! ^= 1 << (bit & 7);
        }
        expect(() => replay.apply(MessageType.WORLD_DELTA, { ...delta, packed })).not.toThrow();
        if (desynced > 0) {
          expect(replay.needsResync).toBe(true);
          expect(replay.visibleIds).toEqual([]);
          expect(replay.size).toBe(0);
        } else {
          // Decoded to something (a flip can hit a value): the view is whole and consistent.
          expect(replay.serverTick).toBe(delta.tick);
          expect(replay.entities().map((e) => e.entityId)).toEqual(replay.visibleIds);
        }
      }),
      { numRuns: 300, seed: 1 },
    );
  });
});
