import { BitWriter, ENTITY_STATE_FIELDS, type EntityStateCodec } from '@mmo/protocol';
import type { EntityStateStore } from './entity-state-store.js';

/**
 * A pre-encoded update record of one entity for one tick, shared by every viewer that needs it:
 * `byteOffset << 8 | bitLength` into the tick's arena (0: nothing to send), a small integer.
 * Records are at most 152 bits, so the bit length fits the low byte; the arena is at most
 * {@link PIECE_ARENA_MAX_BYTES}, so the offset fits the rest of a 30-bit small integer.
 */
export type PieceRef = number;
export const PIECE_BITS_MASK = 0xff;
export const PIECE_OFFSET_SHIFT = 8;
/** Bytes of encoded records one tick may hold: 4 MiB, ~400,000 records of ~10 bytes. */
export const PIECE_ARENA_MAX_BYTES = 1 << 22;
/** Key of an empty cache entry (baseline ticks are >= -1). */
const NO_KEY = -2;

/**
 * The records of one tick, by entity and by the baseline tick a client holds (-1: a full record),
 * each encoded once into one arena and shared by every viewer with that baseline. Entities are
 * addressed by their dense zone index: the hot loop of a viewer reads these typed arrays, not the
 * entity objects. Two inline entries per entity cover the usual cases (baseline one tick old, or
 * none); other baselines go to a map.
 */
export class PieceCache {
  /** Per entity index: baseline tick of the first and second cached record, and the records. */
  keyA: Int32Array;
  pieceA: Int32Array;
  keyB: Int32Array;
  pieceB: Int32Array;
  /**
   * Per entity index, kept across ticks: the last baseline tick looked up in its history and the
   * offset found (-1: older than the history). Valid while the entry there still has a tick at or
   * before the key (a ring overwrite gives it a newer one): viewers that got the same record share
   * a baseline for many ticks, so the history's ring is searched about once per record sent.
   */
  private baseKey: Int32Array;
  private baseOffset: Int32Array;
  readonly arena = new BitWriter({ initialCapacityBytes: 64 * 1024, maxBytes: PIECE_ARENA_MAX_BYTES });
  private readonly overflow = new Map<number, Map<number, PieceRef>>();
  private tick = -1;
  /** Records written since the tick started (each shared by every viewer with that baseline). */
  encodedThisTick = 0;

  constructor(capacity = 1024) {
    this.keyA = new Int32Array(capacity).fill(NO_KEY);
    this.pieceA = new Int32Array(capacity);
    this.keyB = new Int32Array(capacity).fill(NO_KEY);
    this.pieceB = new Int32Array(capacity);
    this.baseKey = new Int32Array(capacity).fill(NO_KEY);
    this.baseOffset = new Int32Array(capacity);
  }

  /** Makes room for entity indices below `capacity`. */
  ensureCapacity(capacity: number): void {
    if (capacity <= this.keyA.length) return;
    const size = Math.max(capacity, this.keyA.length * 2);
    const grow = (old: Int32Array, fill: number) => {
      const next = new Int32Array(size).fill(fill);
      next.set(old);
      return next;
    };
    this.keyA = grow(this.keyA, NO_KEY);
    this.pieceA = grow(this.pieceA, 0);
    this.keyB = grow(this.keyB, NO_KEY);
    this.pieceB = grow(this.pieceB, 0);
    this.baseKey = grow(this.baseKey, NO_KEY);
    this.baseOffset = grow(this.baseOffset, 0);
  }

  /** The entity at `index` left the zone: its index may be reused by another one. */
  forget(index: number): void {
    if (index < this.baseKey.length) this.baseKey[index] = NO_KEY;
  }

  /** Starts tick `tick`: forgets every record of the previous one. */
  startTick(tick: number): void {
    this.tick = tick;
    this.encodedThisTick = 0;
    this.keyA.fill(NO_KEY);
    this.keyB.fill(NO_KEY);
    if (this.overflow.size > 0) this.overflow.clear();
    this.arena.reset();
  }

  /**
   * The record of the current state of the entity at `index` against the state a client holds
   * from `baseTick` (its history entry in force then; -1, or a baseline older than the history: a
   * full record). The inline entries must have been checked by the caller (the viewer's loop does).
   */
  encode(codec: EntityStateCodec, tickIntervalMs: number, states: EntityStateStore, index: number, baseTick: number): PieceRef {
    // Both inline entries taken: this baseline may be in the map.
    let more: Map<number, PieceRef> | undefined;
    if (this.keyB[index] !== NO_KEY) {
      more = this.overflow.get(index);
      const cached = more?.get(baseTick);
      if (cached !== undefined) return cached;
    }
    let baseOffset = -1;
    if (baseTick >= 0) {
      const known = this.baseOffset[index]!;
      if (this.baseKey[index] === baseTick && (known < 0 || states.tickAtOffset(known) <= baseTick)) {
        baseOffset = known;
      } else {
        baseOffset = states.offsetAt(index, baseTick);
        this.baseKey[index] = baseTick;
        this.baseOffset[index] = baseOffset;
      }
    }
    const arena = this.arena;
    arena.padToByte();
    const start = arena.byteLength;
    const elapsedMs = baseOffset < 0 ? 0 : (this.tick - baseTick) * tickIntervalMs;
    const written = codec.writeUpdateAt(arena, states.current, index * ENTITY_STATE_FIELDS, baseOffset < 0 ? undefined : states.states, baseOffset, elapsedMs);
    if (written) this.encodedThisTick++;
    const piece: PieceRef = written ? (start << PIECE_OFFSET_SHIFT) | (arena.bitLength - start * 8) : 0;
    if (this.keyA[index] === NO_KEY) {
      this.keyA[index] = baseTick;
      this.pieceA[index] = piece;
    } else if (this.keyB[index] === NO_KEY) {
      this.keyB[index] = baseTick;
      this.pieceB[index] = piece;
    } else {
      if (more === undefined) {
        more = new Map();
        this.overflow.set(index, more);
      }
      more.set(baseTick, piece);
    }
    return piece;
  }
}
