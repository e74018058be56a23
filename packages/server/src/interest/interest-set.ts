import { MmoError, type Vector3Like } from '@mmo/protocol';
import { SpatialGrid, type SpatialVisitor } from './spatial-grid.js';

/** Settings of an {@link InterestSet}; see {@link interestSetDefaults}. */
export interface InterestSetOptions {
  /**
   * An entity enters the set when it comes within this distance of the observer, in world units.
   * @default 100
   */
  enterRadius?: number;
  /**
   * A member leaves only when it is beyond this distance, in world units; the gap to
   * `enterRadius` is the hysteresis band that keeps an entity on the edge from flickering.
   * Must be >= `enterRadius`.
   * @default enterRadius * 1.15
   */
  exitRadius?: number;
  /**
   * Most entities in the set; in a crowd the nearest are kept (members hold their place against a
   * newcomer unless it is nearer by the hysteresis ratio, so the cap does not flicker either).
   * @default 256
   */
  maxEntities?: number;
}

/** Defaults of {@link InterestSetOptions} (`exitRadius` defaults to `enterRadius * exitRadiusFactor`). */
export const interestSetDefaults: Readonly<{ enterRadius: number; exitRadiusFactor: number; maxEntities: number }> =
  Object.freeze({
    // 100 units: about 14 s of walking at the validator's default 7 units/s.
    enterRadius: 100,
    // 15 %: wider than one tick's movement of both parties, narrow enough not to waste bandwidth.
    exitRadiusFactor: 1.15,
    // 256: bounds a client's per-tick work and bytes in a crowd (issue 5: ~50 visible is typical).
    maxEntities: 256,
  });

/**
 * What {@link InterestSet.update} reads candidates from. {@link SpatialGrid} is one, and the fast
 * one: from it the set reads slots ({@link SpatialGrid.querySlotsAgainst}); from any other source
 * it looks every visited id up among its members.
 */
export interface InterestSource<Id> {
  /** Calls `visit(id, distanceSq)` once for each entity within `radius` of the point. */
  forEachInRadius(x: number, y: number, z: number, radius: number, visit: SpatialVisitor<Id>): void;
}

/** The change of an interest set in one {@link InterestSet.update}. */
export interface InterestDiff<Id> {
  /** Ids that came into view, nearest first: send each a full snapshot. */
  entered: Id[];
  /** Ids that left view (out of range, despawned, or displaced by the cap). */
  exited: Id[];
}

interface Ranked<Id> {
  id: Id;
  distanceSq: number;
  /** Distance used for the cap: members' is shrunk by the hysteresis ratio. */
  rank: number;
  /** A member's index in the arrays, or -1 for a newcomer. */
  index: number;
  /** A newcomer's slot in the grid, or -1. */
  slot: number;
}

/**
 * Finding a member by id (has, distanceSq, remove, updates from a plain InterestSource) scans the
 * ids array up to this many members; beyond it the set builds an id Map and keeps it while it is
 * used. A set nobody asks by id has no Map: enters and exits then cost no Map churn, which made V8
 * rehash it every few changes (bench/interest.mjs: a refresh ~3.1 µs with the Map, ~2.6 without).
 */
const LINEAR_LOOKUP_MAX = 8;
/** Updates without a lookup by id after which the id Map is dropped. */
const MAP_IDLE_UPDATES = 4;
/** Members the arrays hold before their first growth (they double when full). */
const INITIAL_CAPACITY = 16;
/** Up to this many newcomers or exits are sorted by insertion (stable, no comparator closure). */
const INSERTION_SORT_MAX = 32;

/**
 * What one observer can see: entities enter within `enterRadius`, leave beyond `exitRadius`, and
 * at most `maxEntities` of them, nearest first. Update it once per tick from the zone's grid and
 * send the diff (InterestUpdate, snapshots of the entered ones).
 *
 * Members are kept in arrays (id, grid slot, distance). An update from a {@link SpatialGrid} hands
 * the grid the members' slots ({@link SpatialGrid.querySlotsAgainst}) instead of looking each
 * visited entity up in a Map, and allocates nothing but what enters ({@link updateInto} not even
 * the diff arrays).
 * @example
 * const interest = new InterestSet<number>({ enterRadius: 80 });
 * const { entered, exited } = interest.update(grid, player.position, player.id);
 */
export class InterestSet<Id> {
  private enterRadiusValue: number;
  private exitRadiusValue: number;
  private maxEntitiesValue: number;
  /** Index of each member in the arrays below, while lookups by id use it: see {@link LINEAR_LOOKUP_MAX}. */
  private indexById: Map<Id, number> | undefined;
  /** A lookup by id happened since the last update; updates in a row without one. */
  private lookedUp = false;
  private idleUpdates = 0;
  /** Number of members. */
  private count = 0;
  // Members, dense in [0, size), in no order (swap-removal): id, slot in `slotsGrid` (-1 if not
  // known), squared distance (-1 while an update has not seen it), entry number (exits are listed
  // in entry order, the order of the Map).
  private readonly ids: Id[] = [];
  private slots = new Int32Array(INITIAL_CAPACITY);
  private distances = new Float64Array(INITIAL_CAPACITY);
  private entrySeqs = new Float64Array(INITIAL_CAPACITY);
  private entries = 0;
  /** The grid `slots` were read from, and its slot epoch then: while both hold, the slots are right. */
  private slotsGrid: SpatialGrid<Id> | undefined;
  private slotsEpoch = -1;
  /** The observer's own id and slot at the last grid update. */
  private selfId: Id | undefined;
  private selfSlot = -1;
  // Scratch of an update, reused (each grows to its largest use once).
  private readonly newIds: Id[] = [];
  private readonly newDistancesSq: number[] = [];
  private readonly newSlots: number[] = [];
  private readonly newOrder: number[] = [];
  private readonly exitIds: Id[] = [];
  private readonly exitSeqs: number[] = [];

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

  /** Current enter radius, in world units. */
  get enterRadius(): number {
    return this.enterRadiusValue;
  }

  /** Current exit radius, in world units. */
  get exitRadius(): number {
    return this.exitRadiusValue;
  }

  /** Most entities the set holds. */
  get maxEntities(): number {
    return this.maxEntitiesValue;
  }

  /** Number of members. */
  get size(): number {
    return this.count;
  }

  /**
   * Changes the radii (e.g. from the game's interest-radius hook); takes effect at the next
   * {@link update}. `exitRadius` defaults to `enterRadius * 1.15`.
   */
  setRadius(enterRadius: number, exitRadius?: number): void {
    const resolved = resolveRadii(enterRadius, exitRadius);
    this.enterRadiusValue = resolved.enterRadius;
    this.exitRadiusValue = resolved.exitRadius;
  }

  /** True if `id` is in view. */
  has(id: Id): boolean {
    return this.indexOf(id) >= 0;
  }

  /** The members, in no particular order (in fact the order they entered). */
  members(): IterableIterator<Id> {
    return this.membersInEntryOrder().values();
  }

  /** Squared distance of a member at the last update (for prioritising), or undefined. */
  distanceSq(id: Id): number | undefined {
    const index = this.indexOf(id);
    return index < 0 ? undefined : this.distances[index];
  }

  /** Drops a member at once (e.g. it despawned mid-tick); false if it was not one. */
  remove(id: Id): boolean {
    const index = this.indexOf(id);
    if (index < 0) return false;
    this.removeAt(index);
    return true;
  }

  /** Empties the set and returns the former members (to send their exits). */
  clear(): Id[] {
    const former = this.membersInEntryOrder();
    this.indexById = undefined;
    this.ids.fill(undefined as Id);
    this.count = 0;
    return former;
  }

  /** Index of member `id` in the arrays, or -1. */
  private indexOf(id: Id): number {
    this.lookedUp = true;
    let index = this.indexById;
    if (index === undefined) {
      const ids = this.ids;
      if (this.count <= LINEAR_LOOKUP_MAX) {
        for (let k = 0; k < this.count; k++) if (ids[k] === id) return k;
        return -1;
      }
      index = this.indexById = new Map();
      for (let k = 0; k < this.count; k++) index.set(ids[k] as Id, k);
    }
    return index.get(id) ?? -1;
  }

  /** The members' ids, in the order they entered. */
  private membersInEntryOrder(): Id[] {
    return this.indexesInEntryOrder().map((k) => this.ids[k] as Id);
  }

  /** The members' indexes in the arrays, in the order they entered. */
  private indexesInEntryOrder(): number[] {
    const order = Array.from({ length: this.count }, (_, k) => k);
    const seqs = this.entrySeqs;
    return order.sort((a, b) => (seqs[a] as number) - (seqs[b] as number));
  }

  /**
   * Recomputes the set from `source` around `observer`, ignoring `selfId`, and returns what
   * changed (in new arrays). Ids no longer in the source (despawned) exit.
   */
  update(source: InterestSource<Id>, observer: Readonly<Vector3Like>, selfId?: Id): InterestDiff<Id> {
    const entered: Id[] = [];
    const exited: Id[] = [];
    this.updateInto(source, observer, selfId, entered, exited);
    return { entered, exited };
  }

  /**
   * {@link update} writing the change into the caller's `entered` and `exited` (emptied first; the
   * same ids in the same order as update returns) instead of new arrays: pass the same two arrays
   * every time and a refresh allocates nothing. The set keeps no reference to them.
   */
  updateInto(source: InterestSource<Id>, observer: Readonly<Vector3Like>, selfId: Id | undefined, entered: Id[], exited: Id[]): void {
    if (entered.length !== 0) entered.length = 0;
    if (exited.length !== 0) exited.length = 0;
    if (this.indexById !== undefined) {
      this.idleUpdates = this.lookedUp ? 0 : this.idleUpdates + 1;
      if (this.idleUpdates >= MAP_IDLE_UPDATES) {
        this.indexById = undefined;
        this.idleUpdates = 0;
      }
    }
    this.lookedUp = false;
    const found =
      source instanceof SpatialGrid
        ? this.collectFromGrid(source as SpatialGrid<Id>, observer, selfId)
        : this.collect(source, observer, selfId);
    this.removeUnseen(exited);
    if (found === 0) return;
    if (this.count + found <= this.maxEntitiesValue) this.enterAll(found, entered);
    else this.applyCap(found, entered, exited);
  }

  /**
   * Sets the distance of the members within the exit radius (-1 for the others) and gathers the
   * newcomers within the enter radius into the `new*` scratch, in visit order; returns how many.
   */
  private collectFromGrid(grid: SpatialGrid<Id>, observer: Readonly<Vector3Like>, selfId: Id | undefined): number {
    const size = this.count;
    if (grid !== this.slotsGrid || grid.slotEpoch !== this.slotsEpoch) {
      // A slot may have changed hands (or the slots are of another grid): look every member up.
      const { ids, slots } = this;
      for (let k = 0; k < size; k++) slots[k] = grid.slotOf(ids[k] as Id);
      this.slotsGrid = grid;
      this.slotsEpoch = grid.slotEpoch;
      this.selfSlot = selfId === undefined ? -1 : grid.slotOf(selfId);
      this.selfId = selfId;
    } else if (selfId !== this.selfId || (this.selfSlot < 0 && selfId !== undefined)) {
      // (An observer not in the grid may have been inserted since: inserts leave the epoch alone.)
      this.selfSlot = selfId === undefined ? -1 : grid.slotOf(selfId);
      this.selfId = selfId;
    }
    const found = grid.querySlotsAgainst(
      observer.x,
      observer.y,
      observer.z,
      this.exitRadiusValue,
      this.slots,
      size,
      this.distances,
      this.enterRadiusValue,
      this.selfSlot,
      this.newSlots,
      this.newDistancesSq,
    );
    for (let i = 0; i < found; i++) this.newIds[i] = grid.idAt(this.newSlots[i] as number) as Id;
    return found;
  }

  /** {@link collectFromGrid} for any source: a Map lookup per visited id. */
  private collect(source: InterestSource<Id>, observer: Readonly<Vector3Like>, selfId: Id | undefined): number {
    const enterSq = this.enterRadiusValue * this.enterRadiusValue;
    const distances = this.distances;
    distances.fill(-1, 0, this.count);
    // Members added now have no slot: the next grid update looks them all up.
    this.slotsGrid = undefined;
    let found = 0;
    source.forEachInRadius(observer.x, observer.y, observer.z, this.exitRadiusValue, (id, distanceSq) => {
      if (id === selfId) return;
      const k = this.indexOf(id);
      if (k >= 0) {
        distances[k] = distanceSq;
      } else if (distanceSq <= enterSq) {
        this.newIds[found] = id;
        this.newDistancesSq[found] = distanceSq;
        this.newSlots[found] = -1;
        found++;
      }
    });
    return found;
  }

  /** Members not seen by this update exit, listed in the order they entered. */
  private removeUnseen(exited: Id[]): void {
    const exitIds = this.exitIds;
    const exitSeqs = this.exitSeqs;
    let exits = 0;
    // Backwards, so the member swapped into a removed one's place has been looked at already.
    for (let k = this.count - 1; k >= 0; k--) {
      if ((this.distances[k] as number) >= 0) continue;
      exitIds[exits] = this.ids[k] as Id;
      exitSeqs[exits] = this.entrySeqs[k] as number;
      exits++;
      this.removeAt(k);
    }
    if (exits === 0) return;
    const order = sortedIndexes(exitSeqs, exits, this.newOrder);
    for (let i = 0; i < exits; i++) exited.push(exitIds[order[i] as number] as Id);
    for (let i = 0; i < exits; i++) exitIds[i] = undefined as Id;
  }

  /** Room for every newcomer: they all enter, nearest first (ties in visit order). */
  private enterAll(found: number, entered: Id[]): void {
    const order = sortedIndexes(this.newDistancesSq, found, this.newOrder);
    for (let k = 0; k < found; k++) {
      const i = order[k] as number;
      const id = this.newIds[i] as Id;
      this.addMember(id, this.newSlots[i] as number, this.newDistancesSq[i] as number);
      entered.push(id);
    }
    this.forgetNewcomers(found);
  }

  /** Keeps the `maxEntities` best-ranked of members and newcomers; members rank nearer by the hysteresis ratio. */
  private applyCap(found: number, entered: Id[], exited: Id[]): void {
    const ratio = this.exitRadiusValue === 0 ? 1 : this.enterRadiusValue / this.exitRadiusValue;
    const memberScale = ratio * ratio;
    // Newcomers in visit order, then members in the order they entered: the stable sort breaks
    // ties so (what the Map of members gave before).
    const ranked: Ranked<Id>[] = [];
    for (let i = 0; i < found; i++) {
      const distanceSq = this.newDistancesSq[i] as number;
      ranked.push({ id: this.newIds[i] as Id, distanceSq, rank: distanceSq, index: -1, slot: this.newSlots[i] as number });
    }
    for (const k of this.indexesInEntryOrder()) {
      const distanceSq = this.distances[k] as number;
      ranked.push({ id: this.ids[k] as Id, distanceSq, rank: distanceSq * memberScale, index: k, slot: -1 });
    }
    this.forgetNewcomers(found);
    ranked.sort(byRank);
    let displaced = 0;
    for (let i = 0; i < ranked.length; i++) {
      const c = ranked[i] as Ranked<Id>;
      if (i < this.maxEntitiesValue) {
        if (c.index < 0) {
          // Appended: the indexes of the members before it stay as they are.
          this.addMember(c.id, c.slot, c.distanceSq);
          entered.push(c.id);
        }
      } else if (c.index >= 0) {
        this.distances[c.index] = -1;
        exited.push(c.id);
        displaced++;
      }
    }
    for (let k = this.count - 1; displaced > 0 && k >= 0; k--) {
      if ((this.distances[k] as number) >= 0) continue;
      this.removeAt(k);
      displaced--;
    }
  }


  /** Drops the scratch's references to newcomers (so they can be collected once gone). */
  private forgetNewcomers(found: number): void {
    for (let i = 0; i < found; i++) this.newIds[i] = undefined as Id;
  }

  private addMember(id: Id, slot: number, distanceSq: number): void {
    const k = this.count++;
    if (k === this.slots.length) this.grow();
    this.ids[k] = id;
    this.slots[k] = slot;
    this.distances[k] = distanceSq;
    this.entrySeqs[k] = this.entries++;
    this.indexById?.set(id, k);
  }

  /** Removes member `k`, moving the last member into its place. */
  private removeAt(k: number): void {
    const last = --this.count;
    const index = this.indexById;
    index?.delete(this.ids[k] as Id);
    if (k !== last) {
      const moved = this.ids[last] as Id;
      this.ids[k] = moved;
      this.slots[k] = this.slots[last] as number;
      this.distances[k] = this.distances[last] as number;
      this.entrySeqs[k] = this.entrySeqs[last] as number;
      index?.set(moved, k);
    }
    this.ids[last] = undefined as Id;
  }

  private grow(): void {
    const size = this.slots.length * 2;
    this.slots = grown(this.slots, new Int32Array(size));
    this.distances = grown(this.distances, new Float64Array(size));
    this.entrySeqs = grown(this.entrySeqs, new Float64Array(size));
  }
}

function grown<T extends Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/** `scratch` (or, past INSERTION_SORT_MAX, a new array) with 0..count-1 stably sorted by `keys[i]`, ascending, in its first `count` entries. */
function sortedIndexes(keys: readonly number[], count: number, scratch: number[]): number[] {
  if (count > INSERTION_SORT_MAX) {
    const order = Array.from({ length: count }, (_, i) => i);
    return order.sort((a, b) => (keys[a] as number) - (keys[b] as number));
  }
  for (let i = 0; i < count; i++) {
    const key = keys[i] as number;
    let j = i;
    while (j > 0 && (keys[scratch[j - 1] as number] as number) > key) {
      scratch[j] = scratch[j - 1] as number;
      j--;
    }
    scratch[j] = i;
  }
  return scratch;
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
