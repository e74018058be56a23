import { MmoError, type QuantizedEntityState } from '@mmo/protocol';

/** One recorded state of an entity. */
export interface StateHistoryEntry {
  /** The tick that produced the state. */
  readonly tick: number;
  /** The state as the wire carries it. */
  readonly state: QuantizedEntityState;
}

/**
 * The last `capacity` states of one entity, by tick (late joins, reconciliation, lag
 * compensation: "where was it at tick T?"). Fixed memory: a ring, oldest overwritten.
 */
export class StateHistory {
  private readonly ticks: number[];
  private readonly states: (QuantizedEntityState | undefined)[];
  private head = 0;
  private length = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new MmoError('INVALID_OPTIONS', `StateHistory: capacity must be a positive integer, got ${capacity}`);
    }
    this.ticks = new Array<number>(capacity).fill(-1);
    this.states = new Array<QuantizedEntityState | undefined>(capacity).fill(undefined);
  }

  /** Entries held (at most `capacity`). */
  get size(): number {
    return this.length;
  }

  /** Records the state of `tick`; ticks must not go backwards (the same tick replaces its entry). */
  push(tick: number, state: QuantizedEntityState): void {
    const last = this.length === 0 ? undefined : this.ticks[(this.head + this.capacity - 1) % this.capacity];
    if (last !== undefined && tick < last) {
      throw new MmoError('INVALID_ARGUMENT', `StateHistory: tick ${tick} is before the last recorded tick ${last}`);
    }
    if (last === tick) {
      this.states[(this.head + this.capacity - 1) % this.capacity] = state;
      return;
    }
    this.ticks[this.head] = tick;
    this.states[this.head] = state;
    this.head = (this.head + 1) % this.capacity;
    if (this.length < this.capacity) this.length++;
  }

  /** The newest entry, if any. */
  latest(): StateHistoryEntry | undefined {
    return this.length === 0 ? undefined : this.entry((this.head + this.capacity - 1) % this.capacity);
  }

  /** The entry in force at `tick` (the newest at or before it); undefined if older than the ring. */
  at(tick: number): StateHistoryEntry | undefined {
    for (let i = 1; i <= this.length; i++) {
      const index = (this.head + this.capacity - i) % this.capacity;
      if (this.ticks[index]! <= tick) return this.entry(index);
    }
    return undefined;
  }

  private entry(index: number): StateHistoryEntry {
    return { tick: this.ticks[index]!, state: this.states[index]! };
  }
}
