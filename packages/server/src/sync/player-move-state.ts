import type { Vector3Like } from '@mmo/protocol';

/**
 * What a {@link MovementValidator} remembers about one player. Plain data, updated in place by
 * `validate`; create it with {@link createPlayerMoveState} and keep one per player.
 */
export interface PlayerMoveState {
  /** Last position the server accepted (or imposed): the authoritative position. */
  readonly position: Vector3Like;
  /** Highest input tick processed (accepted or rejected); -1 before the first input. */
  lastInputTick: number;
  /** Server time of the last processed input, in ms (the rate budget refills from it). */
  lastServerMs: number;
  /** Client time of the last input whose elapsed client time was charged; undefined before the first. */
  lastClientMs: number | undefined;
  /** Server time at which `lastClientMs` was charged, in ms (the clock budget refills from it). */
  clockRefServerMs: number;
  /** Client ms the client's clock may still run ahead of the server's (Infinity: full). */
  clockBudgetMs: number;
  /** Banked distance, in world units (Infinity: full). */
  distanceBudget: number;
  /** Inputs that may still arrive in a burst (Infinity: full). */
  inputBudget: number;
}

/**
 * A fresh state for a player who spawns at `position` at server time `nowMs`; every budget starts
 * full. `position` is copied.
 */
export function createPlayerMoveState(position: Readonly<Vector3Like>, nowMs: number): PlayerMoveState {
  return {
    position: { x: position.x, y: position.y, z: position.z },
    lastInputTick: -1,
    lastServerMs: nowMs,
    lastClientMs: undefined,
    clockRefServerMs: nowMs,
    clockBudgetMs: Number.POSITIVE_INFINITY,
    distanceBudget: Number.POSITIVE_INFINITY,
    inputBudget: Number.POSITIVE_INFINITY,
  };
}
