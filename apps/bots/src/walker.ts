/**
 * How a bot walks: a prediction model the predictor replays (position + velocity × dt, clamped to
 * the walking area), and a steering that turns at random and bounces off the area's edges.
 */
import type { PredictionModel } from '@mmo/client';
import type { Vector3Like } from '@mmo/protocol';

/** An axis-aligned box in world units. */
export interface WalkArea {
  min: Vector3Like;
  max: Vector3Like;
}

/** One movement input: the velocity held for the input's duration, in units per second. */
export interface WalkInput {
  vx: number;
  vz: number;
}

/**
 * The area a bot walks in: the square x, z in ±halfSize around `center` (the origin, where the
 * stock gateway spawns everyone), intersected with the zone bounds when the server sent them
 * (ZONE_UPDATE); y stays at the center's height, clamped into the bounds.
 */
export function walkArea(halfSize: number, zoneMin?: Vector3Like, zoneMax?: Vector3Like, center: Vector3Like = { x: 0, y: 0, z: 0 }): WalkArea {
  const min = { x: center.x - halfSize, y: center.y, z: center.z - halfSize };
  const max = { x: center.x + halfSize, y: center.y, z: center.z + halfSize };
  if (zoneMin !== undefined && zoneMax !== undefined && zoneMin.x < zoneMax.x && zoneMin.z < zoneMax.z) {
    min.x = Math.max(min.x, zoneMin.x);
    min.z = Math.max(min.z, zoneMin.z);
    max.x = Math.min(max.x, zoneMax.x);
    max.z = Math.min(max.z, zoneMax.z);
    // A zone that does not overlap the square: walk in the zone itself.
    if (min.x >= max.x) [min.x, max.x] = [zoneMin.x, zoneMax.x];
    if (min.z >= max.z) [min.z, max.z] = [zoneMin.z, zoneMax.z];
    const y = Math.min(Math.max(center.y, zoneMin.y), zoneMax.y);
    min.y = y;
    max.y = y;
  }
  return { min, max };
}

const clamp = (v: number, lo: number, hi: number) => (v < lo ? lo : v > hi ? hi : v);

/** The predictor's model of a walking bot inside `area` (the same rule the server applies: position as sent). */
export function walkModel(area: () => WalkArea): PredictionModel<Vector3Like, WalkInput> {
  return {
    applyInput: (s, i, dtMs) => {
      const a = area();
      return {
        x: clamp(s.x + (i.vx * dtMs) / 1000, a.min.x, a.max.x),
        y: s.y,
        z: clamp(s.z + (i.vz * dtMs) / 1000, a.min.z, a.max.z),
      };
    },
    distance: (a, b) => Math.hypot(a.x - b.x, a.y - b.y, a.z - b.z),
    blend: (a, b, t) => ({ x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t, z: a.z + (b.z - a.z) * t }),
  };
}

/** Average turn rate changes per second: a new turn every 2 s or so. */
const TURN_CHANGES_PER_SECOND = 0.5;
/** Largest turn rate, in radians per second. */
const MAX_TURN_RAD_PER_SECOND = 2;

/** Random-walk steering: a heading that drifts with a turn rate that changes now and then. */
export class Steering {
  private heading: number;
  private turn = 0;

  constructor(
    private readonly speed: number,
    private readonly random: () => number = Math.random,
  ) {
    this.heading = random() * 2 * Math.PI;
  }

  /** The velocity for the next `dtMs` from `position`, turned away from any edge it would cross. */
  next(position: Readonly<Vector3Like>, dtMs: number, area: WalkArea): WalkInput {
    const dt = dtMs / 1000;
    if (this.random() < TURN_CHANGES_PER_SECOND * dt) this.turn = (this.random() * 2 - 1) * MAX_TURN_RAD_PER_SECOND;
    this.heading += this.turn * dt;
    let vx = Math.cos(this.heading) * this.speed;
    let vz = Math.sin(this.heading) * this.speed;
    // Bounce: reflect the component that would leave the area (a reflection, not a reversal, so
    // the path rarely comes back over a point it just left, which the latency match relies on).
    const nx = position.x + vx * dt;
    const nz = position.z + vz * dt;
    if ((nx < area.min.x && vx < 0) || (nx > area.max.x && vx > 0)) vx = -vx;
    if ((nz < area.min.z && vz < 0) || (nz > area.max.z && vz > 0)) vz = -vz;
    this.heading = Math.atan2(vz, vx);
    return { vx, vz };
  }

  /** The rotation of the current heading about +y, as a quaternion. */
  rotation(): { x: number; y: number; z: number; w: number } {
    // Heading is measured from +x towards +z; a yaw of -heading turns +x onto it.
    const half = -this.heading / 2;
    return { x: 0, y: Math.sin(half), z: 0, w: Math.cos(half) };
  }
}

/** True when `p` lies inside `area` in x and z. */
export function insideArea(p: Readonly<Vector3Like>, area: WalkArea): boolean {
  return p.x >= area.min.x && p.x <= area.max.x && p.z >= area.min.z && p.z <= area.max.z;
}
