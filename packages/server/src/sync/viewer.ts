import { type BitWriter, type EntityStateCodec, MessageType, type mmo, writeWorldDeltaHeader } from '@mmo/protocol';
import { InterestSet, type InterestSource } from '../interest/interest-set.js';
import { PIECE_BITS_MASK, PIECE_OFFSET_SHIFT, type PieceCache } from './piece-cache.js';
import type { EntityStateStore } from './entity-state-store.js';
import type { ZoneEntity } from './zone-entity.js';

/** Where a viewer's messages go: a gateway connection in production, a recorder in tests and benchmarks. */
export interface ViewerSink {
  /** Bytes waiting to be written to this client; above the zone's `maxBacklogBytes` its tick output is skipped. */
  readonly backlogBytes: number;
  /**
   * Sends one volatile message that must not be shed or reordered with the others of the tick
   * (priority NORMAL). Returns false if it could not be queued (the connection is closing).
   */
  sendState(type: number, payload: unknown): boolean;
  /** Sends a reliable message (actions). */
  sendReliable(type: number, payload: unknown): boolean;
  /** Sends a volatile message at `priority` (corrections). */
  sendVolatile(type: number, payload: unknown, priority: number): boolean;
  /** Writes what this tick queued now, as one batch (instead of waiting for the write queue's batching delay). */
  flush?(): void;
}

/** Per-tick inputs of {@link Viewer.buildTick} that the zone shares between viewers. */
export interface TickContext {
  readonly tick: number;
  readonly nowMs: number;
  readonly tickIntervalMs: number;
  readonly zoneId: string;
  readonly codec: EntityStateCodec;
  readonly grid: InterestSource<ZoneEntity>;
  /** The tick's shared records (emptied by the zone before the first viewer). */
  readonly pieces: PieceCache;
  /** The zone's entities by dense index (a stale index of a removed entity holds another or none). */
  readonly entityAt: readonly (ZoneEntity | undefined)[];
  /** Per entity index: the last tick its game data was refreshed (`Zone.markDirty`; -1: never). */
  readonly refreshTicks: Int32Array;
  /** The largest of `refreshTicks` (-1: none): a viewer built since then has nothing to refresh. */
  readonly lastRefreshTick: number;
  /** Every entity's quantized states, by dense index. */
  readonly states: EntityStateStore;
  /** Scratch writer for a viewer's packed delta (reset per use). */
  readonly packWriter: BitWriter;
  readonly maxBytesPerTick: number;
  readonly maxBacklogBytes: number;
  /** Adds `entity`'s full state to a snapshot (players, npcs or objects by its kind). */
  readonly addToSnapshot: (snapshot: SnapshotLists, entity: ZoneEntity) => void;
}

/** The entity lists of a WORLD_STATE snapshot. */
export interface SnapshotLists {
  players: mmo.v1.IPlayerStateUpdate[];
  npcs: mmo.v1.INPCStateUpdate[];
  objects: mmo.v1.IObjectStateUpdate[];
}

/** What one {@link Viewer.buildTick} did (for metrics and tests). */
export interface ViewerTickResult {
  /** False when the client's backlog was over the limit and nothing was built. */
  sent: boolean;
  /** Entities whose record went out. */
  updated: number;
  /** Entities that had changed but were held back by the byte budget. */
  deferred: number;
  /** Bytes of the WORLD_DELTA payload's packed field. */
  packedBytes: number;
}

/** Distance (squared, world units²) at which an entity's priority weight halves. */
const PRIORITY_HALF_DISTANCE_SQ = 30 * 30;
/** Least distance weight, so the far edge of a view still gets a quarter of the near rate. */
const PRIORITY_MIN_WEIGHT = 0.25;
/** Bits of the packed-delta header besides the mask (count and mode). */
const HEADER_BITS = 17;
/** Slots a viewer's per-slot arrays start with (they double as the view grows). */
const INITIAL_SLOTS = 64;

/**
 * One client's view of a zone: what it can see (interest set with hysteresis), the exact state it
 * holds of each visible entity (its baselines), and the builder of its per-tick messages:
 * INTEREST_UPDATE (entered/exited), WORLD_STATE (full snapshot of entities entering view, and of
 * everything on join or resume), WORLD_DELTA (bit-packed records of what changed, within a byte
 * budget with a priority accumulator so no entity starves). All of a tick's messages are queued
 * together; the zone flushes every viewer's sink once all are built, so each client's tick leaves
 * in one batched frame and one socket write, and the tick's writes run back to back.
 *
 * Per slot (index in `visible`, ascending entity id) it keeps parallel arrays rather than maps:
 * the hot loop of a tick touches each visible entity once with no hashing.
 */
export class Viewer {
  /** Visible entities in ascending id order (the wire's slot order); includes the viewer's own entity. */
  readonly visible: ZoneEntity[] = [];
  /** Per slot: the entity's dense zone index (the hot loop reads typed arrays, not entities). */
  private visibleIndex = new Int32Array(INITIAL_SLOTS);
  /**
   * Per slot: tick of the state the client holds (-1: nothing yet, a full record is due). The
   * state itself is the entity's history entry in force at that tick (no copy kept here).
   */
  private baseTicks = new Int32Array(INITIAL_SLOTS);
  /** Per slot: priority accumulated while the byte budget held the record back. */
  private accumulated = new Float64Array(INITIAL_SLOTS);
  /** Scratch of one tick: the changed slots and their records (the first n entries are used). */
  private changedSlots = new Int32Array(INITIAL_SLOTS);
  private changedPieces = new Int32Array(INITIAL_SLOTS);
  /** A tick's interest changes (refilled each tick). */
  private readonly enteredScratch: ZoneEntity[] = [];
  private readonly exitedScratch: ZoneEntity[] = [];
  /** Entities removed from the zone since the last tick, to announce as exits. */
  private readonly pendingExits: ZoneEntity[] = [];
  /** Entities in view whose game data was refreshed since this viewer's last built tick (refilled each tick). */
  private readonly refreshedScratch: ZoneEntity[] = [];
  /** The last tick whose output was built for this client (-1: none yet). */
  private lastBuiltTick = -1;
  private joined = false;
  /** Ticks skipped because the client's backlog was over the limit. */
  skippedTicks = 0;

  constructor(
    readonly entity: ZoneEntity,
    readonly sink: ViewerSink,
    readonly interest: InterestSet<ZoneEntity>,
  ) {}

  /** True when `entity` is in this client's view (its own entity included). */
  sees(entity: ZoneEntity): boolean {
    return entity === this.entity || this.interest.has(entity);
  }

  /** `entity` left the zone: it exits this view at the next built tick. */
  dropEntity(entity: ZoneEntity): void {
    if (this.interest.remove(entity)) this.pendingExits.push(entity);
  }

  /**
   * Builds and queues this client's messages for the tick; with `refreshInterest` false the
   * visible set is kept as it is (interest is refreshed every few ticks, staggered over viewers).
   */
  buildTick(ctx: TickContext, lastProcessedInput: number, refreshInterest: boolean): ViewerTickResult {
    if (this.sink.backlogBytes > ctx.maxBacklogBytes) {
      this.skippedTicks++;
      return { sent: false, updated: 0, deferred: 0, packedBytes: 0 };
    }
    const self = this.entity;
    // Reused every tick: the messages below copy ids out of them, nothing keeps them.
    const entered = this.enteredScratch;
    const exited = this.exitedScratch;
    if (refreshInterest || !this.joined) {
      this.interest.updateInto(ctx.grid, self.motion.position, self, entered, exited);
    } else {
      entered.length = 0;
      exited.length = 0;
    }
    if (this.pendingExits.length > 0) {
      for (const e of this.pendingExits) if (!exited.includes(e)) exited.push(e);
      this.pendingExits.length = 0;
    }
    if (!this.joined) {
      this.joined = true;
      entered.push(self);
    }
    for (const e of exited) this.removeSlot(e);
    for (const e of entered) this.insertSlot(e);
    if (entered.length > 0 || exited.length > 0) {
      this.sink.sendState(MessageType.INTEREST_UPDATE, {
        tick: ctx.tick,
        entered: entered.map((e) => e.id),
        exited: exited.map((e) => e.id),
      });
    }
    const refreshed = this.refreshedScratch;
    refreshed.length = 0;
    if (ctx.lastRefreshTick > this.lastBuiltTick) this.collectRefreshed(ctx, refreshed);
    if (entered.length > 0 || refreshed.length > 0) {
      // Entering entities and, after them, refreshes of entities the client holds already (their
      // identity stays, their game data is replaced): one snapshot.
      const lists: SnapshotLists = { players: [], npcs: [], objects: [] };
      for (const e of entered) ctx.addToSnapshot(lists, e);
      for (const e of refreshed) ctx.addToSnapshot(lists, e);
      this.sink.sendState(MessageType.WORLD_STATE, { tick: ctx.tick, timestamp: ctx.nowMs, zoneId: ctx.zoneId, ...lists, lastProcessedInput });
    }
    this.lastBuiltTick = ctx.tick;
    return this.sendDelta(ctx, lastProcessedInput);
  }

  /**
   * Fills `out` with the entities in view whose game data was refreshed after this client's last
   * built tick, except those entering now (their snapshot entry is in the tick already): new
   * slots are the ones with no baseline yet.
   */
  private collectRefreshed(ctx: TickContext, out: ZoneEntity[]): void {
    const { refreshTicks, entityAt } = ctx;
    const since = this.lastBuiltTick;
    const count = this.visible.length;
    for (let slot = 0; slot < count; slot++) {
      const index = this.visibleIndex[slot]!;
      if (refreshTicks[index]! <= since || this.baseTicks[slot] === -1) continue;
      const e = this.visible[slot]!;
      if (entityAt[index] === e) out.push(e);
    }
  }

  private sendDelta(ctx: TickContext, lastProcessedInput: number): ViewerTickResult {
    const tick = ctx.tick;
    const visible = this.visible;
    const count = visible.length;
    const baseTicks = this.baseTicks;
    const visibleIndex = this.visibleIndex;
    const slots = this.changedSlots;
    const pieces = this.changedPieces;
    const cache = ctx.pieces;
    const { keyA, pieceA, keyB, pieceB } = cache;
    const entityAt = ctx.entityAt;
    const selfIndex = this.entity.index;
    let changed = 0;
    let bits = HEADER_BITS + count;
    let optional = 0;
    for (let slot = 0; slot < count; slot++) {
      const index = visibleIndex[slot]!;
      const e = visible[slot]!;
      // Removed from the zone and waiting for its exit: its index may be another entity's now.
      if (entityAt[index] !== e) continue;
      const baseTick = baseTicks[slot]!;
      let piece: number;
      if (keyA[index] === baseTick) piece = pieceA[index]!;
      else if (keyB[index] === baseTick) piece = pieceB[index]!;
      else piece = cache.encode(ctx.codec, ctx.tickIntervalMs, ctx.states, index, baseTick);
      if (piece === 0) continue;
      slots[changed] = slot;
      pieces[changed] = piece;
      changed++;
      bits += piece & PIECE_BITS_MASK;
      if (baseTick >= 0 && index !== selfIndex) optional++;
    }
    let deferred = 0;
    if (bits > ctx.maxBytesPerTick * 8 && optional > 0) {
      const kept = this.applyBudget(ctx, changed, bits);
      deferred = changed - kept;
      changed = kept;
    }

    const w = ctx.packWriter;
    w.reset();
    writeWorldDeltaHeader(w, count, slots, changed);
    // `bits` counted the header's worst case and every kept record: room for all in one check.
    w.reserveBits(bits);
    const arena = cache.arena.peekBytes();
    for (let i = 0; i < changed; i++) {
      const piece = pieces[i]!;
      w.putAppend(arena, piece & PIECE_BITS_MASK, piece >>> PIECE_OFFSET_SHIFT);
    }
    const packed = w.finish();
    this.sink.sendState(MessageType.WORLD_DELTA, { tick, timestamp: ctx.nowMs, lastProcessedInput, packed });
    const accumulated = this.accumulated;
    for (let i = 0; i < changed; i++) {
      const slot = slots[i]!;
      baseTicks[slot] = tick;
      accumulated[slot] = 0;
    }
    return { sent: true, updated: changed, deferred, packedBytes: packed.length };
  }

  /**
   * Over budget: keeps the mandatory records (entering entities and the client's own) and the
   * optional ones with the most accumulated priority that fit; the rest wait, accumulating
   * priority (near and important entities faster, the far edge at no less than a quarter rate),
   * so nobody starves. Compacts the first `changed` entries of `changedSlots`/`changedPieces` in
   * place and returns how many are kept.
   */
  private applyBudget(ctx: TickContext, changed: number, totalBits: number): number {
    const slots = this.changedSlots;
    const pieces = this.changedPieces;
    const budgetBits = ctx.maxBytesPerTick * 8;
    let bits = totalBits;
    const candidates: number[] = [];
    for (let i = 0; i < changed; i++) {
      const slot = slots[i]!;
      const e = this.visible[slot]!;
      if (this.baseTicks[slot]! < 0 || e === this.entity) continue;
      const weight = PRIORITY_HALF_DISTANCE_SQ / (PRIORITY_HALF_DISTANCE_SQ + (this.interest.distanceSq(e) ?? 0));
      this.accumulated[slot]! += e.priority * (weight > PRIORITY_MIN_WEIGHT ? weight : PRIORITY_MIN_WEIGHT);
      candidates.push(i);
      bits -= pieces[i]! & PIECE_BITS_MASK;
    }
    candidates.sort((a, b) => this.accumulated[slots[b]!]! - this.accumulated[slots[a]!]!);
    const keep = new Uint8Array(changed).fill(1);
    for (const i of candidates) keep[i] = 0;
    for (const i of candidates) {
      const pieceBits = pieces[i]! & PIECE_BITS_MASK;
      if (bits + pieceBits <= budgetBits) {
        bits += pieceBits;
        keep[i] = 1;
      }
    }
    let out = 0;
    for (let i = 0; i < changed; i++) {
      if (keep[i] === 0) continue;
      slots[out] = slots[i]!;
      pieces[out] = pieces[i]!;
      out++;
    }
    return out;
  }

  private insertSlot(e: ZoneEntity): void {
    const at = indexOf(this.visible, e.id);
    if (this.visible[at] === e) return;
    const n = this.visible.length;
    this.visible.splice(at, 0, e);
    if (n + 1 > this.baseTicks.length) this.grow(n + 1);
    this.baseTicks.copyWithin(at + 1, at, n);
    this.accumulated.copyWithin(at + 1, at, n);
    this.visibleIndex.copyWithin(at + 1, at, n);
    this.baseTicks[at] = -1;
    this.accumulated[at] = 0;
    this.visibleIndex[at] = e.index;
  }

  private removeSlot(e: ZoneEntity): void {
    const at = indexOf(this.visible, e.id);
    if (this.visible[at] !== e) return;
    const n = this.visible.length;
    this.visible.splice(at, 1);
    this.baseTicks.copyWithin(at, at + 1, n);
    this.accumulated.copyWithin(at, at + 1, n);
    this.visibleIndex.copyWithin(at, at + 1, n);
  }

  private grow(needed: number): void {
    const size = Math.max(needed, this.baseTicks.length * 2);
    const ticks = new Int32Array(size);
    ticks.set(this.baseTicks);
    const acc = new Float64Array(size);
    acc.set(this.accumulated);
    const index = new Int32Array(size);
    index.set(this.visibleIndex);
    this.baseTicks = ticks;
    this.accumulated = acc;
    this.visibleIndex = index;
    this.changedSlots = new Int32Array(size);
    this.changedPieces = new Int32Array(size);
  }
}

function indexOf(list: ZoneEntity[], id: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.id < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
