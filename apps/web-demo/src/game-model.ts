/**
 * The local player's simulation, the same rules the demo server enforces: walk at a fixed speed
 * in the pressed direction, clamped to the walkable rectangle. Every difference from the server
 * would show up as a correction, so this stays tiny and exact.
 */
import type { PredictionModel } from '@mmo/client';

/** A point on the ground plane (the server's x and z; y is up and stays 0). */
export interface GroundPos {
  x: number;
  z: number;
}

/** Held direction keys as a unit vector (or zero). */
export interface MoveInput {
  dx: number;
  dz: number;
}

/** The rectangle the server's zone allows (from `/demo/config.json`). */
export interface WalkableArea {
  minX: number;
  maxX: number;
  minZ: number;
  maxZ: number;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);

/** The prediction model for `createPredictor`. */
export function createGroundModel(area: WalkableArea, walkSpeedMps: number): PredictionModel<GroundPos, MoveInput> {
  return {
    applyInput: (s, i, dtMs) => ({
      x: clamp(s.x + (i.dx * walkSpeedMps * dtMs) / 1000, area.minX, area.maxX),
      z: clamp(s.z + (i.dz * walkSpeedMps * dtMs) / 1000, area.minZ, area.maxZ),
    }),
    distance: (a, b) => Math.hypot(a.x - b.x, a.z - b.z),
    blend: (a, b, t) => ({ x: a.x + (b.x - a.x) * t, z: a.z + (b.z - a.z) * t }),
  };
}

/** WASD (and arrows) to a unit direction: W is -z (up on screen), D is +x. */
export function directionOf(held: ReadonlySet<string>): MoveInput {
  const dx = (held.has('KeyD') || held.has('ArrowRight') ? 1 : 0) - (held.has('KeyA') || held.has('ArrowLeft') ? 1 : 0);
  const dz = (held.has('KeyS') || held.has('ArrowDown') ? 1 : 0) - (held.has('KeyW') || held.has('ArrowUp') ? 1 : 0);
  const length = Math.hypot(dx, dz);
  return length === 0 ? { dx: 0, dz: 0 } : { dx: dx / length, dz: dz / length };
}
