import { MmoError, type Vector3Like } from '@mmo/protocol';

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

interface GridEntry<Id> {
  readonly id: Id;
  x: number;
  y: number;
  z: number;
  key: number;
  cell: GridEntry<Id>[];
  /** Position of this entry in `cell`, for O(1) swap-removal. */
  index: number;
}

/**
 * A 3-D spatial hash grid: entities bucketed by cubic cell, so a radius query only looks at the
 * cells overlapping the sphere's bounding box. Insert, move and remove are O(1); a move that stays
 * in its cell only updates the stored position.
 * @example
 * const grid = new SpatialGrid<string>({ cellSize: 32 });
 * grid.insert('p1', 10, 0, 10);
 * grid.queryRadius(0, 0, 0, 50, []); // ['p1']
 */
export class SpatialGrid<Id> {
  /** Edge of a cell, in world units. */
  readonly cellSize: number;
  private readonly inverseCellSize: number;
  private readonly entries = new Map<Id, GridEntry<Id>>();
  private readonly cells = new Map<number, GridEntry<Id>[]>();
  /**
   * Cell coordinates ever occupied since the last clear (grow-only, so O(1) to keep). Queries clip
   * their box to it: in a flat world a sphere's box spans one layer of cells instead of seven.
   */
  private occupied = emptyCellBox();

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
    return this.entries.size;
  }

  /** Number of non-empty buckets (cells, modulo 1024 per axis); memory use is proportional to it. */
  get cellCount(): number {
    return this.cells.size;
  }

  /** True if `id` is in the grid. */
  has(id: Id): boolean {
    return this.entries.has(id);
  }

  /** A copy of the stored position of `id`, or undefined if absent. */
  position(id: Id): Vector3Like | undefined {
    const e = this.entries.get(id);
    return e === undefined ? undefined : { x: e.x, y: e.y, z: e.z };
  }

  /** Adds an entity. Throws `INVALID_ARGUMENT` if `id` is already present or a coordinate is not finite. */
  insert(id: Id, x: number, y: number, z: number): void {
    assertFinite(x, y, z);
    if (this.entries.has(id)) throw new MmoError('INVALID_ARGUMENT', `SpatialGrid.insert: ${String(id)} is already in the grid`);
    const key = this.keyOf(x, y, z);
    const cell = this.cellFor(key);
    const entry: GridEntry<Id> = { id, x, y, z, key, cell, index: cell.length };
    cell.push(entry);
    this.entries.set(id, entry);
  }

  /** Moves an entity; touches buckets only when it crosses into another cell. Throws `INVALID_ARGUMENT` if absent. */
  move(id: Id, x: number, y: number, z: number): void {
    assertFinite(x, y, z);
    const entry = this.entries.get(id);
    if (entry === undefined) throw new MmoError('INVALID_ARGUMENT', `SpatialGrid.move: ${String(id)} is not in the grid`);
    entry.x = x;
    entry.y = y;
    entry.z = z;
    const key = this.keyOf(x, y, z);
    if (key === entry.key) return;
    this.detach(entry);
    const cell = this.cellFor(key);
    entry.key = key;
    entry.cell = cell;
    entry.index = cell.length;
    cell.push(entry);
  }

  /** Removes an entity; false if it was not there. */
  remove(id: Id): boolean {
    const entry = this.entries.get(id);
    if (entry === undefined) return false;
    this.detach(entry);
    this.entries.delete(id);
    return true;
  }

  /** Removes every entity. */
  clear(): void {
    this.entries.clear();
    this.cells.clear();
    this.occupied = emptyCellBox();
  }

  /**
   * Fills `out` (emptied first) with the ids within `radius` (inclusive, Euclidean) of the point
   * and returns it; pass the same array each tick to avoid allocating. Order is unspecified.
   */
  queryRadius(x: number, y: number, z: number, radius: number, out: Id[] = []): Id[] {
    out.length = 0;
    this.forEachInRadius(x, y, z, radius, (id) => {
      out.push(id);
    });
    return out;
  }

  /**
   * Calls `visit(id, distanceSq)` for each entity within `radius` (inclusive) of the point. The
   * grid must not be modified during the visit.
   */
  forEachInRadius(x: number, y: number, z: number, radius: number, visit: SpatialVisitor<Id>): void {
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
    if (x0 > x1 || y0 > y1 || z0 > z1) return;
    const boxCells = (x1 - x0 + 1) * (y1 - y0 + 1) * (z1 - z0 + 1);
    if (boxCells >= this.entries.size || x1 - x0 >= WRAP_MASK || y1 - y0 >= WRAP_MASK || z1 - z0 >= WRAP_MASK) {
      // A radius large against the cell size (or a sparse world): scanning every entity is cheaper
      // than probing every cell of the box, and bounds a query's cost by the entity count.
      for (const e of this.entries.values()) visitIfNear(e, x, y, z, radiusSq, visit);
      return;
    }
    for (let cx = x0; cx <= x1; cx++) {
      for (let cy = y0; cy <= y1; cy++) {
        const rowKey = (((cx & WRAP_MASK) << WRAP_BITS) | (cy & WRAP_MASK)) << WRAP_BITS;
        for (let cz = z0; cz <= z1; cz++) {
          const cell = this.cells.get(rowKey | (cz & WRAP_MASK));
          if (cell === undefined) continue;
          for (let i = 0; i < cell.length; i++) visitIfNear(cell[i] as GridEntry<Id>, x, y, z, radiusSq, visit);
        }
      }
    }
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
    if (cx < o.x0) o.x0 = cx;
    if (cx > o.x1) o.x1 = cx;
    if (cy < o.y0) o.y0 = cy;
    if (cy > o.y1) o.y1 = cy;
    if (cz < o.z0) o.z0 = cz;
    if (cz > o.z1) o.z1 = cz;
    return (((((cx & WRAP_MASK) << WRAP_BITS) | (cy & WRAP_MASK)) << WRAP_BITS) | (cz & WRAP_MASK));
  }

  private cellFor(key: number): GridEntry<Id>[] {
    let cell = this.cells.get(key);
    if (cell === undefined) {
      cell = [];
      this.cells.set(key, cell);
    }
    return cell;
  }

  private detach(entry: GridEntry<Id>): void {
    const cell = entry.cell;
    const last = cell.pop() as GridEntry<Id>;
    if (last !== entry) {
      cell[entry.index] = last;
      last.index = entry.index;
    }
    if (cell.length === 0) this.cells.delete(entry.key);
  }
}

interface CellBox {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  z0: number;
  z1: number;
}

function emptyCellBox(): CellBox {
  const inf = Number.POSITIVE_INFINITY;
  return { x0: inf, x1: -inf, y0: inf, y1: -inf, z0: inf, z1: -inf };
}

function visitIfNear<Id>(e: GridEntry<Id>, x: number, y: number, z: number, radiusSq: number, visit: SpatialVisitor<Id>): void {
  const dx = e.x - x;
  const dy = e.y - y;
  const dz = e.z - z;
  const d = dx * dx + dy * dy + dz * dz;
  if (d <= radiusSq) visit(e.id, d);
}

function assertFinite(x: number, y: number, z: number): void {
  if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(z)) {
    throw new MmoError('INVALID_ARGUMENT', `SpatialGrid: coordinates must be finite, got (${x}, ${y}, ${z})`);
  }
}
