// Test oracle: SpatialGrid and InterestSet as they were before the structure-of-arrays rewrite
// (commit cf4bcbb), renamed, without their doc comments and options types. The tests check the new
// classes against these step by step: same hits in the same visit order, same enters and exits in
// the same order. Used by tests only; not exported from the package.
import { MmoError, type Vector3Like } from '@mmo/protocol';
import { type InterestDiff, type InterestSetOptions, type InterestSource, interestSetDefaults } from './interest-set.js';
import { type SpatialGridOptions, type SpatialVisitor, spatialGridDefaults } from './spatial-grid.js';

const WRAP_BITS = 10;
const WRAP_CELLS = 1 << WRAP_BITS;
const WRAP_MASK = WRAP_CELLS - 1;

const BOX_EPSILON = 1e-9;

interface GridEntry<Id> {
  readonly id: Id;
  x: number;
  y: number;
  z: number;
  key: number;
  cell: GridEntry<Id>[];
  index: number;
}

export class ReferenceGrid<Id> {
  readonly cellSize: number;
  private readonly inverseCellSize: number;
  private readonly entries = new Map<Id, GridEntry<Id>>();
  private readonly cells = new Map<number, GridEntry<Id>[]>();
  private occupied = emptyCellBox();

  constructor(options?: SpatialGridOptions) {
    const cellSize = options?.cellSize ?? spatialGridDefaults.cellSize;
    if (!Number.isFinite(cellSize) || cellSize <= 0) {
      throw new MmoError('INVALID_OPTIONS', `SpatialGrid: cellSize must be a positive finite number, got ${cellSize}`);
    }
    this.cellSize = cellSize;
    this.inverseCellSize = 1 / cellSize;
  }

  get count(): number {
    return this.entries.size;
  }

  get cellCount(): number {
    return this.cells.size;
  }

  has(id: Id): boolean {
    return this.entries.has(id);
  }

  position(id: Id): Vector3Like | undefined {
    const e = this.entries.get(id);
    return e === undefined ? undefined : { x: e.x, y: e.y, z: e.z };
  }

  insert(id: Id, x: number, y: number, z: number): void {
    assertFinite(x, y, z);
    if (this.entries.has(id)) throw new MmoError('INVALID_ARGUMENT', `SpatialGrid.insert: ${String(id)} is already in the grid`);
    const key = this.keyOf(x, y, z);
    const cell = this.cellFor(key);
    const entry: GridEntry<Id> = { id, x, y, z, key, cell, index: cell.length };
    cell.push(entry);
    this.entries.set(id, entry);
  }

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

  remove(id: Id): boolean {
    const entry = this.entries.get(id);
    if (entry === undefined) return false;
    this.detach(entry);
    this.entries.delete(id);
    return true;
  }

  clear(): void {
    this.entries.clear();
    this.cells.clear();
    this.occupied = emptyCellBox();
  }

  queryRadius(x: number, y: number, z: number, radius: number, out: Id[] = []): Id[] {
    out.length = 0;
    this.forEachInRadius(x, y, z, radius, (id) => {
      out.push(id);
    });
    return out;
  }

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

interface Member {
  distanceSq: number;
  seen: number;
}

interface Ranked<Id> {
  id: Id;
  distanceSq: number;
  rank: number;
  member: boolean;
}

export class ReferenceInterestSet<Id> {
  private enterRadiusValue: number;
  private exitRadiusValue: number;
  private maxEntitiesValue: number;
  private readonly membersById = new Map<Id, Member>();
  private generation = 0;

  constructor(options?: InterestSetOptions) {
    const enter = options?.enterRadius ?? interestSetDefaults.enterRadius;
    const resolved = resolveRadii(enter, options?.exitRadius);
    this.enterRadiusValue = resolved.enterRadius;
    this.exitRadiusValue = resolved.exitRadius;
    this.maxEntitiesValue = options?.maxEntities ?? interestSetDefaults.maxEntities;
    if (!Number.isSafeInteger(this.maxEntitiesValue) || this.maxEntitiesValue < 1) {
      throw new MmoError('INVALID_OPTIONS', `InterestSet: maxEntities must be a positive integer, got ${this.maxEntitiesValue}`);
    }
  }

  get enterRadius(): number {
    return this.enterRadiusValue;
  }

  get exitRadius(): number {
    return this.exitRadiusValue;
  }

  get maxEntities(): number {
    return this.maxEntitiesValue;
  }

  get size(): number {
    return this.membersById.size;
  }

  setRadius(enterRadius: number, exitRadius?: number): void {
    const resolved = resolveRadii(enterRadius, exitRadius);
    this.enterRadiusValue = resolved.enterRadius;
    this.exitRadiusValue = resolved.exitRadius;
  }

  has(id: Id): boolean {
    return this.membersById.has(id);
  }

  members(): IterableIterator<Id> {
    return this.membersById.keys();
  }

  distanceSq(id: Id): number | undefined {
    return this.membersById.get(id)?.distanceSq;
  }

  remove(id: Id): boolean {
    return this.membersById.delete(id);
  }

  clear(): Id[] {
    const former = [...this.membersById.keys()];
    this.membersById.clear();
    return former;
  }

  update(source: InterestSource<Id>, observer: Readonly<Vector3Like>, selfId?: Id): InterestDiff<Id> {
    const generation = ++this.generation;
    const enterSq = this.enterRadiusValue * this.enterRadiusValue;
    const members = this.membersById;
    let candidates: Ranked<Id>[] | undefined;
    let kept = 0;
    source.forEachInRadius(observer.x, observer.y, observer.z, this.exitRadiusValue, (id, distanceSq) => {
      if (id === selfId) return;
      const member = members.get(id);
      if (member !== undefined) {
        member.distanceSq = distanceSq;
        member.seen = generation;
        kept++;
      } else if (distanceSq <= enterSq) {
        (candidates ??= []).push({ id, distanceSq, rank: distanceSq, member: false });
      }
    });

    const exited: Id[] = [];
    for (const [id, member] of members) {
      if (member.seen !== generation) {
        members.delete(id);
        exited.push(id);
      }
    }
    const entered: Id[] = [];
    const newcomers = candidates ?? [];
    if (kept + newcomers.length <= this.maxEntitiesValue) {
      newcomers.sort(byRank);
      for (const c of newcomers) {
        members.set(c.id, { distanceSq: c.distanceSq, seen: generation });
        entered.push(c.id);
      }
    } else {
      this.applyCap(newcomers, generation, entered, exited);
    }
    return { entered, exited };
  }

  private applyCap(newcomers: Ranked<Id>[], generation: number, entered: Id[], exited: Id[]): void {
    const ratio = this.exitRadiusValue === 0 ? 1 : this.enterRadiusValue / this.exitRadiusValue;
    const memberScale = ratio * ratio;
    const ranked = newcomers;
    for (const [id, member] of this.membersById) {
      ranked.push({ id, distanceSq: member.distanceSq, rank: member.distanceSq * memberScale, member: true });
    }
    ranked.sort(byRank);
    for (let i = 0; i < ranked.length; i++) {
      const c = ranked[i] as Ranked<Id>;
      if (i < this.maxEntitiesValue) {
        if (!c.member) {
          this.membersById.set(c.id, { distanceSq: c.distanceSq, seen: generation });
          entered.push(c.id);
        }
      } else if (c.member) {
        this.membersById.delete(c.id);
        exited.push(c.id);
      }
    }
  }
}

function byRank<Id>(a: Ranked<Id>, b: Ranked<Id>): number {
  return a.rank - b.rank;
}

function resolveRadii(enterRadius: number, exitRadius: number | undefined): { enterRadius: number; exitRadius: number } {
  if (!Number.isFinite(enterRadius) || enterRadius < 0) {
    throw new MmoError('INVALID_OPTIONS', `InterestSet: enterRadius must be a non-negative finite number, got ${enterRadius}`);
  }
  const exit = exitRadius ?? enterRadius * interestSetDefaults.exitRadiusFactor;
  if (!Number.isFinite(exit) || exit < enterRadius) {
    throw new MmoError('INVALID_OPTIONS', `InterestSet: exitRadius must be finite and >= enterRadius (${enterRadius}), got ${exit}`);
  }
  return { enterRadius, exitRadius: exit };
}
