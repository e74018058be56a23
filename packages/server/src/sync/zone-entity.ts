import type { EntityMotion, QuaternionLike, QuantizedEntityState, Vector3Like } from '@mmo/protocol';
import { StateHistory } from './state-history.js';

/** What an entity is; the wire's EntityKind without the prefix. */
export type ZoneEntityKind = 'player' | 'npc' | 'object';

/**
 * An entity of a zone: a player, an NPC or an object. The simulation writes `motion` (through
 * `Zone.moveEntity` or the movement inputs); the zone quantizes it once per tick into `state` and
 * records it in `history`.
 */
export class ZoneEntity {
  /** Current simulated state, world units. Change it through the zone so the grid follows. */
  readonly motion: EntityMotion;
  /** Tick of the current quantized state (the newest entry of `history`). */
  stateTick = -1;
  /** Set when `motion` changed since the last quantization. */
  dirty = true;
  /** Set when `Zone.markDirty` asked for its game data to be sent again (cleared at the next tick). */
  refreshDue = false;
  /** Game data: health and anything else the snapshot hooks read. */
  health = 0;
  maxHealth = 0;
  /** The game's own data for this entity (hooks read and write it). */
  readonly data = new Map<string, unknown>();
  /** Recent quantized states by tick; the newest is the current one (what viewers are sent). */
  readonly history: StateHistory;
  /** Priority weight in a crowded view (higher is sent first under a byte budget). @default 1 */
  priority = 1;
  /** Its slot in the zone's spatial grid while it is in the zone (-1 before and after); the zone moves it by slot. */
  gridSlot = -1;

  constructor(
    /** Zone-wide numeric id (the wire's entity_id), never 0. */
    readonly id: number,
    readonly kind: ZoneEntityKind,
    /** Player id (user id), NPC id or object id. */
    readonly externalId: string,
    /** Type name for spawns (`'player'`, `'wolf'`, …). */
    readonly entityType: string,
    position: Readonly<Vector3Like>,
    rotation: Readonly<QuaternionLike>,
    /** Its recorded states: a stand-alone ring of this many states, or a view the zone made. */
    history: number | StateHistory,
    /** Dense index in the zone (reused after the entity is removed); the zone's tables are indexed by it. */
    readonly index: number = id,
  ) {
    this.motion = {
      position: { x: position.x, y: position.y, z: position.z },
      rotation: { x: rotation.x, y: rotation.y, z: rotation.z, w: rotation.w },
      velocity: { x: 0, y: 0, z: 0 },
      flags: 0,
    };
    this.history = typeof history === 'number' ? new StateHistory(history) : history;
  }

  /** The quantized state of the last tick (what viewers are sent); a copy, built on each call. */
  get state(): QuantizedEntityState | undefined {
    return this.history.latest()?.state;
  }
}
