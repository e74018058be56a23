/**
 * The client's model of the world the server streams to it: which entities it sees, the exact
 * quantized state it holds of each (the baseline the server's deltas refer to), and their state in
 * world units at the latest tick. See DESIGN.md "Client data flow" (inbound state -> snapshot/delta
 * decoder) and, for the bits, @mmo/protocol's state/world-delta.ts and state/entity-state-codec.ts.
 *
 * Per server tick the server sends, in this order: INTEREST_UPDATE (entities entering and leaving
 * view; the visible list, in ascending id order, gives the slots of the delta), WORLD_STATE (who
 * the entering entities are), WORLD_DELTA (one record per changed slot, full for entering
 * entities, else against the baseline). An entity without a record is where its baseline's
 * velocity has carried it (`codec.predict`), and its baseline stays.
 */
import {
  BitReader,
  createEntityStateCodec,
  type EntityStateCodec,
  type EntityStateCodecOptions,
  MessageType,
  type QuantizedEntityState,
  readWorldDeltaHeader,
  WORLD_DELTA_MAX_VISIBLE,
} from '@mmo/protocol';
import { WorldDesyncError, type WorldDesyncReason } from '../errors.js';
import { type Listener, TypedEmitter, type Unsubscribe } from '../events/emitter.js';
import { readCorrection, readDelta, readInterestUpdate, readSnapshot, type DeltaContent, type SnapshotEntry } from './world-messages.js';
import type { WorldEntity, WorldStateEvents } from './world-events.js';
import { tickIntervalMsOf, worldStateDefaults, type WorldStateOptions } from './world-options.js';

/** The message types {@link WorldState.apply} handles. */
export const WORLD_MESSAGE_TYPES = Object.freeze([
  MessageType.INTEREST_UPDATE,
  MessageType.WORLD_STATE,
  MessageType.WORLD_DELTA,
  MessageType.PLAYER_STATE,
  MessageType.ZONE_UPDATE,
] as const);

/** The streamed view of the world, fed with the server's decoded world messages. */
export interface WorldState {
  /** The resolved options. */
  readonly options: Readonly<{ tickRate: number; tickIntervalMs: number; codec: Readonly<EntityStateCodecOptions> }>;
  /** The entity state codec (its `position.maxError` bounds the dequantized position error). */
  readonly codec: EntityStateCodec;
  /** Ids in view in ascending order (the wire's slots), including entities still without a state. */
  readonly visibleIds: readonly number[];
  /** Entities in view with a state. */
  readonly size: number;
  /** The local player's entity id, once known. Kept across `reset` (a resume keeps the entity). */
  readonly selfEntityId: number | undefined;
  /** The local player's user id, once known. */
  readonly selfPlayerId: string | undefined;
  /** The local player's entity, when in view. */
  readonly self: WorldEntity | undefined;
  /** Tick of the last applied WORLD_DELTA (undefined since the last reset). */
  readonly serverTick: number | undefined;
  /** Server time of the last applied WORLD_DELTA, in ms since the Unix epoch. */
  readonly serverTimeMs: number | undefined;
  /** Latest input tick of the local player the server has applied. */
  readonly lastProcessedInput: number;
  /** Zone of the last WORLD_STATE or ZONE_UPDATE ('' before one). */
  readonly zoneId: string;
  /**
   * True after a desync: the view is empty and world messages are ignored until {@link reset}.
   * The server restarts a client's view with a full snapshot when the client resumes or
   * reconnects, so `attachWorldState` resets on every `connected`; to force it sooner, reconnect.
   */
  readonly needsResync: boolean;
  /** The entity with this id, when in view and with a state. */
  entity(entityId: number): WorldEntity | undefined;
  /** Entities in view with a state, in ascending id order. */
  entities(): WorldEntity[];
  /**
   * Applies one decoded message. Returns false for a type it does not handle. Never throws for
   * what the server sent: a payload that does not read or is out of step raises `desync`.
   */
  apply(type: number, payload: unknown): boolean;
  /** A world message could not be decoded upstream (the connection's `error` with `decode`): desync. */
  reportDecodeError(type: number, cause: unknown): void;
  /** Drops the view (entities exit with `reset`) and clears `needsResync`: call it on (re)connect. */
  reset(): void;
  /** Sets the local player's user id; a player in view with that id becomes self. */
  setSelfPlayerId(playerId: string | undefined): void;
  /** Sets the local player's entity id directly (ZONE_UPDATE's `self_entity_id`). */
  setSelfEntityId(entityId: number | undefined): void;
  /** Adds a listener; returns its unsubscribe function. */
  on<K extends keyof WorldStateEvents>(event: K, listener: Listener<WorldStateEvents[K]>): Unsubscribe;
  /** Adds a listener that runs at most once. */
  once<K extends keyof WorldStateEvents>(event: K, listener: Listener<WorldStateEvents[K]>): Unsubscribe;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Entity = Mutable<WorldEntity>;

/** An entity announced by INTEREST_UPDATE whose WORLD_DELTA record has not come yet. */
interface Pending {
  readonly enteredTick: number;
  entry: SnapshotEntry | undefined;
}

/** Thrown inside `apply` and turned into a desync. */
class OutOfStep extends Error {
  constructor(
    readonly reason: WorldDesyncReason,
    message: string,
  ) {
    super(message);
  }
}

class WorldStateModel implements WorldState {
  readonly options: WorldState['options'];
  readonly codec: EntityStateCodec;
  private readonly emitter: TypedEmitter<WorldStateEvents>;
  private visible: number[] = [];
  private readonly known = new Map<number, Entity>();
  private readonly pending = new Map<number, Pending>();
  private tick: number | undefined;
  private timeMs: number | undefined;
  private inputTick = 0;
  private zone = '';
  private desynced = false;
  private selfId: number | undefined;
  private selfPlayer: string | undefined;
  /** Bumped when the view is dropped, so events of a tick stop if a listener resets. */
  private generation = 0;

  constructor(options: WorldStateOptions) {
    const tickRate = options.tickRate ?? worldStateDefaults.tickRate;
    const codecOptions = options.codec ?? worldStateDefaults.codec;
    this.options = Object.freeze({ tickRate, tickIntervalMs: tickIntervalMsOf(tickRate), codec: codecOptions });
    this.codec = createEntityStateCodec(codecOptions);
    this.selfPlayer = options.selfPlayerId ?? worldStateDefaults.selfPlayerId;
    const onListenerError = options.onListenerError;
    this.emitter = new TypedEmitter<WorldStateEvents>(onListenerError === undefined ? undefined : (error, event) => onListenerError(error, event));
  }

  get visibleIds(): readonly number[] {
    return this.visible;
  }
  get size(): number {
    return this.known.size;
  }
  get selfEntityId(): number | undefined {
    return this.selfId;
  }
  get selfPlayerId(): string | undefined {
    return this.selfPlayer;
  }
  get self(): WorldEntity | undefined {
    return this.selfId === undefined ? undefined : this.known.get(this.selfId);
  }
  get serverTick(): number | undefined {
    return this.tick;
  }
  get serverTimeMs(): number | undefined {
    return this.timeMs;
  }
  get lastProcessedInput(): number {
    return this.inputTick;
  }
  get zoneId(): string {
    return this.zone;
  }
  get needsResync(): boolean {
    return this.desynced;
  }

  entity(entityId: number): WorldEntity | undefined {
    return this.known.get(entityId);
  }

  entities(): WorldEntity[] {
    const out: WorldEntity[] = [];
    for (const id of this.visible) {
      const e = this.known.get(id);
      if (e !== undefined) out.push(e);
    }
    return out;
  }

  on<K extends keyof WorldStateEvents>(event: K, listener: Listener<WorldStateEvents[K]>): Unsubscribe {
    return this.emitter.on(event, listener);
  }

  once<K extends keyof WorldStateEvents>(event: K, listener: Listener<WorldStateEvents[K]>): Unsubscribe {
    return this.emitter.once(event, listener);
  }

  apply(type: number, payload: unknown): boolean {
    if (!(WORLD_MESSAGE_TYPES as readonly number[]).includes(type)) return false;
    try {
      if (type === MessageType.PLAYER_STATE) this.applyCorrection(payload);
      else if (type === MessageType.ZONE_UPDATE) this.applyZoneUpdate(payload);
      else if (!this.desynced) {
        if (type === MessageType.INTEREST_UPDATE) this.applyInterest(payload);
        else if (type === MessageType.WORLD_STATE) this.applySnapshot(payload);
        else this.applyDelta(readDelta(payload));
      }
    } catch (error) {
      // Everything is checked before anything changes, so dropping the view is a choice (the
      // stream cannot be trusted past this point), not a repair of a half-applied message.
      if (error instanceof OutOfStep) this.desync(error.reason, type, error.message);
      else this.desync('malformed', type, error instanceof Error ? error.message : String(error), error);
    }
    return true;
  }

  reportDecodeError(type: number, cause: unknown): void {
    if (type === MessageType.PLAYER_STATE || type === MessageType.ZONE_UPDATE) return; // no view state in them
    if (!(WORLD_MESSAGE_TYPES as readonly number[]).includes(type) || this.desynced) return;
    this.desync('decode', type, cause instanceof Error ? cause.message : String(cause), cause);
  }

  reset(): void {
    this.desynced = false;
    this.drop('reset');
  }

  setSelfPlayerId(playerId: string | undefined): void {
    this.selfPlayer = playerId;
    if (playerId === undefined) return;
    for (const e of this.known.values()) if (e.kind === 'player' && e.externalId === playerId) this.selfId = e.entityId;
    for (const [id, p] of this.pending) if (p.entry?.kind === 'player' && p.entry.externalId === playerId) this.selfId = id;
  }

  setSelfEntityId(entityId: number | undefined): void {
    this.selfId = entityId;
  }

  private applyInterest(payload: unknown): void {
    const change = readInterestUpdate(payload);
    const exited = new Set<number>();
    for (const id of change.exited) {
      if (exited.has(id) || !this.isVisible(id)) throw new OutOfStep('interest', `exit of entity ${id}, which is not in view`);
      exited.add(id);
    }
    const entered = new Set<number>();
    for (const id of change.entered) {
      if (entered.has(id) || (this.isVisible(id) && !exited.has(id))) throw new OutOfStep('interest', `entry of entity ${id}, which is in view already`);
      entered.add(id);
    }
    const count = this.visible.length - exited.size + entered.size;
    if (count > WORLD_DELTA_MAX_VISIBLE) throw new OutOfStep('interest', `${count} entities in view, over ${WORLD_DELTA_MAX_VISIBLE}`);

    const gone: Entity[] = [];
    for (const id of exited) {
      const e = this.known.get(id);
      if (e !== undefined) gone.push(e);
      this.known.delete(id);
      this.pending.delete(id);
    }
    for (const id of entered) this.pending.set(id, { enteredTick: change.tick, entry: undefined });
    this.visible = this.visible.filter((id) => !exited.has(id)).concat(change.entered).sort((a, b) => a - b);

    const generation = this.generation;
    for (const entity of gone) {
      if (generation !== this.generation) return;
      this.emitter.emit('entityExited', { entity, tick: change.tick, reason: 'interest' });
    }
  }

  private applySnapshot(payload: unknown): void {
    const snapshot = readSnapshot(payload);
    const seen = new Set<number>();
    for (const entry of snapshot.entries) {
      if (seen.has(entry.entityId) || !this.isVisible(entry.entityId)) {
        throw new OutOfStep('unknown-entity', `snapshot entry of entity ${entry.entityId}, which is not in view (or listed twice)`);
      }
      seen.add(entry.entityId);
    }
    if (snapshot.zoneId !== '') this.zone = snapshot.zoneId;
    for (const entry of snapshot.entries) {
      const p = this.pending.get(entry.entityId);
      if (p !== undefined) p.entry = entry;
      else {
        // A refresh of an entity in view: who it is stays, its game data is replaced.
        const e = this.known.get(entry.entityId)!;
        e.health = entry.health;
        e.maxHealth = entry.maxHealth;
        e.targetId = entry.targetId;
        e.customState = entry.customState;
      }
      if (entry.kind === 'player' && this.selfPlayer !== undefined && entry.externalId === this.selfPlayer) this.selfId = entry.entityId;
    }
  }

  private applyDelta(delta: DeltaContent): void {
    const tick = delta.tick;
    if (this.tick !== undefined && tick <= this.tick) throw new OutOfStep('tick-order', `delta of tick ${tick} after tick ${this.tick}`);
    const interval = this.options.tickIntervalMs;
    const reader = new BitReader(delta.packed);
    const { visibleCount, changedSlots } = readWorldDeltaHeader(reader);
    if (visibleCount !== this.visible.length) {
      throw new OutOfStep('visible-count', `delta built for ${visibleCount} entities in view, the client has ${this.visible.length}`);
    }
    // Decode every record before changing anything: a bad one leaves the model as it was.
    const records: { id: number; state: QuantizedEntityState }[] = [];
    for (const slot of changedSlots) {
      const id = this.visible[slot]!;
      const base = this.known.get(id);
      const elapsedMs = base === undefined ? 0 : (tick - base.baselineTick) * interval;
      records.push({ id, state: this.codec.readUpdate(reader, base?.baseline, elapsedMs) });
    }
    // Records are not byte-aligned; only the final zero padding (< 8 bits) may follow.
    if (reader.remainingBits >= 8) throw new OutOfStep('malformed', `${reader.remainingBits} bits left over after the records`);
    const received = new Set<number>();
    for (const r of records) received.add(r.id);
    for (const [id, p] of this.pending) {
      if (!received.has(id)) throw new OutOfStep('missing-state', `entity ${id} entered view but the delta has no record of it`);
      if (p.entry === undefined) throw new OutOfStep('missing-state', `entity ${id} entered view without a WORLD_STATE entry`);
    }

    const entered: Entity[] = [];
    for (const { id, state } of records) {
      const e = this.known.get(id);
      if (e === undefined) {
        const entity = this.create(id, this.pending.get(id)!, state, tick);
        this.pending.delete(id);
        this.known.set(id, entity);
        entered.push(entity);
      } else {
        e.baseline = state;
        e.baselineTick = tick;
        this.setCurrent(e, state, tick);
      }
    }
    for (const e of this.known.values()) {
      if (e.tick !== tick) this.setCurrent(e, this.codec.predict(e.baseline, (tick - e.baselineTick) * interval), tick);
    }
    this.tick = tick;
    this.timeMs = delta.serverTimeMs;
    this.inputTick = delta.lastProcessedInput;
    this.emitTick(delta, entered, received);
  }

  private emitTick(delta: DeltaContent, entered: Entity[], received: Set<number>): void {
    const { tick, serverTimeMs, lastProcessedInput } = delta;
    const generation = this.generation;
    const live = (): boolean => generation === this.generation;
    for (const entity of entered) {
      if (!live()) return;
      this.emitter.emit('entityEntered', { entity, tick });
    }
    for (const entity of this.entities()) {
      if (!live()) return;
      this.emitter.emit('entityUpdated', { entity, tick, serverTimeMs, received: received.has(entity.entityId) });
    }
    const self = this.self;
    if (self !== undefined && live()) this.emitter.emit('selfState', { entity: self, tick, serverTimeMs, lastProcessedInput });
    if (live()) this.emitter.emit('tick', { tick, serverTimeMs, lastProcessedInput });
  }

  private applyCorrection(payload: unknown): void {
    const correction = readCorrection(payload);
    const e = this.known.get(correction.entityId);
    if (e !== undefined) {
      e.health = correction.health;
      e.maxHealth = correction.maxHealth;
    }
    this.emitter.emit('correction', correction);
  }

  private applyZoneUpdate(payload: unknown): void {
    const p = (typeof payload === 'object' && payload !== null ? payload : {}) as { zoneId?: unknown; selfEntityId?: unknown };
    if (typeof p.zoneId === 'string' && p.zoneId !== '') this.zone = p.zoneId;
    if (typeof p.selfEntityId === 'number' && Number.isInteger(p.selfEntityId) && p.selfEntityId > 0) this.selfId = p.selfEntityId;
  }

  private create(id: number, p: Pending, state: QuantizedEntityState, tick: number): Entity {
    const entry = p.entry!;
    return {
      entityId: id,
      kind: entry.kind,
      externalId: entry.externalId,
      entityType: entry.entityType,
      health: entry.health,
      maxHealth: entry.maxHealth,
      targetId: entry.targetId,
      customState: entry.customState,
      enteredTick: p.enteredTick,
      baseline: state,
      baselineTick: tick,
      quantized: state,
      motion: this.codec.dequantize(state),
      tick,
    };
  }

  private setCurrent(e: Entity, state: QuantizedEntityState, tick: number): void {
    if (!this.codec.equals(e.quantized, state)) e.motion = this.codec.dequantize(state);
    e.quantized = state;
    e.tick = tick;
  }

  private isVisible(id: number): boolean {
    return this.known.has(id) || this.pending.has(id);
  }

  private desync(reason: WorldDesyncReason, type: number, detail: string, cause?: unknown): void {
    const error = new WorldDesyncError(reason, type, detail, cause === undefined ? undefined : { cause });
    this.desynced = true;
    this.drop('desync');
    this.emitter.emit('desync', { error });
  }

  /** Empties the view; every entity that had been announced exits with `reason`. */
  private drop(reason: 'reset' | 'desync'): void {
    const gone = this.entities();
    const tick = this.tick ?? 0;
    this.generation++;
    this.visible = [];
    this.known.clear();
    this.pending.clear();
    this.tick = undefined;
    this.timeMs = undefined;
    const generation = this.generation;
    for (const entity of gone) {
      if (generation !== this.generation) return;
      this.emitter.emit('entityExited', { entity, tick, reason });
    }
  }
}

/**
 * Creates an empty {@link WorldState}. Feed it the server's world messages with `apply` (or let
 * `attachWorldState` do it) and read entities or listen to its events.
 * @throws MmoError `INVALID_OPTIONS` for a bad `tickRate`; ProtocolError `VALUE_OUT_OF_RANGE` for bad codec ranges.
 * @example
 * const world = createWorldState({ tickRate: 20, selfPlayerId: 'alice' });
 * world.on('entityEntered', ({ entity }) => scene.spawn(entity.entityId, entity.entityType, entity.motion));
 * world.on('entityExited', ({ entity }) => scene.despawn(entity.entityId));
 * world.on('desync', ({ error }) => console.warn(error.message)); // the view is rebuilt on the next (re)connect
 * client.onMessage(MessageType.WORLD_DELTA, (delta) => world.apply(MessageType.WORLD_DELTA, delta));
 */
export function createWorldState(options: WorldStateOptions = {}): WorldState {
  return new WorldStateModel(options);
}
