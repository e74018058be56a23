// Game data that is not motion (health, custom state): Zone.markDirty re-sends an entity's snapshot
// entry to the clients that see it, and spawn({ customState }) hands bytes to deserializeCustomState.
import { MessageType } from '@mmo/protocol';
import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { WorldMirror } from '../../test/world-mirror.js';
import type { GameplayHooks } from './gameplay-hooks.js';
import { Zone, type ZoneInit } from './zone.js';

const TICK_MS = 50;
const logger = pino({ level: 'silent' });

function makeZone(extra: Partial<ZoneInit> = {}) {
  return new Zone({ id: 'z', tickIntervalMs: TICK_MS, logger, interest: { enterRadius: 50 }, ...extra });
}

interface SnapshotPayload {
  players: { entityId: number; health: number; customState: Uint8Array }[];
  npcs: { entityId: number; health: number }[];
  objects: { entityId: number; customState: Uint8Array }[];
}

/** The snapshot entries (entity id -> health) a mirror received since message `from`. */
function snapshotHealth(mirror: WorldMirror, from: number): Map<number, number>[] {
  return mirror.received
    .slice(from)
    .filter((m) => m.type === MessageType.WORLD_STATE)
    .map((m) => {
      const p = m.payload as SnapshotPayload;
      return new Map([...p.players, ...p.npcs].map((e) => [e.entityId, e.health] as const));
    });
}

function setup(extra: Partial<ZoneInit> = {}) {
  const zone = makeZone(extra);
  const near = zone.joinPlayer('near', 's-near');
  const far = zone.joinPlayer('far', 's-far');
  zone.moveEntity(far, { position: { x: 500, y: 0, z: 0 } });
  const wolf = zone.spawn({ kind: 'npc', externalId: 'wolf', entityType: 'wolf', position: { x: 10, y: 0, z: 0 } });
  const mirrors = { near: new WorldMirror(zone.codec, TICK_MS), far: new WorldMirror(zone.codec, TICK_MS) };
  zone.attachViewer(near, mirrors.near);
  zone.attachViewer(far, mirrors.far);
  return { zone, near, far, wolf, mirrors };
}

describe('Zone game data refresh (markDirty)', () => {
  it('sends the changed entity again to the clients that see it, once, and to nobody else', () => {
    const { zone, wolf, mirrors } = setup();
    zone.step(1, 50);
    zone.step(2, 100);
    const from = { near: mirrors.near.received.length, far: mirrors.far.received.length };
    wolf.health = 42;
    wolf.maxHealth = 100;
    zone.markDirty(wolf);
    zone.markDirty(wolf); // twice in one tick: still one entry
    zone.step(3, 150);
    expect(snapshotHealth(mirrors.near, from.near)).toEqual([new Map([[wolf.id, 42]])]);
    expect(snapshotHealth(mirrors.far, from.far)).toEqual([]);
    // The refresh comes before the tick's delta, in the same batch.
    const types = mirrors.near.received.slice(from.near).map((m) => m.type);
    expect(types).toEqual([MessageType.WORLD_STATE, MessageType.WORLD_DELTA]);
    // Nothing changed since: nothing more is sent.
    const after = mirrors.near.received.length;
    zone.step(4, 200);
    expect(snapshotHealth(mirrors.near, after)).toEqual([]);
  });

  it('a client skipped for backlog gets the refresh at its next built tick', () => {
    const { zone, wolf, mirrors } = setup({ maxBacklogBytes: 1000 });
    zone.step(1, 50);
    const from = mirrors.near.received.length;
    mirrors.near.backlogBytes = 5000;
    wolf.health = 7;
    zone.markDirty(wolf);
    expect(zone.step(2, 100).viewersSkipped).toBe(1);
    zone.step(3, 150);
    expect(mirrors.near.received.length).toBe(from);
    mirrors.near.backlogBytes = 0;
    zone.step(4, 200);
    expect(snapshotHealth(mirrors.near, from)).toEqual([new Map([[wolf.id, 7]])]);
  });

  it('an entity refreshed in the tick it enters a view is listed once, with its new data', () => {
    const { zone, far, wolf, mirrors } = setup({ interestIntervalTicks: 1 });
    zone.step(1, 50);
    const from = mirrors.far.received.length;
    zone.moveEntity(wolf, { position: { x: 480, y: 0, z: 0 } });
    wolf.health = 3;
    zone.markDirty(wolf);
    zone.step(2, 100);
    const snapshots = mirrors.far.received.slice(from).filter((m) => m.type === MessageType.WORLD_STATE);
    expect(snapshots).toHaveLength(1);
    const entries = (snapshots[0]!.payload as SnapshotPayload).npcs;
    expect(entries.map((e) => [e.entityId, e.health])).toEqual([[wolf.id, 3]]);
    expect(mirrors.far.visible).toEqual([far.id, wolf.id].sort((a, b) => a - b));
  });

  it("refreshes a player's own entity for its own client (health after a hit)", () => {
    const { zone, near, mirrors } = setup();
    zone.step(1, 50);
    const from = mirrors.near.received.length;
    near.health = 55;
    zone.markDirty(near);
    zone.step(2, 100);
    expect(snapshotHealth(mirrors.near, from)).toEqual([new Map([[near.id, 55]])]);
  });

  it('refuses an entity that is not in the zone with a typed error', () => {
    const { zone, wolf } = setup();
    zone.removeEntity(wolf);
    expect(() => zone.markDirty(wolf)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    const other = makeZone();
    const stranger = other.spawn({ kind: 'npc', externalId: 'x', entityType: 'wolf', position: { x: 0, y: 0, z: 0 } });
    expect(() => zone.markDirty(stranger)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('custom state hooks', () => {
  it('an object saved with serializeCustomState comes back through deserializeCustomState, byte for byte', () => {
    const hooks: GameplayHooks = {
      serializeCustomState: (e) => {
        const loot = e.data.get('loot');
        return typeof loot === 'string' ? new TextEncoder().encode(loot) : undefined;
      },
      deserializeCustomState: vi.fn((e, bytes) => void e.data.set('loot', new TextDecoder().decode(bytes))),
    };
    const first = makeZone({ hooks });
    const viewerA = first.joinPlayer('a', 'sa');
    const mirrorA = new WorldMirror(first.codec, TICK_MS);
    first.attachViewer(viewerA, mirrorA);
    const chest = first.spawn({ kind: 'object', externalId: 'chest-1', entityType: 'chest', position: { x: 5, y: 0, z: 5 } });
    chest.data.set('loot', 'sword,potion');
    first.step(1, 50);
    const saved = (mirrorA.received.find((m) => m.type === MessageType.WORLD_STATE)!.payload as SnapshotPayload).objects[0]!.customState;
    expect(new TextDecoder().decode(saved)).toBe('sword,potion');

    // Restored in another zone (another node after a restart, say) from the saved bytes.
    const second = makeZone({ hooks });
    const restored = second.spawn({ kind: 'object', externalId: 'chest-1', entityType: 'chest', position: { x: 5, y: 0, z: 5 }, customState: saved });
    expect(hooks.deserializeCustomState).toHaveBeenCalledTimes(1);
    expect(hooks.deserializeCustomState).toHaveBeenCalledWith(restored, saved);
    expect(restored.data.get('loot')).toBe('sword,potion');
    const viewerB = second.joinPlayer('b', 'sb');
    const mirrorB = new WorldMirror(second.codec, TICK_MS);
    second.attachViewer(viewerB, mirrorB);
    second.step(1, 50);
    const again = (mirrorB.received.find((m) => m.type === MessageType.WORLD_STATE)!.payload as SnapshotPayload).objects[0]!.customState;
    expect([...again]).toEqual([...saved]);
  });

  it('a deserializeCustomState that throws is logged and the entity still spawns', () => {
    const zone = makeZone({
      hooks: {
        deserializeCustomState: () => {
          throw new Error('bad save');
        },
      },
    });
    const e = zone.spawn({ kind: 'object', externalId: 'o', entityType: 'crate', position: { x: 0, y: 0, z: 0 }, customState: new Uint8Array([1]) });
    expect(zone.entity(e.id)).toBe(e);
  });
});
