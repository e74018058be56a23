import {
  BitWriter,
  createEntityStateCodec,
  ENTITY_STATE_FIELDS,
  type EntityStateCodec,
  MessageType,
  MmoError,
  type mmo,
  Priority,
  type QuaternionLike,
  type Vector3Like,
} from '@mmo/protocol';
import type { Logger } from 'pino';
import { InterestSet } from '../interest/interest-set.js';
import { SpatialGrid } from '../interest/spatial-grid.js';
import type { GameplayHooks, QueuedInput } from './gameplay-hooks.js';
import { resolveMovementOptions } from './movement-options.js';
import { type MovementRejectReason, MovementValidator } from './movement-validator.js';
import { createPlayerMoveState, type PlayerMoveState } from './player-move-state.js';
import { type SendToPlayer, StateProviderRegistry } from './state-providers.js';
import type { SyncMetrics } from './sync-metrics.js';
import { Viewer, type SnapshotLists, type TickContext, type ViewerSink } from './viewer.js';
import { resolveZoneOptions, type ResolvedZoneOptions, type ZoneOptions } from './zone-options.js';
import { EntityStateStore } from './entity-state-store.js';
import { PieceCache } from './piece-cache.js';
import { StateHistory } from './state-history.js';
import { ZoneEntity, type ZoneEntityKind } from './zone-entity.js';

/** What a {@link Zone} needs besides its options. */
export interface ZoneInit extends ZoneOptions {
  /** Zone id (on the wire in snapshots). */
  id: string;
  /** Milliseconds between two ticks of the loop that steps this zone. */
  tickIntervalMs: number;
  /** Game hooks. @default none */
  hooks?: GameplayHooks;
  /** Logger for hook failures. */
  logger: Logger;
  /** Metrics. @default none */
  metrics?: SyncMetrics;
  /**
   * Reliable delivery to a player's session, attached or not (state providers use it).
   * @default the player's viewer, when one is attached
   */
  sendToPlayer?: SendToPlayer;
}

/** Spawning a non-player entity. */
export interface SpawnOptions {
  kind: Exclude<ZoneEntityKind, 'player'>;
  /** NPC id or object id (unique in the zone). */
  externalId: string;
  /** Type name sent in snapshots (`'wolf'`, `'chest'`). */
  entityType: string;
  position: Vector3Like;
  /** @default identity */
  rotation?: QuaternionLike;
  /**
   * Game bytes to rebuild the entity's own data from (a saved entity, or one handed over from
   * another zone): given to the `deserializeCustomState` hook right after the entity is created.
   */
  customState?: Uint8Array;
}

/** Moving an entity on the server's authority. */
export interface EntityMove {
  position?: Vector3Like;
  rotation?: QuaternionLike;
  /** World units per second. */
  velocity?: Vector3Like;
  /** 0..255. */
  flags?: number;
}

/** Figures of one {@link Zone.step}. */
export interface ZoneTickStats {
  tick: number;
  inputsApplied: number;
  inputsRejected: number;
  /** Entities whose state changed this tick. */
  changed: number;
  /** Viewers whose output was built. */
  viewersSent: number;
  /** Viewers skipped for backlog. */
  viewersSkipped: number;
  /** Entity records sent, over all viewers. */
  recordsSent: number;
  /** Records held back by byte budgets. */
  recordsDeferred: number;
  /**
   * Records encoded this tick: each entity's change against one baseline is encoded once and
   * shared by every client holding that baseline, so this is far below `recordsSent` in a crowd.
   */
  recordsEncoded: number;
  /** Bytes of packed deltas, over all viewers. */
  packedBytes: number;
}

interface PlayerSlot {
  readonly entity: ZoneEntity;
  readonly userId: string;
  readonly move: PlayerMoveState;
  inputs: QueuedInput[];
  viewer: Viewer | undefined;
  /** Times of recent violations (bounded by the window). */
  violations: number[];
  corrected: boolean;
}

const IDENTITY: QuaternionLike = Object.freeze({ x: 0, y: 0, z: 0, w: 1 });


/**
 * One simulated zone: its entities, their spatial grid, the players' queued movement inputs and
 * their anti-cheat state, and one {@link Viewer} per connected player. `step` runs one tick:
 * inputs, game hooks, quantization (once per entity), then each viewer's batched output.
 * @example
 * const zone = new Zone({ id: 'start', tickIntervalMs: 50, logger });
 * const me = zone.joinPlayer('alice', 'session-1');
 * zone.attachViewer(me, sink);
 * zone.step(1, Date.now());
 */
export class Zone {
  readonly id: string;
  readonly options: ResolvedZoneOptions;
  readonly codec: EntityStateCodec;
  readonly grid: SpatialGrid<ZoneEntity>;
  readonly validator: MovementValidator;
  /** Custom per-player state replicated to its owner after each tick. */
  readonly stateProviders: StateProviderRegistry;
  private readonly tickIntervalMs: number;
  private readonly sendToPlayer: SendToPlayer;
  private readonly hooks: GameplayHooks;
  private readonly logger: Logger;
  private readonly metrics: SyncMetrics | undefined;
  private readonly maxVelocity: number;
  private readonly entitiesById = new Map<number, ZoneEntity>();
  private readonly externalIds = new Map<string, ZoneEntity>();
  private readonly players = new Map<ZoneEntity, PlayerSlot>();
  private readonly bySession = new Map<string, PlayerSlot>();
  /** Entities changed since the last quantization, each once (their `dirty` flag is set). */
  private dirty: ZoneEntity[] = [];
  /** Entities whose game data is to be sent again at the next tick, each once (`refreshDue` set). */
  private refreshDue: ZoneEntity[] = [];
  /** Per entity index: the last tick its game data was refreshed (-1: never). */
  private refreshTicks = new Int32Array(1024).fill(-1);
  /** The last tick any entity's game data was refreshed (-1: never). */
  private lastRefreshTick = -1;
  /** The tick's encoded records, shared by the viewers; emptied every tick. */
  private readonly pieces = new PieceCache();
  /** Every entity's quantized states (current and history ring), by dense index. */
  private readonly states: EntityStateStore;
  /** Entities by dense index (undefined: free); indices of removed entities are reused. */
  private readonly entityAt: (ZoneEntity | undefined)[] = [];
  private readonly freeIndices: number[] = [];
  private readonly packWriter = new BitWriter({ initialCapacityBytes: 2048 });
  /** Viewers whose tick output was built this step, flushed together at its end. */
  private readonly builtViewers: Viewer[] = [];
  /** Scratch of one quantized state (array layout). */
  private readonly quantized = new Uint32Array(ENTITY_STATE_FIELDS);
  private nextEntityId = 1;
  private widestExitRadius = 0;
  private currentTick = 0;
  private lastNowMs = 0;

  constructor(init: ZoneInit) {
    if (!Number.isFinite(init.tickIntervalMs) || init.tickIntervalMs <= 0) {
      throw new MmoError('INVALID_OPTIONS', `Zone: tickIntervalMs must be a positive number, got ${init.tickIntervalMs}`);
    }
    this.id = init.id;
    this.options = resolveZoneOptions(init);
    this.codec = createEntityStateCodec(this.options.codec);
    this.states = new EntityStateStore(this.options.historyTicks);
    this.grid = new SpatialGrid<ZoneEntity>(this.options.grid);
    const movement = resolveMovementOptions({ ...this.options.movement, bounds: this.options.movement.bounds ?? this.options.bounds });
    this.validator = new MovementValidator(movement);
    this.maxVelocity = movement.maxSpeed * (1 + movement.speedTolerance);
    this.tickIntervalMs = init.tickIntervalMs;
    this.hooks = init.hooks ?? {};
    this.logger = init.logger;
    this.metrics = init.metrics;
    this.stateProviders = new StateProviderRegistry(init.logger);
    this.sendToPlayer =
      init.sendToPlayer ?? ((entity, type, payload) => this.players.get(entity)?.viewer?.sink.sendReliable(type, payload) ?? false);
  }

  /** The last tick stepped. */
  get tick(): number {
    return this.currentTick;
  }

  /** Entities in the zone. */
  get entityCount(): number {
    return this.entitiesById.size;
  }

  /** Players in the zone (connected or waiting for a resume). */
  get playerCount(): number {
    return this.players.size;
  }

  /** Every entity, in id order of creation. */
  entities(): IterableIterator<ZoneEntity> {
    return this.entitiesById.values();
  }

  /** The entity with wire id `id`. */
  entity(id: number): ZoneEntity | undefined {
    return this.entitiesById.get(id);
  }

  /** The player entity of a session. */
  playerOfSession(sessionId: string): ZoneEntity | undefined {
    return this.bySession.get(sessionId)?.entity;
  }

  /** The viewer of a player entity, if a client is attached. */
  viewerOf(entity: ZoneEntity): Viewer | undefined {
    return this.players.get(entity)?.viewer;
  }

  /** Last input tick processed for a player (accepted or rejected); 0 before any. */
  lastProcessedInput(entity: ZoneEntity): number {
    return Math.max(0, this.players.get(entity)?.move.lastInputTick ?? 0);
  }

  /** Spawns an NPC or object. Throws `INVALID_ARGUMENT` for a duplicate external id. */
  spawn(options: SpawnOptions): ZoneEntity {
    const entity = this.addEntity(options.kind, options.externalId, options.entityType, options.position, options.rotation ?? IDENTITY);
    const bytes = options.customState;
    if (bytes !== undefined) this.callHook('deserializeCustomState', entity, () => this.hooks.deserializeCustomState?.(entity, bytes));
    return entity;
  }

  /** A player joins (first connection of its session): creates its entity at the spawn hook's position. */
  joinPlayer(userId: string, sessionId: string): ZoneEntity {
    const existing = this.bySession.get(sessionId);
    if (existing !== undefined) return existing.entity;
    const spawn = this.callHook('spawnPosition', undefined, () => this.hooks.spawnPosition?.(userId)) ?? { x: 0, y: 0, z: 0 };
    const entity = this.addEntity('player', sessionId, 'player', spawn, IDENTITY);
    const slot: PlayerSlot = {
      entity,
      userId,
      move: createPlayerMoveState(entity.motion.position, this.lastNowMs),
      inputs: [],
      viewer: undefined,
      violations: [],
      corrected: false,
    };
    entity.data.set('userId', userId);
    this.players.set(entity, slot);
    this.bySession.set(sessionId, slot);
    this.callHook('onPlayerJoined', entity, () => this.hooks.onPlayerJoined?.(entity));
    this.stateProviders.playerJoined(entity);
    return entity;
  }

  /**
   * Attaches a client to a player: from the next tick it gets a full snapshot of what it sees,
   * then deltas. Attaching again (a resume) starts over with a fresh snapshot.
   */
  attachViewer(entity: ZoneEntity, sink: ViewerSink): Viewer {
    const slot = this.requirePlayer(entity);
    const interest = new InterestSet<ZoneEntity>(this.options.interest);
    const radius = this.callHook('interestRadius', entity, () => this.hooks.interestRadius?.(entity));
    if (radius !== undefined) interest.setRadius(radius);
    slot.viewer = new Viewer(entity, sink, interest);
    if (interest.exitRadius > this.widestExitRadius) this.widestExitRadius = interest.exitRadius;
    return slot.viewer;
  }

  /** The client of a player went away (its entity stays until {@link leavePlayer}). */
  detachViewer(entity: ZoneEntity): void {
    const slot = this.players.get(entity);
    if (slot !== undefined) slot.viewer = undefined;
  }

  /** A player leaves the zone (session ended): its entity is removed and viewers see it exit. */
  leavePlayer(entity: ZoneEntity): void {
    const slot = this.players.get(entity);
    if (slot === undefined) return;
    this.callHook('onPlayerLeft', entity, () => this.hooks.onPlayerLeft?.(entity));
    this.stateProviders.playerLeft(entity);
    this.players.delete(entity);
    this.bySession.delete(entity.externalId);
    this.forgetEntity(entity);
  }

  /** Removes an entity; viewers see it exit at their next tick. */
  removeEntity(entity: ZoneEntity): void {
    if (this.entitiesById.get(entity.id) !== entity) return;
    if (this.players.has(entity)) {
      this.leavePlayer(entity);
      return;
    }
    this.forgetEntity(entity);
  }

  /** Takes an entity out of the zone and out of every view that holds it (they see it exit next tick). */
  private forgetEntity(entity: ZoneEntity): void {
    const p = entity.motion.position;
    this.grid.forEachInRadius(p.x, p.y, p.z, this.maxExitRadius(), (e) => {
      this.players.get(e)?.viewer?.dropEntity(entity);
    });
    this.entitiesById.delete(entity.id);
    this.externalIds.delete(entity.externalId);
    this.grid.remove(entity);
    entity.gridSlot = -1;
    // Viewers still holding it (beyond the radius above) skip it by this check until it exits.
    this.entityAt[entity.index] = undefined;
    this.pieces.forget(entity.index);
    // Detaches its history view (the index's next owner claims it afresh).
    this.states.claim(entity.index);
    this.freeIndices.push(entity.index);
  }

  /** Moves an entity on the server's authority (NPC AI, knock-back, respawn). */
  moveEntity(entity: ZoneEntity, move: EntityMove): void {
    if (entity.gridSlot < 0 || this.entityAt[entity.index] !== entity) {
      throw new MmoError('INVALID_ARGUMENT', `Zone.moveEntity: entity ${entity.id} is not in zone ${this.id}`);
    }
    const m = entity.motion;
    if (move.position !== undefined) {
      copyVector(m.position, move.position);
      this.grid.moveSlot(entity.gridSlot, m.position.x, m.position.y, m.position.z);
      const slot = this.players.get(entity);
      if (slot !== undefined) this.validator.relocate(slot.move, m.position, this.lastNowMs);
    }
    if (move.rotation !== undefined) copyRotation(m.rotation, move.rotation);
    if (move.velocity !== undefined) copyVector(m.velocity, move.velocity);
    if (move.flags !== undefined) m.flags = move.flags & 0xff;
    this.markMoved(entity);
  }

  /**
   * The entity's game data changed (`health`, `maxHealth`, what `serializeCustomState` reads): at
   * the next tick every client that sees it gets its full snapshot entry again (in that tick's
   * WORLD_STATE; a client skipped for backlog gets it at its next built tick). Motion goes through
   * {@link moveEntity} and needs no call. Throws `INVALID_ARGUMENT` for an entity not in this zone.
   */
  markDirty(entity: ZoneEntity): void {
    if (entity.gridSlot < 0 || this.entityAt[entity.index] !== entity) {
      throw new MmoError('INVALID_ARGUMENT', `Zone.markDirty: entity ${entity.id} is not in zone ${this.id}`);
    }
    this.markMoved(entity);
    if (entity.refreshDue) return;
    entity.refreshDue = true;
    this.refreshDue.push(entity);
  }

  /** Its motion changed: quantized at the next tick (records go to the clients that see it). */
  private markMoved(entity: ZoneEntity): void {
    if (entity.dirty) return;
    entity.dirty = true;
    this.dirty.push(entity);
  }

  /**
   * Queues a movement input of a player for the next tick. Returns false when the player is
   * unknown; beyond `maxQueuedInputs` the oldest queued input is dropped.
   */
  queueInput(entity: ZoneEntity, input: QueuedInput): boolean {
    const slot = this.players.get(entity);
    if (slot === undefined) return false;
    if (slot.inputs.length >= this.options.maxQueuedInputs) {
      slot.inputs.shift();
      this.metrics?.inputsDropped.inc();
    }
    slot.inputs.push(input);
    return true;
  }

  /**
   * Sends an action (reliable, at once: not at the next tick) to every client that sees `actor`.
   * Returns how many clients it went to.
   */
  broadcastAction(actor: ZoneEntity, action: mmo.v1.IPlayerAction): number {
    let sent = 0;
    const p = actor.motion.position;
    const radius = this.maxExitRadius();
    this.grid.forEachInRadius(p.x, p.y, p.z, radius, (e) => {
      if (e === actor) return;
      const viewer = this.players.get(e)?.viewer;
      if (viewer !== undefined && viewer.sees(actor) && viewer.sink.sendReliable(MessageType.PLAYER_ACTION, action)) sent++;
    });
    return sent;
  }

  /** Runs one tick at server time `nowMs`. */
  step(tick: number, nowMs: number): ZoneTickStats {
    this.currentTick = tick;
    this.lastNowMs = nowMs;
    const stats: ZoneTickStats = {
      tick,
      inputsApplied: 0,
      inputsRejected: 0,
      changed: 0,
      viewersSent: 0,
      viewersSkipped: 0,
      recordsSent: 0,
      recordsDeferred: 0,
      recordsEncoded: 0,
      packedBytes: 0,
    };
    for (const slot of this.players.values()) {
      if (slot.inputs.length > 0) this.applyInputs(slot, nowMs, stats);
    }
    this.callHook('onTick', undefined, () => this.hooks.onTick?.(tick, this.tickIntervalMs));

    const changed: ZoneEntity[] = [];
    const dirty = this.dirty;
    this.dirty = [];
    const q = this.quantized;
    const states = this.states;
    for (const e of dirty) {
      e.dirty = false;
      // Removed since it was marked: nothing to send.
      if (this.entitiesById.get(e.id) !== e) continue;
      this.codec.quantizeInto(e.motion, q, 0);
      if (states.currentEquals(e.index, q, 0)) continue;
      e.stateTick = tick;
      states.push(e.index, tick, q, 0);
      changed.push(e);
    }
    stats.changed = changed.length;
    if (changed.length > 0) this.callHook('postStateUpdate', undefined, () => this.hooks.postStateUpdate?.(tick, changed));

    for (const slot of this.players.values()) {
      if (slot.corrected) {
        slot.corrected = false;
        slot.viewer?.sink.sendVolatile(MessageType.PLAYER_STATE, this.playerState(slot.entity, tick, nowMs), Priority.MEDIUM);
      }
    }

    const refreshed = this.refreshDue;
    if (refreshed.length > 0) {
      this.refreshDue = [];
      for (const e of refreshed) {
        e.refreshDue = false;
        if (this.entityAt[e.index] !== e) continue;
        this.refreshTicks[e.index] = tick;
        this.lastRefreshTick = tick;
      }
    }

    this.pieces.startTick(tick);
    const ctx: TickContext = {
      tick,
      nowMs,
      tickIntervalMs: this.tickIntervalMs,
      zoneId: this.id,
      codec: this.codec,
      grid: this.grid,
      pieces: this.pieces,
      entityAt: this.entityAt,
      refreshTicks: this.refreshTicks,
      lastRefreshTick: this.lastRefreshTick,
      states: this.states,
      packWriter: this.packWriter,
      maxBytesPerTick: this.options.maxBytesPerTick,
      maxBacklogBytes: this.options.maxBacklogBytes,
      addToSnapshot: (lists, e) => this.addToSnapshot(lists, e, tick, nowMs),
    };
    for (const slot of this.players.values()) {
      const viewer = slot.viewer;
      if (viewer === undefined) continue;
      const refresh = (tick + slot.entity.id) % this.options.interestIntervalTicks === 0;
      const result = viewer.buildTick(ctx, Math.max(0, slot.move.lastInputTick), refresh);
      if (!result.sent) {
        stats.viewersSkipped++;
        continue;
      }
      stats.viewersSent++;
      this.builtViewers.push(viewer);
      stats.recordsSent += result.updated;
      stats.recordsDeferred += result.deferred;
      stats.packedBytes += result.packedBytes;
    }
    // Every client's output goes to its socket only now, in one burst: writes interleaved with
    // building the next viewer's deltas cost about twice as much (cold caches on both sides of the
    // system call; measured with bench:sync --sink socket, 1,000 clients).
    stats.recordsEncoded = this.pieces.encodedThisTick;
    const built = this.builtViewers;
    for (let i = 0; i < built.length; i++) built[i]!.sink.flush?.();
    built.length = 0;
    this.stateProviders.flush(this.sendToPlayer);
    const metrics = this.metrics;
    if (metrics !== undefined) {
      if (stats.recordsDeferred > 0) metrics.recordsDeferred.inc(stats.recordsDeferred);
      if (stats.viewersSkipped > 0) metrics.viewersSkipped.inc(stats.viewersSkipped);
    }
    return stats;
  }

  private applyInputs(slot: PlayerSlot, nowMs: number, stats: ZoneTickStats): void {
    const entity = slot.entity;
    const inputs = slot.inputs;
    slot.inputs = [];
    for (const raw of inputs) {
      const input = this.callHook('preProcessInput', entity, () =>
        this.hooks.preProcessInput === undefined ? raw : this.hooks.preProcessInput(entity, raw),
      );
      if (input === undefined) continue;
      const verdict = this.validator.validate(slot.move, input, input.receivedAtMs);
      const m = entity.motion;
      if (verdict.ok) {
        stats.inputsApplied++;
        copyVector(m.position, verdict.position);
        if (input.rotation !== undefined && isUsableRotation(input.rotation)) copyRotation(m.rotation, input.rotation);
        if (input.velocity !== undefined) this.setClampedVelocity(m.velocity, input.velocity);
        m.flags = input.flags & 0xff;
      } else {
        stats.inputsRejected++;
        copyVector(m.position, verdict.corrected);
        m.velocity.x = 0;
        m.velocity.y = 0;
        m.velocity.z = 0;
        this.onRejected(slot, verdict.reason, input.inputTick, nowMs);
      }
      this.grid.moveSlot(entity.gridSlot, m.position.x, m.position.y, m.position.z);
      this.markMoved(entity);
    }
  }

  private onRejected(slot: PlayerSlot, reason: MovementRejectReason, inputTick: number, nowMs: number): void {
    // A stale or rate-limited input changed nothing the client needs corrected.
    if (reason !== 'stale' && reason !== 'rate') slot.corrected = true;
    this.metrics?.movementRejections.inc({ reason });
    const windowStart = nowMs - this.options.violationWindowMs;
    const recent = slot.violations.filter((t) => t > windowStart);
    recent.push(nowMs);
    slot.violations = recent;
    const entity = slot.entity;
    this.callHook('onViolation', entity, () => this.hooks.onViolation?.({ entity, reason, inputTick, recentCount: recent.length }));
  }

  private setClampedVelocity(target: Vector3Like, v: Readonly<Vector3Like>): void {
    if (!Number.isFinite(v.x) || !Number.isFinite(v.y) || !Number.isFinite(v.z)) return;
    const speed = Math.hypot(v.x, v.y, v.z);
    const f = speed > this.maxVelocity ? this.maxVelocity / speed : 1;
    target.x = v.x * f;
    target.y = v.y * f;
    target.z = v.z * f;
  }

  private playerState(entity: ZoneEntity, tick: number, nowMs: number): mmo.v1.IPlayerStateUpdate {
    const m = entity.motion;
    return {
      playerId: String(entity.data.get('userId') ?? entity.externalId),
      entityId: entity.id,
      position: { ...m.position },
      rotation: { ...m.rotation },
      velocity: { ...m.velocity },
      health: entity.health,
      maxHealth: entity.maxHealth,
      stateFlags: m.flags,
      lastProcessedInput: this.lastProcessedInput(entity),
      timestamp: nowMs,
      tick,
    };
  }

  private addToSnapshot(lists: SnapshotLists, e: ZoneEntity, tick: number, nowMs: number): void {
    const custom = this.callHook('serializeCustomState', e, () => this.hooks.serializeCustomState?.(e));
    const m = e.motion;
    if (e.kind === 'player') {
      const entry = this.playerState(e, tick, nowMs);
      if (custom !== undefined) entry.customState = custom;
      lists.players.push(entry);
    } else if (e.kind === 'npc') {
      lists.npcs.push({
        npcId: e.externalId,
        npcType: e.entityType,
        entityId: e.id,
        position: { ...m.position },
        rotation: { ...m.rotation },
        velocity: { ...m.velocity },
        health: e.health,
        stateFlags: m.flags,
      });
    } else {
      lists.objects.push({
        objectId: e.externalId,
        objectType: e.entityType,
        entityId: e.id,
        position: { ...m.position },
        rotation: { ...m.rotation },
        stateFlags: m.flags,
        ...(custom === undefined ? {} : { customState: custom }),
      });
    }
  }

  private addEntity(kind: ZoneEntityKind, externalId: string, entityType: string, position: Vector3Like, rotation: QuaternionLike): ZoneEntity {
    if (this.externalIds.has(externalId)) {
      throw new MmoError('INVALID_ARGUMENT', `Zone ${this.id}: an entity with id ${externalId} already exists`);
    }
    const b = this.options.bounds;
    const clamped = {
      x: clamp(position.x, b.min.x, b.max.x),
      y: clamp(position.y, b.min.y, b.max.y),
      z: clamp(position.z, b.min.z, b.max.z),
    };
    const index = this.freeIndices.pop() ?? this.entityAt.length;
    this.states.claim(index);
    const history = new StateHistory(this.options.historyTicks, this.states, index);
    const entity = new ZoneEntity(this.nextEntityId++, kind, externalId, entityType, clamped, rotation, history, index);
    this.entityAt[index] = entity;
    this.pieces.ensureCapacity(this.entityAt.length);
    if (index >= this.refreshTicks.length) {
      const grown = new Int32Array(Math.max(index + 1, this.refreshTicks.length * 2)).fill(-1);
      grown.set(this.refreshTicks);
      this.refreshTicks = grown;
    }
    this.refreshTicks[index] = -1;
    this.entitiesById.set(entity.id, entity);
    this.externalIds.set(externalId, entity);
    this.grid.insert(entity, clamped.x, clamped.y, clamped.z);
    entity.gridSlot = this.grid.slotOf(entity);
    // Quantized now so that a viewer built before the next step can still send it.
    this.codec.quantizeInto(entity.motion, this.quantized, 0);
    entity.stateTick = this.currentTick;
    this.states.push(index, this.currentTick, this.quantized, 0);
    entity.dirty = false;
    return entity;
  }

  private requirePlayer(entity: ZoneEntity): PlayerSlot {
    const slot = this.players.get(entity);
    if (slot === undefined) throw new MmoError('INVALID_ARGUMENT', `Zone ${this.id}: entity ${entity.id} is not a player of this zone`);
    return slot;
  }

  /** The largest exit radius any viewer had (an upper bound for "who can see this point"). */
  private maxExitRadius(): number {
    return this.widestExitRadius;
  }

  /** Runs a game hook; an error is logged with context and the tick goes on (`fallback` is returned). */
  private callHook<T>(hook: keyof GameplayHooks, entity: ZoneEntity | undefined, run: () => T): T | undefined {
    try {
      return run();
    } catch (error) {
      this.metrics?.hookErrors.inc({ hook });
      this.logger.error({ err: error, zone: this.id, entity: entity?.id, hook }, 'gameplay hook failed');
      return undefined;
    }
  }
}

function copyVector(target: Vector3Like, source: Readonly<Vector3Like>): void {
  target.x = source.x;
  target.y = source.y;
  target.z = source.z;
}

function copyRotation(target: QuaternionLike, source: Readonly<QuaternionLike>): void {
  target.x = source.x;
  target.y = source.y;
  target.z = source.z;
  target.w = source.w;
}

function isUsableRotation(q: Readonly<QuaternionLike>): boolean {
  const n = Math.hypot(q.x, q.y, q.z, q.w);
  return Number.isFinite(n) && n > 1e-6;
}

function clamp(v: number, min: number, max: number): number {
  return v < min ? min : v > max ? max : v;
}
