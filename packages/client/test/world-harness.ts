/**
 * A real `@mmo/server` Zone feeding client WorldStates: each viewer's messages go through the
 * protobuf registry (pack, then unpack, as over the wire) into `world.apply`. Random walkers move
 * NPCs on the server's authority.
 */
import { createMessageRegistry } from '@mmo/protocol';
import type { Zone, ZoneEntity } from '@mmo/server';
import type { WorldState } from '../src/index.js';

export const TICK_MS = 50;

/** A seeded LCG in [0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** What a sink saw, in order, after the protobuf round trip. */
export interface SeenMessage {
  type: number;
  payload: unknown;
}

/**
 * A ViewerSink that hands every state message and correction to `world`. `tamper` may replace a
 * decoded payload (or return null to drop it) before it is applied.
 */
export class WorldSink {
  backlogBytes = 0;
  readonly seen: SeenMessage[] = [];
  tamper: ((type: number, payload: unknown) => unknown) | undefined;
  private readonly registry = createMessageRegistry();

  constructor(readonly world: WorldState) {}

  sendState(type: number, payload: unknown): boolean {
    this.deliver(type, payload);
    return true;
  }
  sendReliable(): boolean {
    return true;
  }
  sendVolatile(type: number, payload: unknown): boolean {
    this.deliver(type, payload);
    return true;
  }

  private deliver(type: number, payload: unknown): void {
    let decoded: unknown = this.registry.unpack(type, this.registry.pack(type, payload as never));
    if (this.tamper !== undefined) decoded = this.tamper(type, decoded);
    if (decoded === null) return;
    this.seen.push({ type, payload: decoded });
    this.world.apply(type, decoded);
  }
}

/** NPC walkers with random turns inside a square of half-size `half`; returns the per-tick mover. */
export function walkers(zone: Zone, count: number, half: number, random: () => number): () => void {
  const list: { e: ZoneEntity; heading: number; turn: number; speed: number }[] = [];
  for (let i = 0; i < count; i++) {
    const e = zone.spawn({
      kind: 'npc',
      externalId: `npc-${i}`,
      entityType: i % 2 === 0 ? 'wolf' : 'boar',
      position: { x: (random() - 0.5) * 2 * half, y: 0, z: (random() - 0.5) * 2 * half },
    });
    list.push({ e, heading: random() * 7, turn: 0, speed: random() < 0.2 ? 0 : 2 + random() * 6 });
  }
  return () => {
    for (const w of list) {
      if (w.speed === 0) continue;
      if (random() < 0.05) w.turn = (random() - 0.5) * 4;
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
        // Now and then a game flag (e.g. "attacking") flips.
        ...(random() < 0.02 ? { flags: Math.floor(random() * 256) } : {}),
      });
    }
  };
}

/** Fails the test with a readable message when the client's view differs from the server's. */
export function expectSameView(zone: Zone, player: ZoneEntity, world: WorldState, userId: string): number {
  const viewer = zone.viewerOf(player)!;
  const ids = viewer.visible.map((e) => e.id);
  if (JSON.stringify([...world.visibleIds]) !== JSON.stringify(ids)) {
    throw new Error(`visible ids differ for ${userId}: client ${world.visibleIds.join(',')} server ${ids.join(',')}`);
  }
  const maxError = world.codec.position.maxError;
  let checked = 0;
  for (const id of ids) {
    const server = zone.entity(id)!;
    const client = world.entity(id);
    if (client === undefined) throw new Error(`entity ${id} visible but without state on the client`);
    if (!world.codec.equals(client.quantized, server.state!)) {
      throw new Error(`entity ${id}: client ${JSON.stringify(client.quantized)} server ${JSON.stringify(server.state)}`);
    }
    const p = client.motion.position;
    const q = server.motion.position;
    if (Math.abs(p.x - q.x) > maxError.x + 1e-9 || Math.abs(p.y - q.y) > maxError.y + 1e-9 || Math.abs(p.z - q.z) > maxError.z + 1e-9) {
      throw new Error(`entity ${id}: position ${JSON.stringify(p)} is further than maxError from ${JSON.stringify(q)}`);
    }
    const externalId = server.kind === 'player' ? String(server.data.get('userId')) : server.externalId;
    if (client.kind !== server.kind || client.externalId !== externalId || client.entityType !== server.entityType) {
      throw new Error(`entity ${id}: identity ${client.kind}/${client.externalId}/${client.entityType} differs`);
    }
    checked++;
  }
  if (world.selfEntityId !== player.id) throw new Error(`self of ${userId} is ${world.selfEntityId}, not ${player.id}`);
  if (world.lastProcessedInput !== zone.lastProcessedInput(player)) throw new Error(`lastProcessedInput of ${userId} differs`);
  return checked;
}
