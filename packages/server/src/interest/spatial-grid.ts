import { MmoError, type Vector3Like } from '@mmo/protocol';
import { type CellBox, CellDirectory } from './cell-directory.js';

/**
 * Cells are bucketed by their coordinates modulo 1024 per axis, packed into 30 bits, so every key
 * is a small integer (a V8 Smi). Measured against a 51-bit packed key (17 bits per axis, which V8
 * hashes as a heap number): Map.get 3.6x faster, radius queries 1.2-1.6x faster. Cells 1024 apart
 * on an axis share a bucket; that costs a distance check on a far entity, never a wrong answer,
 * and a query box never spans 1024 cells on an axis (wider queries scan every entity instead), so
 * no bucket is visited twice in one query. Any finite coordinate works.
 */
const WRAP_BITS = 10;
const WRAP_CELLS = 1 << WRAP_BITS;
const WRAP_MASK = WRAP_CELLS - 1;

/**
 * A query box widened by this fraction of its coordinates' magnitude (plus an absolute floor)
 * never misses a point that rounding put on the far side of a cell edge.
 */
const BOX_EPSILON = 1e-9;

/** Settings of a {@link SpatialGrid}; see {@link spatialGridDefaults}. */
export interface SpatialGridOptions {
  /**
   * Edge of a cubic cell, in world units. Half the typical query radius is a good size (measured
   * for radius 100-115 over 5,000 entities: 16 -> 8 us per query, 32 -> 2.5 us, 64 -> 1.5 us).
   * @default 32
   */
  cellSize?: number;
}

/** Defaults of {@link SpatialGridOptions}. */
export const spatialGridDefaults: Readonly<Required<SpatialGridOptions>> = Object.freeze({
  // 32 units: a few seconds' walk at the validator's default 7 units/s, so a walking entity changes
  // cell every few seconds; a radius-100 query probes 7 x 7 cells per occupied layer.
  cellSize: 32,
});

/** Called by {@link SpatialGrid.forEachInRadius} for each entity in range. */
export type SpatialVisitor<Id> = (id: Id, distanceSq: number) => void;

/** Slots the grid's per-slot arrays hold before their first growth (they double when full). */
const INITIAL_SLOTS = 64;
/**
 * Numbers a cell stores per entity: x, y, z, slot. Positions live in their cell, so a query reads
 * each probed cell as one contiguous run instead of three random places per entity (measured in
 * bench/interest.mjs: the per-refresh cost was mostly cache misses on scattered positions).
 */
const STRIDE = 4;
/** Largest mark stamp before the marks are reset (Int32Array). */
const MAX_STAMP = 0x7fffffff;

/**
 * A 3-D spatial hash grid: entities bucketed by cubic cell, so a radius query only looks at the
 * cells overlapping the sphere's bounding box. Insert, move and remove are O(1); a move that stays
 * in its cell only updates the stored position.
 *
 * Each entity also has a slot: a small integer given at insert and kept until it is removed (then
 * given to a later insert), for callers that keep per-entity data in arrays ({@link slotOf},
 * {@link idAt}, {@link querySlots}, {@link querySlotsAgainst}, {@link moveSlot}).
 * @example
 * const grid = new SpatialGrid<string>({ cellSize: 32 });
 * grid.insert('p1', 10, 0, 10);
 * grid.queryRadius(0, 0, 0, 50, []); // ['p1']
 */
export class SpatialGrid<Id> {
  /** Edge of a cell, in world units. */
  readonly cellSize: number;
  private readonly inverseCellSize: number;
  /** Slot of each entity; its order (insertion) is the order of a full scan, as before slots. */
  private readonly slotsById = new Map<Id, number>();
  /** Occupied buckets: x, y, z, slot of each entity in it, in insertion order (swap-removal). */
  private readonly cells = new Map<number, number[]>();
  // Per slot: id (undefined when free), its cell (undefined when free), the cell's bucket key, and
  // where in the cell it is (in entities, not numbers).
  private ids: (Id | undefined)[] = [];
  private cellBySlot: (number[] | undefined)[] = [];
  private keys = new Int32Array(INITIAL_SLOTS);
  private cellIndexes = new Int32Array(INITIAL_SLOTS);
  /** Removed entities' slots, reused last-freed first. */
  private readonly freeSlots: number[] = [];
  /** Slots ever used since the last clear: every slot is below it. */
  private slotsUsed = 0;
  /** Bumped whenever a slot is freed (remove, clear): until it changes, no slot changed hands. */
  private epoch = 0;
  // Query scratch: hits (slot, squared distance) of the current query, and the marks of
  // querySlotsAgainst (a slot is known when its stamp is the current one; its index beside it).
  private hitSlots = new Int32Array(INITIAL_SLOTS);
  private hitDistancesSq = new Float64Array(INITIAL_SLOTS);
  private markStamps = new Int32Array(INITIAL_SLOTS);
  private markIndexes = new Int32Array(INITIAL_SLOTS);
  private stamp = 0;
  /** True while forEachInRadius is calling back (a nested query must not reuse the hit scratch). */
  private visiting = false;
  /**
   * Cell coordinates ever occupied since the last clear (grow-only, so O(1) to keep). Queries clip
   * their box to it: in a flat world a sphere's box spans one layer of cells instead of seven.
   */
  private occupied = emptyCellBox();
  /** The cells by offset over a box around `occupied` (queries probe the Map when undefined). */
  private directory: CellDirectory | undefined;

  constructor(options?: SpatialGridOptions) {
    const cellSize = options?.cellSize ?? spatialGridDefaults.cellSize;
    if (!Number.isFinite(cellSize) || cellSize <= 0) {
      throw new MmoError('INVALID_OPTIONS', `SpatialGrid: cellSize must be a positive finite number, got ${cellSize}`);
    }
    this.cellSize = cellSize;
    this.inverseCellSize = 1 / cellSize;
  }

  /** Number of entities in the grid. */
  get count(): number {
    return this.slotsById.size;
  }

  /** Number of non-empty buckets (cells, modulo 1024 per axis); memory use is proportional to it. */
  get cellCount(): number {
    return this.cells.size;
  }

  /** Every slot is below this; size per-slot arrays to it. */
  get slotCapacity(): number {
    return this.slotsUsed;
  }

  /**
   * Changes whenever a slot may have passed to another id (a remove or a clear). While it stays the
   * same, a slot read with {@link slotOf} still belongs to the same id, or that id was never removed.
   */
  get slotEpoch(): number {
    return this.epoch;
  }

  /** True if `id` is in the grid. */
  has(id: Id): boolean {
    return this.slotsById.has(id);
  }

  /** A copy of the stored position of `id`, or undefined if absent. */
  position(id: Id): Vector3Like | undefined {
    const s = this.slotsById.get(id);
    if (s === undefined) return undefined;
    const cell = this.cellBySlot[s] as number[];
    const at = (this.cellIndexes[s] as number) * STRIDE;
    return { x: cell[at] as number, y: cell[at + 1] as number, z: cell[at + 2] as number };
  }

  /**
   * The slot of `id`: an integer from 0, below {@link slotCapacity}, that stays its own until `id`
   * is removed (then a later insert may get it); -1 if `id` is absent.
   */
  slotOf(id: Id): number {
    return this.slotsById.get(id) ?? -1;
  }

  /** The id in `slot`, or undefined for a free or out-of-range slot. */
  idAt(slot: number): Id | undefined {
    return this.ids[slot];
  }

  /** Adds an entity. Throws `INVALID_ARGUMENT` if `id` is already present or a coordinate is not finite. */
  insert(id: Id, x: number, y: number, z: number): void {
    assertFinite(x, y, z);
    if (this.slotsById.has(id)) throw new MmoError('INVALID_ARGUMENT', `SpatialGrid.insert: ${String(id)} is already in the grid`);
    const s = this.freeSlots.length > 0 ? (this.freeSlots.pop() as number) : this.newSlot();
    this.slotsById.set(id, s);
    this.ids[s] = id;
    const key = this.keyOf(x, y, z);
    // More entities allow a larger directory: try again at each power of two.
    const count = this.slotsById.size;
    if (this.directory === undefined && (count & (count - 1)) === 0) this.buildDirectory();
    this.attach(s, key, x, y, z);
  }

  /** Moves an entity; touches buckets only when it crosses into another cell. Throws `INVALID_ARGUMENT` if absent. */
  move(id: Id, x: number, y: number, z: number): void {
    assertFinite(x, y, z);
    const s = this.slotsById.get(id);
    if (s === undefined) throw new MmoError('INVALID_ARGUMENT', `SpatialGrid.move: ${String(id)} is not in the grid`);
    this.place(s, x, y, z);
  }

  /**
   * {@link move} by slot (from {@link slotOf}), without the id lookup. Throws `INVALID_ARGUMENT` if
   * the slot is free or a coordinate is not finite.
   */
  moveSlot(slot: number, x: number, y: number, z: number): void {
    assertFinite(x, y, z);
    if (this.cellBySlot[slot] === undefined) throw new MmoError('INVALID_ARGUMENT', `SpatialGrid.moveSlot: slot ${slot} is not in use`);
    this.place(slot, x, y, z);
  }

  /** Removes an entity; false if it was not there. */
  remove(id: Id): boolean {
    const s = this.slotsById.get(id);
    if (s === undefined) return false;
    this.detach(s);
    this.slotsById.delete(id);
    this.ids[s] = undefined;
    this.cellBySlot[s] = undefined;
    this.freeSlots.push(s);
    this.epoch++;
    return true;
  }

  /** Removes every entity (slots are given from 0 again). */
  clear(): void {
    this.slotsById.clear();
    this.cells.clear();
    this.ids = [];
    this.cellBySlot = [];
    this.freeSlots.length = 0;
    this.slotsUsed = 0;
    this.epoch++;
    this.occupied = emptyCellBox();
    this.directory = undefined;
  }

  /**
   * Fills `out` (emptied first) with the ids within `radius` (inclusive, Euclidean) of the point
   * and returns it; pass the same array each tick to avoid allocating. Order is unspecified.
   */
  queryRadius(x: number, y: number, z: number, radius: number, out: Id[] = []): Id[] {
    out.length = 0;
    const hitSlots = this.scratchSlots();
    const hitDistancesSq = this.scratchDistances();
    const hits = this.scan(x, y, z, radius, hitSlots, hitDistancesSq);
    for (let i = 0; i < hits; i++) out.push(this.ids[hitSlots[i] as number] as Id);
    return out;
  }

  /**
   * Calls `visit(id, distanceSq)` for each entity within `radius` (inclusive) of the point. The
   * grid must not be modified during the visit.
   */
  forEachInRadius(x: number, y: number, z: number, radius: number, visit: SpatialVisitor<Id>): void {
    const hitSlots = this.scratchSlots();
    const hitDistancesSq = this.scratchDistances();
    const hits = this.scan(x, y, z, radius, hitSlots, hitDistancesSq);
    const outer = this.visiting;
    this.visiting = true;
    try {
      for (let i = 0; i < hits; i++) visit(this.ids[hitSlots[i] as number] as Id, hitDistancesSq[i] as number);
    } finally {
      this.visiting = outer;
    }
  }

  /**
   * {@link forEachInRadius} by slot and allocation-free: writes the slot and squared distance of each
   * entity within `radius` (inclusive) to `slots[i]` and `distancesSq[i]` from i = 0, in the same
   * order, and returns how many (entries past that are left as they were). Reuse the two arrays:
   * they grow to the largest result once.
   */
  querySlots(x: number, y: number, z: number, radius: number, slots: number[], distancesSq: number[]): number {
    const hitSlots = this.scratchSlots();
    const hitDistancesSq = this.scratchDistances();
    const hits = this.scan(x, y, z, radius, hitSlots, hitDistancesSq);
    for (let i = 0; i < hits; i++) {
      slots[i] = hitSlots[i] as number;
      distancesSq[i] = hitDistancesSq[i] as number;
    }
    return hits;
  }

  /**
   * A radius query against slots the caller already tracks (an observer's members; what
   * InterestSet uses), allocation-free. For each k below `knownCount`, `knownDistancesSq[k]` becomes
   * the squared distance of slot `knownSlots[k]` if it is within `radius` (inclusive), else -1 (a
   * negative slot is never found). Every other entity within `newRadius` (at most `radius`), except
   * slot `skipSlot`, is written to `newSlots[i]` and `newDistancesSq[i]` from i = 0 in the order
   * {@link forEachInRadius} visits, and how many is returned. `knownSlots` must not repeat a slot.
   */
  querySlotsAgainst(
    x: number,
    y: number,
    z: number,
    radius: number,
    knownSlots: Int32Array,
    knownCount: number,
    knownDistancesSq: Float64Array,
    newRadius: number,
    skipSlot: number,
    newSlots: number[],
    newDistancesSq: number[],
  ): number {
    if (!(newRadius >= 0 && newRadius <= radius)) {
      throw new MmoError('INVALID_ARGUMENT', `SpatialGrid.querySlotsAgainst: newRadius must be in 0..radius (${radius}), got ${newRadius}`);
    }
    const hitSlots = this.scratchSlots();
    const hitDistancesSq = this.scratchDistances();
    const hits = this.scan(x, y, z, radius, hitSlots, hitDistancesSq);
    if (this.stamp === MAX_STAMP) {
      this.markStamps.fill(0);
      this.stamp = 0;
    }
    const stamp = ++this.stamp;
    const { markStamps, markIndexes } = this;
    for (let k = 0; k < knownCount; k++) {
      const s = knownSlots[k] as number;
      knownDistancesSq[k] = -1;
      if (s < 0 || s >= this.slotsUsed) continue;
      markStamps[s] = stamp;
      markIndexes[s] = k;
    }
    const newRadiusSq = newRadius * newRadius;
    let found = 0;
    for (let i = 0; i < hits; i++) {
      const s = hitSlots[i] as number;
      const d = hitDistancesSq[i] as number;
      if (markStamps[s] === stamp) knownDistancesSq[markIndexes[s] as number] = d;
      else if (d <= newRadiusSq && s !== skipSlot) {
        newSlots[found] = s;
        newDistancesSq[found] = d;
        found++;
      }
    }
    return found;
  }

  /** The hit scratch's slots, or a fresh array for a query made from inside a forEachInRadius visit. */
  private scratchSlots(): Int32Array {
    return this.visiting ? new Int32Array(this.slotsById.size) : this.hitSlots;
  }

  /** The hit scratch's distances, or a fresh array, like {@link scratchSlots}. */
  private scratchDistances(): Float64Array {
    return this.visiting ? new Float64Array(this.slotsById.size) : this.hitDistancesSq;
  }

  /**
   * Writes the slot and squared distance of each entity within `radius` of the point to `slots`
   * and `distancesSq` (as long as the slot arrays) and returns how many: the one loop behind every
   * query, so all of them visit in the same order.
   */
  private scan(x: number, y: number, z: number, radius: number, slots: Int32Array, distancesSq: Float64Array): number {
    assertFinite(x, y, z);
    if (!(radius >= 0) || !Number.isFinite(radius)) {
      throw new MmoError('INVALID_ARGUMENT', `SpatialGrid: radius must be a non-negative finite number, got ${radius}`);
    }
    const radiusSq = radius * radius;
    const margin = (Math.abs(x) + Math.abs(y) + Math.abs(z) + radius) * BOX_EPSILON + BOX_EPSILON;
    const reach = radius + margin;
    const o = this.occupied;
    const x0 = Math.max(o.x0, this.cellCoord(x - reach));
    const x1 = Math.min(o.x1, this.cellCoord(x + reach));
    const y0 = Math.max(o.y0, this.cellCoord(y - reach));
    const y1 = Math.min(o.y1, this.cellCoord(y + reach));
    const z0 = Math.max(o.z0, this.cellCoord(z - reach));
    const z1 = Math.min(o.z1, this.cellCoord(z + reach));
    if (x0 > x1 || y0 > y1 || z0 > z1) return 0;
    let found = 0;
    const boxCells = (x1 - x0 + 1) * (y1 - y0 + 1) * (z1 - z0 + 1);
    if (boxCells >= this.slotsById.size || x1 - x0 >= WRAP_MASK || y1 - y0 >= WRAP_MASK || z1 - z0 >= WRAP_MASK) {
      // A radius large against the cell size (or a sparse world): scanning every entity is cheaper
      // than probing every cell of the box, and bounds a query's cost by the entity count.
      for (const s of this.slotsById.values()) {
        const cell = this.cellBySlot[s] as number[];
        const at = (this.cellIndexes[s] as number) * STRIDE;
        const dx = (cell[at] as number) - x;
        const dy = (cell[at + 1] as number) - y;
        const dz = (cell[at + 2] as number) - z;
        const d = dx * dx + dy * dy + dz * dz;
        if (d > radiusSq) continue;
        slots[found] = s;
        distancesSq[found] = d;
        found++;
      }
      return found;
    }
    const d = this.directory;
    if (d !== undefined) {
      const directory = d.cells;
      for (let cx = x0; cx <= x1; cx++) {
        for (let cy = y0; cy <= y1; cy++) {
          const row = ((cx - d.x0) * d.ny + (cy - d.y0)) * d.nz - d.z0;
          for (let cz = z0; cz <= z1; cz++) {
            const cell = directory[row + cz];
            if (cell !== undefined) found = scanCell(cell, x, y, z, radiusSq, slots, distancesSq, found);
          }
        }
      }
      return found;
    }
    for (let cx = x0; cx <= x1; cx++) {
      for (let cy = y0; cy <= y1; cy++) {
        const rowKey = (((cx & WRAP_MASK) << WRAP_BITS) | (cy & WRAP_MASK)) << WRAP_BITS;
        for (let cz = z0; cz <= z1; cz++) {
          const cell = this.cells.get(rowKey | (cz & WRAP_MASK));
          if (cell !== undefined) found = scanCell(cell, x, y, z, radiusSq, slots, distancesSq, found);
        }
      }
    }
    return found;
  }

  private cellCoord(v: number): number {
    return Math.floor(v * this.inverseCellSize);
  }

  /** The bucket key of a point's cell, widening the occupied box if needed. */
  private keyOf(x: number, y: number, z: number): number {
    const cx = this.cellCoord(x);
    const cy = this.cellCoord(y);
    const cz = this.cellCoord(z);
    const o = this.occupied;
    if (cx < o.x0 || cx > o.x1 || cy < o.y0 || cy > o.y1 || cz < o.z0 || cz > o.z1) this.widen(cx, cy, cz);
    return (((((cx & WRAP_MASK) << WRAP_BITS) | (cy & WRAP_MASK)) << WRAP_BITS) | (cz & WRAP_MASK));
  }

  /** Widens the occupied box to a cell outside it, and the directory if it no longer covers it. */
  private widen(cx: number, cy: number, cz: number): void {
    const o = this.occupied;
    if (cx < o.x0) o.x0 = cx;
    if (cx > o.x1) o.x1 = cx;
    if (cy < o.y0) o.y0 = cy;
    if (cy > o.y1) o.y1 = cy;
    if (cz < o.z0) o.z0 = cz;
    if (cz > o.z1) o.z1 = cz;
    if (this.directory === undefined || !this.directory.covers(o)) this.buildDirectory();
  }

  private buildDirectory(): void {
    this.directory = CellDirectory.build(this.occupied, this.cells, this.slotsById.size, WRAP_BITS);
  }

  private place(slot: number, x: number, y: number, z: number): void {
    const key = this.keyOf(x, y, z);
    if (key === this.keys[slot]) {
      const cell = this.cellBySlot[slot] as number[];
      const at = (this.cellIndexes[slot] as number) * STRIDE;
      cell[at] = x;
      cell[at + 1] = y;
      cell[at + 2] = z;
      return;
    }
    this.detach(slot);
    this.attach(slot, key, x, y, z);
  }

  /** A never-used slot, growing the per-slot arrays when full. */
  private newSlot(): number {
    const s = this.slotsUsed++;
    if (s === this.keys.length) {
      const size = s * 2;
      this.keys = grown(this.keys, new Int32Array(size));
      this.cellIndexes = grown(this.cellIndexes, new Int32Array(size));
      this.hitSlots = new Int32Array(size);
      this.hitDistancesSq = new Float64Array(size);
      this.markStamps = grown(this.markStamps, new Int32Array(size));
      this.markIndexes = new Int32Array(size);
    }
    return s;
  }

  private attach(slot: number, key: number, x: number, y: number, z: number): void {
    let cell = this.cells.get(key);
    if (cell === undefined) {
      cell = [];
      this.cells.set(key, cell);
      this.directory?.put(this.cellCoord(x), this.cellCoord(y), this.cellCoord(z), cell);
    }
    this.keys[slot] = key;
    this.cellIndexes[slot] = cell.length / STRIDE;
    this.cellBySlot[slot] = cell;
    cell.push(x, y, z, slot);
  }

  /** Takes a slot out of its cell, moving the cell's last entity into its place. */
  private detach(slot: number): void {
    const cell = this.cellBySlot[slot] as number[];
    const lastAt = cell.length - STRIDE;
    const at = (this.cellIndexes[slot] as number) * STRIDE;
    if (at !== lastAt) {
      const moved = cell[lastAt + 3] as number;
      cell[at] = cell[lastAt] as number;
      cell[at + 1] = cell[lastAt + 1] as number;
      cell[at + 2] = cell[lastAt + 2] as number;
      cell[at + 3] = moved;
      this.cellIndexes[moved] = at / STRIDE;
    }
    cell.length = lastAt;
    if (lastAt === 0) this.cells.delete(this.keys[slot] as number);
  }
}

/** Adds the hits of one cell (x, y, z, slot per entity) from index `found`; returns the new count. */
function scanCell(cell: number[], x: number, y: number, z: number, radiusSq: number, slots: Int32Array, distancesSq: Float64Array, found: number): number {
  for (let at = 0; at < cell.length; at += STRIDE) {
    const dx = (cell[at] as number) - x;
    const dy = (cell[at + 1] as number) - y;
    const dz = (cell[at + 2] as number) - z;
    const d = dx * dx + dy * dy + dz * dz;
    if (d > radiusSq) continue;
    slots[found] = cell[at + 3] as number;
    distancesSq[found] = d;
    found++;
  }
  return found;
}

function grown<T extends Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

function emptyCellBox(): CellBox {
  const inf = Number.POSITIVE_INFINITY;
  return { x0: inf, x1: -inf, y0: inf, y1: -inf, z0: inf, z1: -inf };
}

function assertFinite(x: number, y: number, z: number): void {
  if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(z)) {
    throw new MmoError('INVALID_ARGUMENT', `SpatialGrid: coordinates must be finite, got (${x}, ${y}, ${z})`);
  }
}
