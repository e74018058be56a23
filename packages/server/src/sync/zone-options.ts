import { type EntityStateCodecOptions, entityStateCodecDefaults, MmoError } from '@mmo/protocol';
import type { InterestSetOptions } from '../interest/interest-set.js';
import type { SpatialGridOptions } from '../interest/spatial-grid.js';
import type { MovementBounds, MovementValidatorOptions } from './movement-options.js';

/** Settings of a {@link Zone}; see {@link zoneDefaults}. */
export interface ZoneOptions {
  /**
   * Where entities may be, world units. Movement outside is clamped (reason `'bounds'`).
   * @default the entity codec's world box: x and z in [-4096, 4096], y in [-512, 512]
   */
  bounds?: MovementBounds;
  /** Interest radii and the per-client entity cap. @default interestSetDefaults (enter 100, exit 115, 256 entities) */
  interest?: InterestSetOptions;
  /** Spatial hash grid. @default 64-unit cells (measured 10 % faster ticks than 32 at the default 100-unit view) */
  grid?: SpatialGridOptions;
  /** Anti-cheat rules for player movement. @default movementValidatorDefaults */
  movement?: MovementValidatorOptions;
  /** Quantization of entity states on the wire; clients must use the same. @default entityStateCodecDefaults */
  codec?: EntityStateCodecOptions;
  /**
   * Byte budget of one client's WORLD_DELTA per tick (packed records); beyond it the records of
   * the least starved entities wait for a later tick. Entities entering view and the client's own
   * entity are always sent.
   * @default 1000
   */
  maxBytesPerTick?: number;
  /**
   * A client whose write queue holds more than this many bytes gets no state this tick (it
   * catches up later with deltas against what it has).
   * @default 65536
   */
  maxBacklogBytes?: number;
  /**
   * Ticks between two interest updates of a client (staggered over clients so each tick does an
   * equal share). Entities entering or leaving view are seen up to this many ticks late; the
   * hysteresis band (exit radius minus enter radius) must exceed what two entities move in that
   * time (2 x 7 units/s x 0.2 s = 2.8 units against the default 15). Despawns are seen at once.
   * @default 4
   */
  interestIntervalTicks?: number;
  /**
   * Ticks of state history kept per entity.
   * @default 64
   */
  historyTicks?: number;
  /**
   * Movement inputs a player may have queued between two ticks; older ones are dropped beyond it.
   * @default 16
   */
  maxQueuedInputs?: number;
  /**
   * Window of the violation count reported to `onViolation`, in ms.
   * @default 10000
   */
  violationWindowMs?: number;
}

/** Resolved settings of a zone. */
export interface ResolvedZoneOptions {
  bounds: MovementBounds;
  interest: InterestSetOptions;
  grid: SpatialGridOptions;
  movement: MovementValidatorOptions;
  codec: EntityStateCodecOptions;
  maxBytesPerTick: number;
  maxBacklogBytes: number;
  interestIntervalTicks: number;
  historyTicks: number;
  maxQueuedInputs: number;
  violationWindowMs: number;
}

/** Defaults of {@link ZoneOptions}. */
export const zoneDefaults: Readonly<ResolvedZoneOptions> = Object.freeze({
  bounds: Object.freeze({ min: entityStateCodecDefaults.worldMin, max: entityStateCodecDefaults.worldMax }),
  interest: Object.freeze({}),
  // 64-unit cells: a 115-unit interest query probes 5 x 5 cells; bench/sync.mjs measured 26-27 ms per
  // 1,000-client tick against 29-30 ms with 32-unit cells.
  grid: Object.freeze({ cellSize: 64 }),
  movement: Object.freeze({}),
  codec: Object.freeze({}),
  // 1000 B per tick is 20 kB/s at 20 Hz: about 300 moving entities' deltas, far above a normal view.
  maxBytesPerTick: 1000,
  // 64 KiB: several seconds of state for one client; past it the client is not reading.
  maxBacklogBytes: 65_536,
  // 4 ticks: interest at 5 Hz when ticking at 20 Hz; a quarter of the grid queries, and enters are
  // at most 200 ms late at the edge of a 100-unit view.
  interestIntervalTicks: 4,
  // 64 ticks: 3.2 s at 20 Hz, enough for lag compensation at any playable RTT.
  historyTicks: 64,
  // 16: almost a second of 20 Hz inputs between two ticks.
  maxQueuedInputs: 16,
  // 10 s: repeated violations within it reach the hook with their count.
  violationWindowMs: 10_000,
});

/** Fills in defaults and refuses invalid numbers with an `INVALID_OPTIONS` error naming the field. */
export function resolveZoneOptions(options: ZoneOptions | undefined): ResolvedZoneOptions {
  const o: ResolvedZoneOptions = { ...zoneDefaults };
  if (options !== undefined) {
    for (const [key, value] of Object.entries(options)) if (value !== undefined) (o as unknown as Record<string, unknown>)[key] = value;
  }
  for (const name of ['maxBytesPerTick', 'maxBacklogBytes', 'interestIntervalTicks', 'historyTicks', 'maxQueuedInputs', 'violationWindowMs'] as const) {
    const value = o[name];
    if (!Number.isInteger(value) || value < 1) {
      throw new MmoError('INVALID_OPTIONS', `Zone: ${name} must be a positive integer, got ${String(value)}`);
    }
  }
  return o;
}
