import { type BitWriter, type EntityStateCodec, MessageType, type mmo, type QuantizedEntityState, writeWorldDeltaHeader } from '@mmo/protocol';
import { InterestSet, type InterestSource } from '../interest/interest-set.js';
import type { EncodedPiece, ZoneEntity } from './zone-entity.js';

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
}

/** What a viewer knows the client holds for one entity. */
interface Baseline {
  /** Tick of `state`. */
  tick: number;
  /** The exact integers the client has for that tick. */
  state: QuantizedEntityState;
  /** Priority accumulated while starved by the byte budget. */
  accumulated: number;
}

/** Per-tick inputs of {@link Viewer.buildTick} that the zone shares between viewers. */
export interface TickContext {
  readonly tick: number;
  readonly nowMs: number;
  readonly tickIntervalMs: number;
  readonly zoneId: string;
  readonly codec: EntityStateCodec;
  readonly grid: InterestSource<ZoneEntity>;
  /** Scratch writer for pieces (reset per use). */
  readonly pieceWriter: BitWriter;
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

/**
 * One client's view of a zone: what it can see (interest set with hysteresis), the exact state it
 * holds of each visible entity (its baselines), and the builder of its per-tick messages:
 * INTEREST_UPDATE (entered/exited), WORLD_STATE (full snapshot of entities entering view, and of
 * everything on join or resume), WORLD_DELTA (bit-packed records of what changed, within a byte
 * budget with a priority accumulator so no entity starves). All of a tick's messages are queued
 * together, so they leave in one batched frame and one socket write.
 */
export class Viewer {
  /** Visible entities in ascending id order (the wire's slot order); includes the viewer's own entity. */
  readonly visible: ZoneEntity[] = [];
  private readonly baselines = new Map<ZoneEntity, Baseline>();
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

  /** Builds and queues this client's messages for the tick. */
  buildTick(ctx: TickContext, lastProcessedInput: number): ViewerTickResult {
    if (this.sink.backlogBytes > ctx.maxBacklogBytes) {
      this.skippedTicks++;
      return { sent: false, updated: 0, deferred: 0, packedBytes: 0 };
    }
    const self = this.entity;
    const diff = this.interest.update(ctx.grid, self.motion.position, self);
    const entered = diff.entered;
    if (!this.joined) {
      this.joined = true;
      entered.push(self);
    }
    for (const e of diff.exited) {
      removeSorted(this.visible, e);
      this.baselines.delete(e);
    }
    for (const e of entered) insertSorted(this.visible, e);
    if (entered.length > 0 || diff.exited.length > 0) {
      this.sink.sendState(MessageType.INTEREST_UPDATE, {
        tick: ctx.tick,
        entered: entered.map((e) => e.id),
        exited: diff.exited.map((e) => e.id),
      });
    }
    if (entered.length > 0) {
      const lists: SnapshotLists = { players: [], npcs: [], objects: [] };
      for (const e of entered) ctx.addToSnapshot(lists, e);
      this.sink.sendState(MessageType.WORLD_STATE, { tick: ctx.tick, timestamp: ctx.nowMs, zoneId: ctx.zoneId, ...lists, lastProcessedInput });
    }
    return this.sendDelta(ctx, lastProcessedInput);
  }

  private sendDelta(ctx: TickContext, lastProcessedInput: number): ViewerTickResult {
    const tick = ctx.tick;
    const visible = this.visible;
    const slots: number[] = [];
    const pieces: EncodedPiece[] = [];
    let bits = HEADER_BITS + visible.length;
    let starved: { slot: number; piece: EncodedPiece; baseline: Baseline }[] | undefined;
    for (let slot = 0; slot < visible.length; slot++) {
      const e = visible[slot]!;
      const baseline = this.baselines.get(e);
      const piece = pieceFor(ctx, e, baseline);
      if (piece === null) continue;
      if (baseline === undefined || e === this.entity) {
        // New in view (full record) or the client's own entity: never held back.
        slots.push(slot);
        pieces.push(piece);
        bits += piece.bitLength;
      } else {
        const distanceSq = this.interest.distanceSq(e) ?? 0;
        const weight = PRIORITY_HALF_DISTANCE_SQ / (PRIORITY_HALF_DISTANCE_SQ + distanceSq);
        baseline.accumulated += e.priority * (weight > PRIORITY_MIN_WEIGHT ? weight : PRIORITY_MIN_WEIGHT);
        (starved ??= []).push({ slot, piece, baseline });
      }
    }
    let deferred = 0;
    if (starved !== undefined) {
      let optionalBits = 0;
      for (const s of starved) optionalBits += s.piece.bitLength;
      const budgetBits = ctx.maxBytesPerTick * 8;
      if (bits + optionalBits > budgetBits) {
        // Over budget: the most starved (near and important accumulate fastest) go first.
        starved.sort((a, b) => b.baseline.accumulated - a.baseline.accumulated);
        const kept: typeof starved = [];
        for (const s of starved) {
          if (bits + s.piece.bitLength <= budgetBits) {
            bits += s.piece.bitLength;
            kept.push(s);
          } else {
            deferred++;
          }
        }
        kept.sort((a, b) => a.slot - b.slot);
        starved = kept;
      }
      // Merge the optional records into slot order with the mandatory ones.
      if (starved.length > 0) mergeBySlot(slots, pieces, starved);
    }

    const w = ctx.packWriter;
    w.reset();
    writeWorldDeltaHeader(w, visible.length, slots);
    for (const piece of pieces) w.appendBits(piece.bytes, piece.bitLength);
    const packed = w.finish();
    this.sink.sendState(MessageType.WORLD_DELTA, { tick, timestamp: ctx.nowMs, lastProcessedInput, packed });
    for (const slot of slots) {
      const e = visible[slot]!;
      const state = e.state!;
      const baseline = this.baselines.get(e);
      if (baseline === undefined) this.baselines.set(e, { tick, state, accumulated: 0 });
      else {
        baseline.tick = tick;
        baseline.state = state;
        baseline.accumulated = 0;
      }
    }
    return { sent: true, updated: slots.length, deferred, packedBytes: packed.length };
  }
}

/** The record of `entity`'s current state against `baseline`, encoded once per (entity, baseline tick) per tick. */
function pieceFor(ctx: TickContext, entity: ZoneEntity, baseline: Baseline | undefined): EncodedPiece | null {
  if (entity.piecesTick !== ctx.tick) {
    entity.pieces.clear();
    entity.piecesTick = ctx.tick;
  }
  const key = baseline === undefined ? -1 : baseline.tick;
  const cached = entity.pieces.get(key);
  if (cached !== undefined) return cached;
  const w = ctx.pieceWriter;
  w.reset();
  const elapsedMs = baseline === undefined ? 0 : (ctx.tick - baseline.tick) * ctx.tickIntervalMs;
  const written = ctx.codec.writeUpdate(w, entity.state!, baseline?.state, elapsedMs);
  const piece = written ? { bytes: w.finish(), bitLength: w.bitLength } : null;
  entity.pieces.set(key, piece);
  return piece;
}

function mergeBySlot(slots: number[], pieces: EncodedPiece[], extra: { slot: number; piece: EncodedPiece }[]): void {
  const mergedSlots: number[] = [];
  const mergedPieces: EncodedPiece[] = [];
  let i = 0;
  let j = 0;
  while (i < slots.length || j < extra.length) {
    if (j >= extra.length || (i < slots.length && slots[i]! < extra[j]!.slot)) {
      mergedSlots.push(slots[i]!);
      mergedPieces.push(pieces[i]!);
      i++;
    } else {
      mergedSlots.push(extra[j]!.slot);
      mergedPieces.push(extra[j]!.piece);
      j++;
    }
  }
  slots.length = 0;
  pieces.length = 0;
  slots.push(...mergedSlots);
  pieces.push(...mergedPieces);
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

function insertSorted(list: ZoneEntity[], e: ZoneEntity): void {
  const at = indexOf(list, e.id);
  if (list[at] !== e) list.splice(at, 0, e);
}

function removeSorted(list: ZoneEntity[], e: ZoneEntity): void {
  const at = indexOf(list, e.id);
  if (list[at] === e) list.splice(at, 1);
}
