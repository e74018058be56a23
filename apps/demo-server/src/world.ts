/**
 * The demo's world: one rectangular walkable area on the x/z plane (y is up and stays 0), the
 * player walk speed, and the tick rate. The web demo reads the same figures from
 * `GET /demo/config.json`, so its prediction clamps to the very rectangle the server enforces.
 */

/** A rectangle on the ground plane, world units (metres). */
export interface WalkableArea {
  minX: number;
  maxX: number;
  minZ: number;
  maxZ: number;
}

/** What the demo world is made of. */
export interface DemoWorldOptions {
  /**
   * Where players and NPCs may walk; the zone rejects (and corrects) movement outside it.
   * @default 60 x 40 m centred on the origin
   */
  area?: WalkableArea;
  /**
   * Player walk speed, m/s; under the zone's `maxSpeed` (7 m/s) so honest inputs always pass.
   * @default 5
   */
  walkSpeedMps?: number;
  /**
   * Simulation ticks per second (the zone's tick loop; the client's `tickRate`).
   * @default 20
   */
  tickRate?: number;
  /**
   * Wandering NPCs spawned at start.
   * @default 7
   */
  npcCount?: number;
  /**
   * Interest radius of each player, world units. The default sees the whole area from anywhere.
   * @default 80
   */
  viewRadius?: number;
}

/** Defaults of {@link DemoWorldOptions}. */
export const demoWorldDefaults = Object.freeze({
  area: Object.freeze({ minX: -30, maxX: 30, minZ: -20, maxZ: 20 }) as Readonly<WalkableArea>,
  walkSpeedMps: 5,
  tickRate: 20,
  npcCount: 7,
  viewRadius: 80,
});

/** The resolved world, also what `GET /demo/config.json` sends (plus a few client settings). */
export type DemoWorld = Readonly<Required<DemoWorldOptions>>;

/** Merges the defaults once and checks the figures. */
export function resolveDemoWorld(options: DemoWorldOptions = {}): DemoWorld {
  const world = { ...demoWorldDefaults, ...options };
  const { area } = world;
  if (!(area.minX < area.maxX && area.minZ < area.maxZ)) throw new RangeError('demo world: area min must be below max on both axes');
  if (!(world.walkSpeedMps > 0 && world.walkSpeedMps < 7)) throw new RangeError('demo world: walkSpeedMps must be in (0, 7), the zone validator allows 7 m/s');
  if (!Number.isInteger(world.npcCount) || world.npcCount < 0 || world.npcCount > 100) throw new RangeError('demo world: npcCount must be an integer in 0..100');
  return Object.freeze({ ...world, area: Object.freeze({ ...area }) });
}

/** A uniformly random point of `area`, `margin` units away from its edges. */
export function randomPointIn(area: Readonly<WalkableArea>, random: () => number, margin = 0): { x: number; y: number; z: number } {
  const x = area.minX + margin + random() * (area.maxX - area.minX - 2 * margin);
  const z = area.minZ + margin + random() * (area.maxZ - area.minZ - 2 * margin);
  return { x, y: 0, z };
}

/**
 * A small seeded PRNG (mulberry32) so a run of the demo, and its tests, can be replayed.
 * @example
 * const random = seededRandom(42); random(); // 0.6011037519201636
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
