import type { Vector3Like } from '@mmo/protocol';
import { resolveMovementOptions, type MovementBounds, type MovementValidatorOptions } from './movement-options.js';
import type { PlayerMoveState } from './player-move-state.js';

/** Why a movement input was rejected, as an `as const` table (the values are the wire of metrics and hooks). */
export const MovementRejection = {
  /** Faster than `maxSpeed * (1 + speedTolerance)` for longer than the banked slack allows. */
  SPEED: 'speed',
  /** One step longer than the largest step a single input may make. */
  TELEPORT: 'teleport',
  /** Outside the zone bounds (or not a finite position); moved to the clamped position. */
  BOUNDS: 'bounds',
  /** Client time went backwards, or the client's clock runs ahead of the server's. */
  TIME: 'time',
  /** More inputs than `maxInputsPerSecond` allows, even counting a burst. */
  RATE: 'rate',
  /** Input tick not above the last processed one (duplicate, reordered or malformed). */
  STALE: 'stale',
} as const;
/** One of {@link MovementRejection}'s values. */
export type MovementRejectReason = (typeof MovementRejection)[keyof typeof MovementRejection];

/** A movement input as the server received it. */
export interface MovementInput {
  /** The client's input tick; must increase from input to input. */
  inputTick: number;
  /** Where the client says the player is after this input, in world units. */
  position: Readonly<Vector3Like>;
  /** The client's clock when it sampled `position`, in ms (any epoch, must not go backwards). */
  clientTimeMs: number;
}

/** Outcome of {@link MovementValidator.validate}. */
export type MovementVerdict =
  | {
      /** The input is accepted as sent. */
      ok: true;
      /** The new authoritative position (a copy). */
      position: Vector3Like;
    }
  | {
      /** The input is rejected; send `corrected` to the player (server state wins). */
      ok: false;
      /** The rule that rejected it. */
      reason: MovementRejectReason;
      /** The authoritative position after this input (a copy), already stored in the state. */
      corrected: Vector3Like;
    };

/** Absorbs float rounding in `distance <= budget`; a millionth of a unit is nothing a cheat can use. */
const DISTANCE_EPSILON = 1e-6;

/**
 * Server-authoritative movement validation (anti-cheat) with time taken as arguments, so it runs
 * on fake time in tests and costs no timers. Two budgets work together:
 * - a **clock budget**: the client's clock may not run ahead of the server's by more than
 *   `maxBurstMs` (refilled per ms of server time, times `1 + clockDriftTolerance`). Network jitter
 *   and bunching up to that much pass; a client whose clock runs fast (a "speedhack") runs dry;
 * - a **distance budget**: movement is credited at `maxSpeed * (1 + speedTolerance)` per second of
 *   (budget-checked) client time, plus at most `clientTimingSlackMs` worth banked. Because it uses
 *   the client's timestamps, network jitter does not touch it, so it can be tight: a sustained
 *   1.3x speed hack with honest timestamps fails within half a second.
 *
 * A single step longer than `maxSpeed * (1 + speedTolerance) * maxBurstMs` is a teleport. Every
 * limit is a {@link MovementValidatorOptions} field.
 * @example
 * const validator = new MovementValidator({ maxSpeed: 7 });
 * const state = createPlayerMoveState(spawn, now);
 * const verdict = validator.validate(state, { inputTick, position, clientTimeMs }, receivedAtMs);
 * if (!verdict.ok) sendCorrection(verdict.corrected);
 */
export class MovementValidator {
  /** Longest single step an input may make, in world units; longer is a teleport. */
  readonly maxStepDistance: number;
  private readonly bounds: MovementBounds;
  private readonly creditPerClientMs: number;
  private readonly distanceCap: number;
  private readonly clockCapMs: number;
  private readonly clockRefillPerServerMs: number;
  private readonly inputsPerServerMs: number;
  private readonly inputCap: number;

  constructor(options?: MovementValidatorOptions) {
    const o = resolveMovementOptions(options);
    const toleratedPerMs = (o.maxSpeed * (1 + o.speedTolerance)) / 1000;
    this.bounds = o.bounds;
    this.creditPerClientMs = toleratedPerMs;
    this.distanceCap = toleratedPerMs * o.clientTimingSlackMs;
    this.maxStepDistance = toleratedPerMs * o.maxBurstMs;
    this.clockCapMs = o.maxBurstMs;
    this.clockRefillPerServerMs = 1 + o.clockDriftTolerance;
    this.inputsPerServerMs = o.maxInputsPerSecond / 1000;
    // A burst of maxBurstMs worth of inputs, and never less than one.
    this.inputCap = Math.max(1, o.maxInputsPerSecond * (o.maxBurstMs / 1000));
  }

  /**
   * Checks one input against the player's state at server time `serverNowMs` (when it was
   * received, or the tick that applies it), updates the state in place, and says what to do.
   */
  validate(state: PlayerMoveState, input: MovementInput, serverNowMs: number): MovementVerdict {
    const { inputTick, clientTimeMs, position } = input;
    if (!Number.isSafeInteger(inputTick) || inputTick <= state.lastInputTick) {
      return reject(state, MovementRejection.STALE);
    }
    state.lastInputTick = inputTick;
    // Server time never runs backwards here, even if the caller's wall clock does.
    const serverMs = Number.isFinite(serverNowMs) ? Math.max(serverNowMs, state.lastServerMs) : state.lastServerMs;
    const inputs = Math.min(this.inputCap, state.inputBudget + (serverMs - state.lastServerMs) * this.inputsPerServerMs);
    state.lastServerMs = serverMs;
    if (inputs < 1) {
      state.inputBudget = inputs;
      return reject(state, MovementRejection.RATE);
    }
    state.inputBudget = inputs - 1;

    const lastClientMs = state.lastClientMs;
    if (!Number.isFinite(clientTimeMs) || (lastClientMs !== undefined && clientTimeMs < lastClientMs)) {
      return reject(state, MovementRejection.TIME);
    }
    if (!Number.isFinite(position.x) || !Number.isFinite(position.y) || !Number.isFinite(position.z)) {
      return reject(state, MovementRejection.BOUNDS);
    }

    // Clock budget: client time elapsed may not outrun server time elapsed by more than the cap.
    // The cap applies after the charge, so an input after a long pause may cover the pause.
    const serverElapsedMs = serverMs - state.clockRefServerMs;
    const clockAvailableMs = state.clockBudgetMs + serverElapsedMs * this.clockRefillPerServerMs;
    // The first input has no client reference yet: credit the server time since the spawn.
    const clientElapsedMs = lastClientMs === undefined ? serverElapsedMs : clientTimeMs - lastClientMs;
    if (clientElapsedMs > clockAvailableMs) {
      // Forgive the excess (re-anchor on this input's clock) so a one-off clock step costs one
      // input, while a clock that keeps running fast keeps failing.
      this.chargeClock(state, clientTimeMs, serverMs, Math.min(this.clockCapMs, clockAvailableMs));
      return reject(state, MovementRejection.TIME);
    }

    const b = this.bounds;
    const tx = clamp(position.x, b.min.x, b.max.x);
    const ty = clamp(position.y, b.min.y, b.max.y);
    const tz = clamp(position.z, b.min.z, b.max.z);
    const p = state.position;
    const dx = tx - p.x;
    const dy = ty - p.y;
    const dz = tz - p.z;
    const distance = Math.sqrt(dx * dx + dy * dy + dz * dz);
    if (distance > this.maxStepDistance + DISTANCE_EPSILON) {
      // Not charged: the next honest input is measured from the same reference.
      return reject(state, MovementRejection.TELEPORT);
    }

    const allowed = Math.min(state.distanceBudget, this.distanceCap) + clientElapsedMs * this.creditPerClientMs;
    this.chargeClock(state, clientTimeMs, serverMs, Math.min(this.clockCapMs, clockAvailableMs - clientElapsedMs));
    if (distance > allowed + DISTANCE_EPSILON) {
      // Move as far as the budget allows along the requested step: the correction is as small as
      // it can be, and a sustained hack nets no more than the tolerated speed.
      const f = allowed / distance;
      p.x += dx * f;
      p.y += dy * f;
      p.z += dz * f;
      state.distanceBudget = 0;
      return reject(state, MovementRejection.SPEED);
    }
    state.distanceBudget = Math.min(this.distanceCap, Math.max(0, allowed - distance));
    p.x = tx;
    p.y = ty;
    p.z = tz;
    if (tx !== position.x || ty !== position.y || tz !== position.z) return reject(state, MovementRejection.BOUNDS);
    return { ok: true, position: { x: tx, y: ty, z: tz } };
  }

  /**
   * Moves the player on the server's authority (respawn, knock-back, zone entry) at `serverNowMs`:
   * the next input is measured from there, budgets and tick history are kept.
   */
  relocate(state: PlayerMoveState, position: Readonly<Vector3Like>, serverNowMs: number): void {
    state.position.x = position.x;
    state.position.y = position.y;
    state.position.z = position.z;
    if (Number.isFinite(serverNowMs) && serverNowMs > state.lastServerMs) state.lastServerMs = serverNowMs;
  }

  private chargeClock(state: PlayerMoveState, clientTimeMs: number, serverMs: number, budgetMs: number): void {
    state.lastClientMs = clientTimeMs;
    state.clockRefServerMs = serverMs;
    state.clockBudgetMs = budgetMs;
  }
}

function reject(state: PlayerMoveState, reason: MovementRejectReason): MovementVerdict {
  const p = state.position;
  return { ok: false, reason, corrected: { x: p.x, y: p.y, z: p.z } };
}

function clamp(v: number, min: number, max: number): number {
  return v < min ? min : v > max ? max : v;
}
