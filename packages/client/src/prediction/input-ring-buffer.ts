import { invalidOptionsError as invalidOptions } from '../errors.js';

/** One local input the server has not acknowledged yet, as the predictor replays it. */
export interface PendingInput<Input> {
  /** The input tick sent with it (`PlayerMovement.input_tick`); strictly increasing. */
  readonly tick: number;
  readonly input: Input;
  /** Simulated time the input covers, in ms (passed to `applyInput` again on replay). */
  readonly dtMs: number;
}

/**
 * A fixed-capacity FIFO of pending inputs in tick order. It never grows: pushing into a full
 * buffer evicts the oldest entry and returns it, so the caller can count the loss (the predictor
 * does, as `inputsDropped`). Acknowledged inputs leave from the front with {@link dropThrough}.
 * @example
 * const buffer = new InputRingBuffer<string>(2);
 * buffer.push({ tick: 1, input: 'w', dtMs: 50 });
 * buffer.push({ tick: 2, input: 'a', dtMs: 50 });
 * buffer.push({ tick: 3, input: 's', dtMs: 50 }); // returns the tick-1 entry
 * buffer.dropThrough(2); // the server processed tick 2: only tick 3 is left
 */
export class InputRingBuffer<Input> {
  private readonly slots: Array<PendingInput<Input> | undefined>;
  private head = 0;
  private count = 0;

  /**
   * @param capacity most entries kept, a positive integer.
   * @throws MmoError `INVALID_OPTIONS` when `capacity` is not a positive safe integer.
   */
  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw invalidOptions(`input buffer capacity must be a positive integer, got ${String(capacity)}`);
    }
    this.slots = new Array<PendingInput<Input> | undefined>(capacity).fill(undefined);
  }

  /** Entries held. */
  get size(): number {
    return this.count;
  }

  /** The oldest entry, if any. */
  first(): PendingInput<Input> | undefined {
    return this.count === 0 ? undefined : this.slots[this.head];
  }

  /** The newest entry, if any. */
  last(): PendingInput<Input> | undefined {
    return this.count === 0 ? undefined : this.slots[(this.head + this.count - 1) % this.capacity];
  }

  /**
   * Appends an entry (its tick must be above the newest one's; the predictor guarantees it). When
   * the buffer is full the oldest entry is evicted to make room and returned.
   */
  push(entry: PendingInput<Input>): PendingInput<Input> | undefined {
    let evicted: PendingInput<Input> | undefined;
    if (this.count === this.capacity) {
      evicted = this.shift();
    }
    this.slots[(this.head + this.count) % this.capacity] = entry;
    this.count++;
    return evicted;
  }

  /** Removes every entry with `tick <= tick` (the server's last processed input); returns how many. */
  dropThrough(tick: number): number {
    let dropped = 0;
    for (let oldest = this.first(); oldest !== undefined && oldest.tick <= tick; oldest = this.first()) {
      this.shift();
      dropped++;
    }
    return dropped;
  }

  /** Removes every entry. */
  clear(): void {
    this.slots.fill(undefined);
    this.head = 0;
    this.count = 0;
  }

  /** The entries, oldest first. */
  *[Symbol.iterator](): IterableIterator<PendingInput<Input>> {
    for (let i = 0; i < this.count; i++) {
      // In range by construction: i < count <= capacity.
      yield this.slots[(this.head + i) % this.capacity] as PendingInput<Input>;
    }
  }

  /** A copy of the entries, oldest first. */
  toArray(): Array<PendingInput<Input>> {
    return [...this];
  }

  private shift(): PendingInput<Input> | undefined {
    const entry = this.slots[this.head];
    // Release the reference so a dropped input (and what it points to) can be collected.
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.count--;
    return entry;
  }
}
