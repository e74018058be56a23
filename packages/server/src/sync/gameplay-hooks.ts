import type { mmo, Vector3Like } from '@mmo/protocol';
import type { MovementRejectReason } from './movement-validator.js';
import type { ZoneEntity } from './zone-entity.js';

/** A movement input as the zone queues it (PLAYER_MOVE, decoded). */
export interface QueuedInput {
  /** The client's input tick (strictly increasing per player). */
  inputTick: number;
  /** Where the client says the player is after the input, world units. */
  position: Vector3Like;
  /** Client orientation, if sent. */
  rotation: { x: number; y: number; z: number; w: number } | undefined;
  /** Client velocity, if sent, world units per second. */
  velocity: Vector3Like | undefined;
  /** Client clock when it sampled the input, ms. */
  clientTimeMs: number;
  /** Game-defined input bits (low 8 bits become the entity's flags). */
  flags: number;
  /** Server time when the input arrived, ms. */
  receivedAtMs: number;
}

/** A rejected movement input, as reported to {@link GameplayHooks.onViolation}. */
export interface MovementViolation {
  readonly entity: ZoneEntity;
  readonly reason: MovementRejectReason;
  readonly inputTick: number;
  /** Violations of this player in the last `violationWindowMs`. */
  readonly recentCount: number;
}

/**
 * Where games plug in without forking the SDK. Every hook is optional and synchronous (it runs
 * inside the tick); an error thrown by a hook is logged with the zone, entity and hook name and
 * the tick goes on.
 */
export interface GameplayHooks {
  /** Rewrites or drops (return undefined) a movement input before validation. */
  preProcessInput?(entity: ZoneEntity, input: QueuedInput): QueuedInput | undefined;
  /** Runs once per tick after inputs are applied and before states are sent: move NPCs here. */
  onTick?(tick: number, dtMs: number): void;
  /** Runs after the tick's states are quantized (before they are sent). */
  postStateUpdate?(tick: number, changed: readonly ZoneEntity[]): void;
  /** Approves a PLAYER_ACTION; return false (or a reason string) to refuse it with ACTION_REJECTED. */
  validateAction?(actor: ZoneEntity, action: mmo.v1.IPlayerAction): boolean | string;
  /** A movement input was rejected; the player has been corrected. Kick or flag here. */
  onViolation?(violation: MovementViolation): void;
  /** Interest radius of a player, world units (called on join). */
  interestRadius?(entity: ZoneEntity): number;
  /** Spawn position of a player joining the zone. */
  spawnPosition?(userId: string): Vector3Like;
  /** Game bytes put in the entity's snapshot (`custom_state`; players and objects: NPC entries have no such field). */
  serializeCustomState?(entity: ZoneEntity): Uint8Array | undefined;
  /**
   * Rebuilds the entity's game data (`entity.data`, `health`) from bytes `serializeCustomState`
   * made: called when an entity is spawned with `customState` (a saved entity restored, or one
   * handed over from another zone).
   */
  deserializeCustomState?(entity: ZoneEntity, bytes: Uint8Array): void;
  /** A player entity joined (its session connected for the first time). */
  onPlayerJoined?(entity: ZoneEntity): void;
  /** A player entity left (its session ended). */
  onPlayerLeft?(entity: ZoneEntity): void;
}
