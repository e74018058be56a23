import { ENTITY_STATE_FIELDS, MmoError, type QuantizedEntityState } from '@mmo/protocol';

/** One recorded state of an entity. */
export interface StateHistoryEntry {
  /** The tick that produced the state. */
  readonly tick: number;
  /** The state as the wire carries it (a copy). */
  readonly state: QuantizedEntityState;
}

/** Integers per recorded state: px, py, pz, ri, ra, rb, rc, vx, vy, vz, flags (ENTITY_STATE_FIELD_ORDER). */
const FIELDS = ENTITY_STATE_FIELDS;

/**
 * The last `capacity` states of one entity, by tick (late joins, reconciliation, lag
 * compensation: "where was it at tick T?"). Fixed memory: a ring of plain integers (every field
 * of a quantized state is an unsigned integer below 2^32), oldest overwritten. It keeps no
 * references to state objects, so the per-tick states die young instead of filling the old
 * generation of the garbage collector (5,000 entities x 64 ticks would be 320,000 live objects).
 */
export class StateHistory {
  private readonly ticks: Float64Array;
  /**
   * The recorded states' integers, {@link ENTITY_STATE_FIELDS} per entry in the layout of
   * `ENTITY_STATE_FIELD_ORDER`, at the offsets {@link latestOffset} and {@link offsetAt} return.
   * Read-only for callers (the codec's `writeUpdateAt` reads it in place).
   */
  readonly values: Uint32Array;
  private head = 0;
  private length = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new MmoError('INVALID_OPTIONS', `StateHistory: capacity must be a positive integer, got ${capacity}`);
    }
    this.ticks = new Float64Array(capacity);
    this.values = new Uint32Array(capacity * FIELDS);
  }

  /** Entries held (at most `capacity`). */
  get size(): number {
    return this.length;
  }

  /** Records the state of `tick`; ticks must not go backwards (the same tick replaces its entry). */
  push(tick: number, state: QuantizedEntityState): void {
    const v = this.values;
    const o = this.slotFor(tick) * FIELDS;
    v[o] = state.px;
    v[o + 1] = state.py;
    v[o + 2] = state.pz;
    v[o + 3] = state.ri;
    v[o + 4] = state.ra;
    v[o + 5] = state.rb;
    v[o + 6] = state.rc;
    v[o + 7] = state.vx;
    v[o + 8] = state.vy;
    v[o + 9] = state.vz;
    v[o + 10] = state.flags;
  }

  /**
   * {@link push} from integers in the array layout (`values[offset…]`), without a state object.
   * The values must be unsigned 32-bit integers (what the codec's `quantizeInto` writes).
   */
  pushValues(tick: number, values: ArrayLike<number>, offset: number): void {
    const o = this.slotFor(tick) * FIELDS;
    const v = this.values;
    for (let i = 0; i < FIELDS; i++) v[o + i] = values[offset + i]!;
  }

  /** True when the newest entry holds exactly the integers at `values[offset…]`. */
  latestEquals(values: ArrayLike<number>, offset: number): boolean {
    if (this.length === 0) return false;
    const o = this.indexBack(1) * FIELDS;
    const v = this.values;
    for (let i = 0; i < FIELDS; i++) if (v[o + i] !== values[offset + i]) return false;
    return true;
  }

  /** Offset in {@link values} of the newest entry, or -1 when empty. */
  latestOffset(): number {
    return this.length === 0 ? -1 : this.indexBack(1) * FIELDS;
  }

  /**
   * Offset in {@link values} of the entry in force at `tick` (the newest at or before it), or -1
   * if the ring holds nothing that old (a binary search over the ring).
   */
  offsetAt(tick: number): number {
    const length = this.length;
    if (length === 0) return -1;
    const ticks = this.ticks;
    const capacity = this.capacity;
    const newest = this.indexBack(1);
    if (ticks[newest]! <= tick) return newest * FIELDS;
    const oldest = this.indexBack(length);
    if (ticks[oldest]! > tick) return -1;
    // Binary search over age: entry `k` after the oldest (ticks ascend with k).
    let lo = 0;
    let hi = length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      const at = oldest + mid;
      if (ticks[at >= capacity ? at - capacity : at]! <= tick) lo = mid;
      else hi = mid - 1;
    }
    const at = oldest + lo;
    return (at >= capacity ? at - capacity : at) * FIELDS;
  }

  /** The tick recorded at `offset` (an offset {@link offsetAt} or {@link latestOffset} returned). */
  tickAtOffset(offset: number): number {
    return this.ticks[offset / FIELDS]!;
  }

  /** The ring index `tick` is recorded at: the newest entry for the same tick, else the next slot. */
  private slotFor(tick: number): number {
    const last = this.length === 0 ? undefined : this.ticks[this.indexBack(1)];
    if (last !== undefined && tick < last) {
      throw new MmoError('INVALID_ARGUMENT', `StateHistory: tick ${tick} is before the last recorded tick ${last}`);
    }
    if (last === tick) return this.indexBack(1);
    const index = this.head;
    this.head = (this.head + 1) % this.capacity;
    if (this.length < this.capacity) this.length++;
    this.ticks[index] = tick;
    return index;
  }

  /** The newest entry, if any. */
  latest(): StateHistoryEntry | undefined {
    return this.length === 0 ? undefined : this.entry(this.indexBack(1));
  }

  /** The entry in force at `tick` (the newest at or before it); undefined if older than the ring. */
  at(tick: number): StateHistoryEntry | undefined {
    for (let i = 1; i <= this.length; i++) {
      const index = this.indexBack(i);
      if (this.ticks[index]! <= tick) return this.entry(index);
    }
    return undefined;
  }

  /** Index of the i-th newest entry (1 = newest). */
  private indexBack(i: number): number {
    return (this.head + this.capacity - i) % this.capacity;
  }

  private entry(index: number): StateHistoryEntry {
    const v = this.values;
    const o = index * FIELDS;
    return {
      tick: this.ticks[index]!,
      state: { px: v[o]!, py: v[o + 1]!, pz: v[o + 2]!, ri: v[o + 3]!, ra: v[o + 4]!, rb: v[o + 5]!, rc: v[o + 6]!, vx: v[o + 7]!, vy: v[o + 8]!, vz: v[o + 9]!, flags: v[o + 10]! },
    };
  }
}
