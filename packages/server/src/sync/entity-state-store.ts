import { ENTITY_STATE_FIELDS, MmoError } from '@mmo/protocol';

/** Integers per state: px, py, pz, ri, ra, rb, rc, vx, vy, vz, flags (ENTITY_STATE_FIELD_ORDER). */
const FIELDS = ENTITY_STATE_FIELDS;

/**
 * The quantized states of every entity of a zone, by dense entity index, in flat typed arrays:
 * each entity's current state (compact, rewritten each tick it changes) and a ring of its last
 * `depth` states by tick (baselines, late joins, lag compensation). Flat arrays rather than one
 * object per entity: a tick reads the current and a baseline state of thousands of entities in no
 * particular order, and every pointer between them would be one more cache miss (measured: a
 * record's baseline lookup went from ~700 to ~100 ns). No state objects are kept, so nothing per
 * tick outlives the young generation of the garbage collector.
 */
export class EntityStateStore {
  /** States per entity ring. */
  readonly depth: number;
  private capacity = 0;
  /** Current state of each index: `current[index * FIELDS + field]`. */
  current = new Uint32Array(0);
  /** Tick of each index's current state (-1: none yet). */
  currentTick = new Float64Array(0);
  /** Rings: `states[(index * depth + slot) * FIELDS + field]` and `ticks[index * depth + slot]`. */
  states = new Uint32Array(0);
  ticks = new Float64Array(0);
  private head = new Int32Array(0);
  private size = new Int32Array(0);
  /** Bumped each time an index is given to a new entity (detaches views of the old one). */
  private generations = new Int32Array(0);

  constructor(depth: number, initialCapacity = 64) {
    if (!Number.isInteger(depth) || depth < 1) {
      throw new MmoError('INVALID_OPTIONS', `StateHistory: capacity must be a positive integer, got ${depth}`);
    }
    this.depth = depth;
    this.ensureCapacity(initialCapacity);
  }

  /** Makes room for entity indices below `capacity` (arrays double). */
  ensureCapacity(capacity: number): void {
    if (capacity <= this.capacity) return;
    const size = Math.max(capacity, this.capacity * 2);
    const grow = <T extends Uint32Array | Float64Array | Int32Array>(old: T, per: number, make: (n: number) => T): T => {
      const next = make(size * per);
      next.set(old as never);
      return next;
    };
    this.current = grow(this.current, FIELDS, (n) => new Uint32Array(n));
    this.currentTick = grow(this.currentTick, 1, (n) => new Float64Array(n));
    this.states = grow(this.states, FIELDS * this.depth, (n) => new Uint32Array(n));
    this.ticks = grow(this.ticks, this.depth, (n) => new Float64Array(n));
    this.head = grow(this.head, 1, (n) => new Int32Array(n));
    this.size = grow(this.size, 1, (n) => new Int32Array(n));
    this.generations = grow(this.generations, 1, (n) => new Int32Array(n));
    this.currentTick.fill(-1, this.capacity);
    this.capacity = size;
  }

  /** Gives `index` to a new entity: empty ring; returns the generation that identifies it. */
  claim(index: number): number {
    this.ensureCapacity(index + 1);
    this.head[index] = 0;
    this.size[index] = 0;
    this.currentTick[index] = -1;
    return ++this.generations[index]!;
  }

  /** The generation of `index` (see {@link claim}). */
  generation(index: number): number {
    return this.generations[index]!;
  }

  /** Entries in the ring of `index`. */
  count(index: number): number {
    return this.size[index]!;
  }

  /**
   * Records the state of `index` at `tick` from `values[offset…]` (unsigned 32-bit integers);
   * ticks must not go backwards (the same tick replaces its entry). It becomes the current state.
   */
  push(index: number, tick: number, values: ArrayLike<number>, offset: number): void {
    const depth = this.depth;
    const n = this.size[index]!;
    const base = index * depth;
    let slot: number;
    if (n > 0) {
      const newest = this.head[index]! === 0 ? depth - 1 : this.head[index]! - 1;
      const last = this.ticks[base + newest]!;
      if (tick < last) throw new MmoError('INVALID_ARGUMENT', `StateHistory: tick ${tick} is before the last recorded tick ${last}`);
      if (tick === last) slot = newest;
      else slot = this.advance(index, n);
    } else {
      slot = this.advance(index, n);
    }
    this.ticks[base + slot] = tick;
    const states = this.states;
    const current = this.current;
    const o = (base + slot) * FIELDS;
    const c = index * FIELDS;
    for (let i = 0; i < FIELDS; i++) {
      const v = values[offset + i]!;
      states[o + i] = v;
      current[c + i] = v;
    }
    this.currentTick[index] = tick;
  }

  /** True when the current state of `index` is exactly the integers at `values[offset…]`. */
  currentEquals(index: number, values: ArrayLike<number>, offset: number): boolean {
    if (this.currentTick[index]! < 0) return false;
    const current = this.current;
    const c = index * FIELDS;
    for (let i = 0; i < FIELDS; i++) if (current[c + i] !== values[offset + i]) return false;
    return true;
  }

  /**
   * Offset in {@link states} of the entry of `index` in force at `tick` (the newest at or before
   * it), or -1 if its ring holds nothing that old. Checks the two newest entries, then searches.
   */
  offsetAt(index: number, tick: number): number {
    const n = this.size[index]!;
    if (n === 0) return -1;
    const depth = this.depth;
    const ticks = this.ticks;
    const base = index * depth;
    const head = this.head[index]!;
    const newest = head === 0 ? depth - 1 : head - 1;
    if (ticks[base + newest]! <= tick) return (base + newest) * FIELDS;
    if (n === 1) return -1;
    const second = newest === 0 ? depth - 1 : newest - 1;
    if (ticks[base + second]! <= tick) return (base + second) * FIELDS;
    const oldest = n < depth ? 0 : head;
    if (ticks[base + oldest]! > tick) return -1;
    // Binary search over age: entry `k` after the oldest (ticks ascend with k).
    let lo = 0;
    let hi = n - 3;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      const at = oldest + mid;
      if (ticks[base + (at >= depth ? at - depth : at)]! <= tick) lo = mid;
      else hi = mid - 1;
    }
    const at = oldest + lo;
    return (base + (at >= depth ? at - depth : at)) * FIELDS;
  }

  /** Tick of the entry at `offset` (one {@link offsetAt} returned). */
  tickAtOffset(offset: number): number {
    return this.ticks[offset / FIELDS]!;
  }

  /** Ring entries of `index`, newest first: `visit(tick, offset)`; stops when it returns true. */
  forEachNewestFirst(index: number, visit: (tick: number, offset: number) => boolean | void): void {
    const depth = this.depth;
    const base = index * depth;
    let slot = this.head[index]!;
    for (let i = 0; i < this.size[index]!; i++) {
      slot = slot === 0 ? depth - 1 : slot - 1;
      if (visit(this.ticks[base + slot]!, (base + slot) * FIELDS) === true) return;
    }
  }

  /** Takes the next ring slot of `index` (overwriting the oldest when full). */
  private advance(index: number, n: number): number {
    const slot = this.head[index]!;
    this.head[index] = slot + 1 === this.depth ? 0 : slot + 1;
    if (n < this.depth) this.size[index] = n + 1;
    return slot;
  }
}
