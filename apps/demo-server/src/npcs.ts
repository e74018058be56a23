import type { Zone, ZoneEntity } from '@mmo/server';
import { randomPointIn, type WalkableArea } from './world.js';

/** How the wandering NPCs behave. */
export interface WanderersOptions {
  /** How many to spawn. */
  count: number;
  /** Where they walk. */
  area: Readonly<WalkableArea>;
  /** Randomness in [0, 1) (seeded in tests). */
  random: () => number;
  /**
   * Walk speed range, m/s.
   * @default [1.2, 2.5]
   */
  speedMps?: readonly [number, number];
  /**
   * Pause at each destination, ms.
   * @default [500, 2500]
   */
  pauseMs?: readonly [number, number];
  /**
   * Distance kept from the area's edges, world units.
   * @default 2
   */
  edgeMarginM?: number;
}

/** Defaults of the optional {@link WanderersOptions}. */
export const wanderersDefaults = Object.freeze({
  speedMps: [1.2, 2.5] as const,
  pauseMs: [500, 2500] as const,
  edgeMarginM: 2,
});

/** NPC kinds, round robin (the web demo colours them by type). */
const NPC_TYPES = ['sheep', 'goat', 'chicken'] as const;

interface Wanderer {
  entity: ZoneEntity;
  target: { x: number; y: number; z: number };
  speedMps: number;
  /** Time left standing still before picking the next destination. */
  pauseLeftMs: number;
}

/** The NPCs and the step that moves them (call it from the `onTick` hook). */
export interface Wanderers {
  readonly entities: readonly ZoneEntity[];
  /** Advances every NPC by one tick of `dtMs`. */
  step(dtMs: number): void;
}

function between(random: () => number, [lo, hi]: readonly [number, number]): number {
  return lo + random() * (hi - lo);
}

/** Rotation about +y (up) that faces the direction (dx, dz). */
function facing(dx: number, dz: number): { x: number; y: number; z: number; w: number } {
  const yaw = Math.atan2(dx, dz);
  return { x: 0, y: Math.sin(yaw / 2), z: 0, w: Math.cos(yaw / 2) };
}

/**
 * Spawns `count` NPCs that walk between random points of the area, pausing at each, moved on the
 * server's authority with `zone.moveEntity` (position and velocity, so clients extrapolate them
 * exactly between records).
 */
export function createWanderers(zone: Zone, options: WanderersOptions): Wanderers {
  const speedMps = options.speedMps ?? wanderersDefaults.speedMps;
  const pauseMs = options.pauseMs ?? wanderersDefaults.pauseMs;
  const margin = options.edgeMarginM ?? wanderersDefaults.edgeMarginM;
  const { area, random } = options;
  const wanderers: Wanderer[] = [];
  for (let i = 0; i < options.count; i++) {
    const type = NPC_TYPES[i % NPC_TYPES.length]!;
    const entity = zone.spawn({ kind: 'npc', externalId: `${type}-${i + 1}`, entityType: type, position: randomPointIn(area, random, margin) });
    wanderers.push({ entity, target: randomPointIn(area, random, margin), speedMps: between(random, speedMps), pauseLeftMs: between(random, pauseMs) });
  }

  const step = (dtMs: number) => {
    for (const w of wanderers) {
      const p = w.entity.motion.position;
      if (w.pauseLeftMs > 0) {
        w.pauseLeftMs -= dtMs;
        if (w.pauseLeftMs <= 0) w.target = randomPointIn(area, random, margin);
        continue;
      }
      const dx = w.target.x - p.x;
      const dz = w.target.z - p.z;
      const distance = Math.hypot(dx, dz);
      const stepM = (w.speedMps * dtMs) / 1000;
      if (distance <= stepM) {
        // Arrived: stand still (zero velocity, so clients stop extrapolating) and pause.
        zone.moveEntity(w.entity, { position: w.target, velocity: { x: 0, y: 0, z: 0 } });
        w.pauseLeftMs = between(random, pauseMs);
        w.speedMps = between(random, speedMps);
        continue;
      }
      const ux = dx / distance;
      const uz = dz / distance;
      zone.moveEntity(w.entity, {
        position: { x: p.x + ux * stepM, y: 0, z: p.z + uz * stepM },
        velocity: { x: ux * w.speedMps, y: 0, z: uz * w.speedMps },
        rotation: facing(ux, uz),
      });
    }
  };
  return { entities: wanderers.map((w) => w.entity), step };
}
