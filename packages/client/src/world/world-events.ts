/**
 * What the world-state model holds per entity, and the events it raises.
 */
import type { EntityMotion, QuantizedEntityState, QuaternionLike, Vector3Like } from '@mmo/protocol';
import type { WorldDesyncError } from '../errors.js';

/** What an entity is, from the WORLD_STATE list it came in. */
export type WorldEntityKind = 'player' | 'npc' | 'object';

/**
 * One entity in the client's view. The objects are the model's own: read them, do not change them
 * (they are updated in place each tick; copy what you keep).
 */
export interface WorldEntity {
  /** The zone's numeric id (the wire's `entity_id`). */
  readonly entityId: number;
  /** Player, NPC or object. */
  readonly kind: WorldEntityKind;
  /** `player_id` (the user id), `npc_id` or `object_id`. */
  readonly externalId: string;
  /** `'player'`, the `npc_type` or the `object_type`. */
  readonly entityType: string;
  /** Health from the snapshot (players and NPCs; 0 for objects). */
  readonly health: number;
  /** Max health from the snapshot (players; 0 otherwise). */
  readonly maxHealth: number;
  /** The NPC's `target_id` ('' otherwise). */
  readonly targetId: string;
  /** The game's own bytes from the snapshot (`custom_state`; empty when none). */
  readonly customState: Uint8Array;
  /** Tick at which the entity entered view. */
  readonly enteredTick: number;
  /** The last state the server sent (exact integers): what deltas decode against. */
  readonly baseline: QuantizedEntityState;
  /** Tick of `baseline`. */
  readonly baselineTick: number;
  /** The state at `tick`: the baseline, advanced by its velocity when no record came since. */
  readonly quantized: QuantizedEntityState;
  /** `quantized` in world units (position, rotation, velocity per second, flags). */
  readonly motion: Readonly<EntityMotion>;
  /** Tick of `quantized` (the last applied WORLD_DELTA). */
  readonly tick: number;
}

/** Payload of `entityEntered`: an entity came into view, with its first state. */
export interface WorldEntityEnteredEvent {
  entity: WorldEntity;
  tick: number;
}

/** Why an entity left the view. `reset` and `desync` drop every entity at once. */
export type WorldExitReason = 'interest' | 'reset' | 'desync';

/** Payload of `entityExited`. */
export interface WorldEntityExitedEvent {
  /** The entity as it was last known. */
  entity: WorldEntity;
  /** Server tick of the exit (the last applied tick for `reset` and `desync`). */
  tick: number;
  reason: WorldExitReason;
}

/** Payload of `entityUpdated`: an entity's state at a tick. */
export interface WorldEntityUpdatedEvent {
  entity: WorldEntity;
  tick: number;
  /** The WORLD_DELTA's server time, in ms since the Unix epoch (interpolation time base). */
  serverTimeMs: number;
  /** True when a record of the entity came this tick; false when its baseline was advanced. */
  received: boolean;
}

/** Payload of `selfState`: the server's authority on the local player, for reconciliation. */
export interface WorldSelfStateEvent {
  entity: WorldEntity;
  tick: number;
  serverTimeMs: number;
  /** Latest input tick of this player the server has applied (to `predictor.reconcile`). */
  lastProcessedInput: number;
}

/** Payload of `correction`: the server rejected the player's movement (PLAYER_STATE, full precision). */
export interface WorldCorrectionEvent {
  playerId: string;
  entityId: number;
  position: Vector3Like;
  rotation: QuaternionLike;
  velocity: Vector3Like;
  flags: number;
  health: number;
  maxHealth: number;
  lastProcessedInput: number;
  tick: number;
  serverTimeMs: number;
}

/** Payload of `tick`: a WORLD_DELTA was applied (after its entity events). */
export interface WorldTickEvent {
  tick: number;
  serverTimeMs: number;
  lastProcessedInput: number;
}

/** Payload of `desync`. */
export interface WorldDesyncEvent {
  error: WorldDesyncError;
}

/** Events of a {@link WorldState}. */
export interface WorldStateEvents {
  /** An entity came into view and has its first state (after the WORLD_DELTA of its tick). */
  entityEntered: WorldEntityEnteredEvent;
  /** An entity left view (interest), or the view was dropped (reset, desync). */
  entityExited: WorldEntityExitedEvent;
  /** Every visible entity, once per applied WORLD_DELTA, with the server time. */
  entityUpdated: WorldEntityUpdatedEvent;
  /** The local player's authoritative state and `lastProcessedInput`, once per WORLD_DELTA. */
  selfState: WorldSelfStateEvent;
  /** A PLAYER_STATE correction arrived (movement rejected). */
  correction: WorldCorrectionEvent;
  /** A WORLD_DELTA was applied. */
  tick: WorldTickEvent;
  /** The stream was out of step: the view was dropped and `needsResync` is true. */
  desync: WorldDesyncEvent;
}
