import { BitWriter, createEntityStateCodec, MessageType, type QuantizedEntityState, writeWorldDeltaHeader } from '@mmo/protocol';
import { describe, expect, it } from 'vitest';
import { isClientError, type WorldDesyncReason } from '../errors.js';
import { worldStateDefaults } from './world-options.js';
import { createWorldState, type WorldState } from './world-state.js';

const codec = createEntityStateCodec();
const identity = { x: 0, y: 0, z: 0, w: 1 };
const at = (x: number, vx = 0): QuantizedEntityState => codec.quantize({ position: { x, y: 0, z: 0 }, rotation: identity, velocity: { x: vx, y: 0, z: 0 }, flags: 0 });

/** A WORLD_DELTA payload: `records` per slot (undefined: no record), each against its `base`. */
function delta(tick: number, visibleCount: number, records: { slot: number; state: QuantizedEntityState; base?: QuantizedEntityState; elapsedMs?: number }[], lastProcessedInput = 0) {
  const w = new BitWriter();
  writeWorldDeltaHeader(w, visibleCount, records.map((r) => r.slot));
  for (const r of records) codec.writeUpdate(w, r.state, r.base, r.elapsedMs ?? 0);
  return { tick, timestamp: 1000 + tick * 50, lastProcessedInput, packed: w.finish() };
}

/** The delta with its full record cut short. */
function truncated(d: ReturnType<typeof delta>) {
  return { ...d, packed: d.packed.slice(0, 5) };
}

function npc(entityId: number, npcId = `npc-${entityId}`) {
  return { entityId, npcId, npcType: 'wolf', health: 30 };
}

/** A world with entities 3 (player alice) and 7 (npc) in view since tick 1. */
function twoEntities(selfPlayerId?: string): { world: WorldState; desyncs: WorldDesyncReason[] } {
  const world = createWorldState(selfPlayerId === undefined ? {} : { selfPlayerId });
  const desyncs: WorldDesyncReason[] = [];
  world.on('desync', ({ error }) => desyncs.push(error.reason));
  world.apply(MessageType.INTEREST_UPDATE, { tick: 1, entered: [7, 3], exited: [] });
  world.apply(MessageType.WORLD_STATE, { tick: 1, zoneId: 'start', players: [{ entityId: 3, playerId: 'alice', health: 80, maxHealth: 100 }], npcs: [npc(7)] });
  world.apply(MessageType.WORLD_DELTA, delta(1, 2, [{ slot: 0, state: at(1) }, { slot: 1, state: at(10, 2) }], 4));
  return { world, desyncs };
}

describe('createWorldState', () => {
  it('resolves its options: 20 Hz and the server codec by default; a bad tick rate throws INVALID_OPTIONS', () => {
    const world = createWorldState();
    expect(world.options).toEqual({ tickRate: 20, tickIntervalMs: 50, codec: {} });
    expect(worldStateDefaults.tickRate).toBe(20);
    expect(createWorldState({ tickRate: 30 }).options.tickIntervalMs).toBe(1000 / 30);
    for (const tickRate of [0, -1, Number.NaN, 5000]) expect(() => createWorldState({ tickRate })).toThrow(/tickRate/);
  });

  it('builds entities from INTEREST_UPDATE + WORLD_STATE + WORLD_DELTA, announcing them after their first state', () => {
    const world = createWorldState({ selfPlayerId: 'alice' });
    const events: string[] = [];
    world.on('entityEntered', ({ entity, tick }) => events.push(`enter ${entity.entityId}@${tick}`));
    world.on('entityUpdated', ({ entity, received }) => events.push(`update ${entity.entityId} ${received}`));
    world.on('selfState', ({ entity, lastProcessedInput }) => events.push(`self ${entity.entityId} ${lastProcessedInput}`));
    world.on('tick', ({ tick, serverTimeMs }) => events.push(`tick ${tick} ${serverTimeMs}`));
    world.apply(MessageType.INTEREST_UPDATE, { tick: 1, entered: [7, 3], exited: [] });
    expect(world.visibleIds).toEqual([3, 7]);
    expect(world.size).toBe(0);
    world.apply(MessageType.WORLD_STATE, { tick: 1, zoneId: 'start', players: [{ entityId: 3, playerId: 'alice', health: 80, maxHealth: 100 }], npcs: [npc(7)] });
    expect(world.selfEntityId).toBe(3);
    expect(events).toEqual([]);
    world.apply(MessageType.WORLD_DELTA, delta(1, 2, [{ slot: 0, state: at(1) }, { slot: 1, state: at(10, 2) }], 4));
    expect(events).toEqual(['enter 3@1', 'enter 7@1', 'update 3 true', 'update 7 true', 'self 3 4', 'tick 1 1050']);
    expect(world.entity(7)).toMatchObject({ kind: 'npc', externalId: 'npc-7', entityType: 'wolf', health: 30, enteredTick: 1, baselineTick: 1, tick: 1 });
    expect(world.self).toMatchObject({ kind: 'player', externalId: 'alice', entityType: 'player', health: 80, maxHealth: 100 });
    expect(world.zoneId).toBe('start');
    expect(world.lastProcessedInput).toBe(4);
    expect(world.entity(7)!.motion.position.x).toBeCloseTo(10, 1);
  });

  it('advances an entity without a record by its baseline velocity, keeping the baseline', () => {
    const { world } = twoEntities();
    const base = world.entity(7)!.baseline;
    const received: boolean[] = [];
    world.on('entityUpdated', ({ entity, received: r }) => entity.entityId === 7 && received.push(r));
    world.apply(MessageType.WORLD_DELTA, delta(4, 2, []));
    const e = world.entity(7)!;
    expect(e.baseline).toBe(base);
    expect(e.baselineTick).toBe(1);
    expect(codec.equals(e.quantized, codec.predict(base, 150))).toBe(true);
    expect(e.motion.position.x).toBeCloseTo(10.3, 1);
    // A delta record decodes against the baseline advanced over the 4 ticks since it.
    const moved = at(10.5, 2);
    world.apply(MessageType.WORLD_DELTA, delta(5, 2, [{ slot: 1, state: moved, base, elapsedMs: 200 }]));
    expect(codec.equals(world.entity(7)!.quantized, moved)).toBe(true);
    expect(world.entity(7)!.baselineTick).toBe(5);
    expect(received).toEqual([false, true]);
  });

  it('exits: interest exits are announced, and slots follow the new ascending list', () => {
    const { world, desyncs } = twoEntities();
    const exits: string[] = [];
    world.on('entityExited', ({ entity, reason }) => exits.push(`${entity.entityId} ${reason}`));
    world.apply(MessageType.INTEREST_UPDATE, { tick: 2, entered: [5], exited: [3] });
    world.apply(MessageType.WORLD_STATE, { tick: 2, objects: [{ entityId: 5, objectId: 'chest-1', objectType: 'chest', customState: Uint8Array.of(1, 2) }] });
    world.apply(MessageType.WORLD_DELTA, delta(2, 2, [{ slot: 0, state: at(-3) }]));
    expect(exits).toEqual(['3 interest']);
    expect(world.visibleIds).toEqual([5, 7]);
    expect(world.entity(5)).toMatchObject({ kind: 'object', externalId: 'chest-1', entityType: 'chest', customState: Uint8Array.of(1, 2) });
    expect(desyncs).toEqual([]);
  });

  it.each<[string, number, unknown, WorldDesyncReason]>([
    ['an exit of an entity not in view', MessageType.INTEREST_UPDATE, { tick: 2, exited: [99] }, 'interest'],
    ['an entry of an entity in view', MessageType.INTEREST_UPDATE, { tick: 2, entered: [3] }, 'interest'],
    ['entity id 0', MessageType.INTEREST_UPDATE, { tick: 2, entered: [0] }, 'malformed'],
    ['a snapshot of an entity not in view', MessageType.WORLD_STATE, { tick: 2, npcs: [npc(99)] }, 'unknown-entity'],
    ['a delta for another visible count', MessageType.WORLD_DELTA, delta(2, 3, []), 'visible-count'],
    ['a delta of an old tick', MessageType.WORLD_DELTA, delta(1, 2, []), 'tick-order'],
    ['truncated records', MessageType.WORLD_DELTA, truncated(delta(2, 2, [{ slot: 1, state: at(50) }])), 'malformed'],
    ['bytes left over', MessageType.WORLD_DELTA, { ...delta(2, 2, []), packed: Uint8Array.of(0, 2, 0, 0, 0) }, 'malformed'],
    ['a payload that is no object', MessageType.WORLD_DELTA, 'nope', 'malformed'],
    ['a field of the wrong type', MessageType.INTEREST_UPDATE, { tick: 'x' }, 'malformed'],
  ])('%s raises desync, drops the view and ignores the stream until reset', (_name, type, payload, reason) => {
    const { world, desyncs } = twoEntities();
    const exits: string[] = [];
    world.on('entityExited', ({ entity, reason: r }) => exits.push(`${entity.entityId} ${r}`));
    expect(world.apply(type, payload)).toBe(true);
    expect(desyncs).toEqual([reason]);
    expect(world.needsResync).toBe(true);
    expect(world.visibleIds).toEqual([]);
    expect(exits).toEqual(['3 desync', '7 desync']);
    world.apply(MessageType.INTEREST_UPDATE, { tick: 3, entered: [8] });
    expect(world.visibleIds).toEqual([]);
    world.reset();
    expect(world.needsResync).toBe(false);
    world.apply(MessageType.INTEREST_UPDATE, { tick: 3, entered: [8] });
    world.apply(MessageType.WORLD_STATE, { tick: 3, npcs: [npc(8)] });
    world.apply(MessageType.WORLD_DELTA, delta(3, 1, [{ slot: 0, state: at(2) }]));
    expect(world.entities().map((e) => e.entityId)).toEqual([8]);
    expect(desyncs).toEqual([reason]);
  });

  it('an entered entity without a full record or a snapshot entry is out of step', () => {
    const world = createWorldState();
    const reasons: WorldDesyncReason[] = [];
    world.on('desync', ({ error }) => {
      expect(isClientError(error, 'WORLD_DESYNC')).toBe(true);
      reasons.push(error.reason);
    });
    world.apply(MessageType.INTEREST_UPDATE, { tick: 1, entered: [1] });
    world.apply(MessageType.WORLD_STATE, { tick: 1, npcs: [npc(1)] });
    world.apply(MessageType.WORLD_DELTA, delta(1, 1, []));
    world.reset();
    world.apply(MessageType.INTEREST_UPDATE, { tick: 1, entered: [1] });
    world.apply(MessageType.WORLD_DELTA, delta(1, 1, [{ slot: 0, state: at(1) }]));
    world.reset();
    world.apply(MessageType.INTEREST_UPDATE, { tick: 1, entered: [1] });
    world.apply(MessageType.WORLD_STATE, { tick: 1, npcs: [npc(1)] });
    world.apply(MessageType.WORLD_DELTA, delta(1, 1, [{ slot: 0, state: at(1), base: at(0) }]));
    expect(reasons).toEqual(['missing-state', 'missing-state', 'malformed']);
  });

  it('reportDecodeError of a view message is a desync; of PLAYER_STATE or another type it is not', () => {
    const { world, desyncs } = twoEntities();
    world.reportDecodeError(MessageType.PLAYER_STATE, new Error('bad'));
    world.reportDecodeError(MessageType.CHAT_MESSAGE, new Error('bad'));
    expect(desyncs).toEqual([]);
    world.reportDecodeError(MessageType.WORLD_DELTA, new Error('bad protobuf'));
    expect(desyncs).toEqual(['decode']);
  });

  it('PLAYER_STATE is a correction event (and refreshes health); other types are not handled', () => {
    const { world } = twoEntities('alice');
    const corrections: unknown[] = [];
    world.on('correction', (c) => corrections.push(c));
    world.apply(MessageType.PLAYER_STATE, { playerId: 'alice', entityId: 3, position: { x: 1, y: 2, z: 3 }, health: 50, maxHealth: 100, lastProcessedInput: 9, tick: 4, timestamp: 1200 });
    expect(corrections).toEqual([
      { playerId: 'alice', entityId: 3, position: { x: 1, y: 2, z: 3 }, rotation: identity, velocity: { x: 0, y: 0, z: 0 }, flags: 0, health: 50, maxHealth: 100, lastProcessedInput: 9, tick: 4, serverTimeMs: 1200 },
    ]);
    expect(world.self!.health).toBe(50);
    expect(world.apply(MessageType.CHAT_MESSAGE, new Uint8Array())).toBe(false);
  });

  it('finds self from a later setSelfPlayerId or ZONE_UPDATE, and keeps it across reset', () => {
    const { world } = twoEntities();
    expect(world.selfEntityId).toBeUndefined();
    world.setSelfPlayerId('alice');
    expect(world.selfEntityId).toBe(3);
    world.apply(MessageType.ZONE_UPDATE, { zoneId: 'caves', selfEntityId: 7 });
    expect(world.selfEntityId).toBe(7);
    expect(world.zoneId).toBe('caves');
    world.reset();
    expect(world.selfEntityId).toBe(7);
    expect(world.self).toBeUndefined();
  });

  it('a listener that resets during a tick stops the rest of that tick', () => {
    const { world } = twoEntities();
    const updated: number[] = [];
    world.on('entityUpdated', ({ entity }) => {
      updated.push(entity.entityId);
      world.reset();
    });
    let ticks = 0;
    world.on('tick', () => ticks++);
    world.apply(MessageType.WORLD_DELTA, delta(2, 2, []));
    expect(updated).toEqual([3]);
    expect(ticks).toBe(0);
    expect(world.size).toBe(0);
  });
});
