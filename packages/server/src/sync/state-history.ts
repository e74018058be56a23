import { MmoError, type QuantizedEntityState } from '@mmo/protocol';
import { EntityStateStore } from './entity-state-store.js';

/** One recorded state of an entity. */
export interface StateHistoryEntry {
  /** The tick that produced the state. */
  readonly tick: number;
  /** The state as the wire carries it (a copy). */
  readonly state: QuantizedEntityState;
}

/**
 * The last `capacity` states of one entity, by tick (late joins, reconciliation, lag
 * compensation: "where was it at tick T?"). Fixed memory: a ring of plain integers (every field
 * of a quantized state is an unsigned integer below 2^32), oldest overwritten; no state objects
 * are kept. A zone entity's history is a view of its zone's state store (see `ZoneEntity.history`);
 * after the entity leaves the zone the view is empty. `new StateHistory(capacity)` makes a
 * stand-alone one.
 */
export class StateHistory {
  private readonly store: EntityStateStore;
  private readonly index: number;
  private readonly generation: number;

  /** A stand-alone history of `capacity` states. Throws `INVALID_OPTIONS` for a bad capacity. */
  constructor(capacity: number);
  /** @internal A view of entry `index` of a zone's store (its current generation). */
  constructor(capacity: number, store: EntityStateStore, index: number);
  constructor(
    readonly capacity: number,
    store?: EntityStateStore,
    index = 0,
  ) {
    this.store = store ?? new EntityStateStore(capacity, 1);
    this.index = index;
    this.generation = store === undefined ? this.store.claim(0) : this.store.generation(index);
  }

  /** Entries held (at most `capacity`; 0 once the entity left its zone). */
  get size(): number {
    return this.attached() ? this.store.count(this.index) : 0;
  }

  /**
   * Records the state of `tick`; ticks must not go backwards (the same tick replaces its entry).
   * Throws `INVALID_ARGUMENT` for a tick before the last one, or once the entity left its zone.
   */
  push(tick: number, state: QuantizedEntityState): void {
    if (!this.attached()) throw new MmoError('INVALID_ARGUMENT', 'StateHistory: the entity has left its zone');
    this.store.push(this.index, tick, [state.px, state.py, state.pz, state.ri, state.ra, state.rb, state.rc, state.vx, state.vy, state.vz, state.flags], 0);
  }

  /** The newest entry, if any. */
  latest(): StateHistoryEntry | undefined {
    let found: StateHistoryEntry | undefined;
    if (this.attached()) this.store.forEachNewestFirst(this.index, (tick, offset) => ((found = this.entry(tick, offset)), true));
    return found;
  }

  /** The entry in force at `tick` (the newest at or before it); undefined if older than the ring. */
  at(tick: number): StateHistoryEntry | undefined {
    if (!this.attached()) return undefined;
    const offset = this.store.offsetAt(this.index, tick);
    return offset < 0 ? undefined : this.entry(this.store.tickAtOffset(offset), offset);
  }

  private attached(): boolean {
    return this.store.generation(this.index) === this.generation;
  }

  private entry(tick: number, offset: number): StateHistoryEntry {
    const v = this.store.states;
    const o = offset;
    return {
      tick,
      state: { px: v[o]!, py: v[o + 1]!, pz: v[o + 2]!, ri: v[o + 3]!, ra: v[o + 4]!, rb: v[o + 5]!, rc: v[o + 6]!, vx: v[o + 7]!, vy: v[o + 8]!, vz: v[o + 9]!, flags: v[o + 10]! },
    };
  }
}
