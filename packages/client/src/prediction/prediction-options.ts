import { type Clock, systemClock } from '@mmo/protocol';
import { invalidOptionsError as invalidOptions } from '../errors.js';

/**
 * The game's simulation, as the predictor needs it. All three functions must be pure (no hidden
 * state, no clock): the predictor calls them again on replay and for the visual correction.
 * @example
 * const model: PredictionModel<{ x: number; y: number }, { dx: number; dy: number }> = {
 *   applyInput: (s, i, dtMs) => ({ x: s.x + (i.dx * SPEED * dtMs) / 1000, y: s.y + (i.dy * SPEED * dtMs) / 1000 }),
 *   distance: (a, b) => Math.hypot(a.x - b.x, a.y - b.y),
 *   blend: (from, to, t) => ({ x: from.x + (to.x - from.x) * t, y: from.y + (to.y - from.y) * t }),
 * };
 */
export interface PredictionModel<State, Input> {
  /**
   * The state after `input` was held for `dtMs` milliseconds. Use the same rules as the server:
   * every difference between the two shows up as a correction.
   */
  applyInput(state: State, input: Input, dtMs: number): State;
  /**
   * How far apart two states are, in the game's world units (the unit of `correctionThreshold`
   * and `snapThreshold`), e.g. the Euclidean distance of the positions.
   */
  distance(a: State, b: State): number;
  /**
   * A state between `from` (t = 0) and `to` (t = 1), for display only. The predictor passes a
   * linear `t`; apply an easing curve here if you want one.
   */
  blend(from: State, to: State, t: number): State;
}

/** Thresholds, smoothing, bounds and clock of a predictor. */
export interface PredictorOptions {
  /**
   * Error (in `distance` units) a reconcile may find between the predicted state and the replayed
   * one without it counting as a correction: the replayed state is adopted at once, unseen. Keep
   * it above the snapshot quantization so rounding never counts.
   * @default 0.05 (5 cm with metres; five times the 1 cm PackedMovement precision)
   */
  correctionThreshold?: number;
  /**
   * Error (in `distance` units) above which a correction is applied at once with no smoothing: a
   * teleport, respawn or hard knockback, where sliding across the gap would look worse.
   * @default 5 (5 m: a quarter second at the 20 m/s PackedMovement `maxSpeed`)
   */
  snapThreshold?: number;
  /**
   * Time over which `renderState()` glides from what was displayed to the corrected state, in ms
   * of the injected clock; 0 shows corrections at once.
   * @default 100 (two ticks of a 20 Hz server)
   */
  correctionSmoothingMs?: number;
  /**
   * Unacknowledged inputs kept for replay. When full, `predict` drops the oldest one (counted as
   * `inputsDropped`); its effect then disappears at the next reconcile unless the server processed
   * it, which shows as a correction. Nothing is ever refused: the player keeps moving.
   * @default 256 (12.8 s of inputs at 20 per second, 4.3 s at 60)
   */
  maxPendingInputs?: number;
  /**
   * Simulated time of one input when `predict` is called without `dtMs`, in ms.
   * @default 50 (one tick of the server's default 20 Hz)
   */
  inputDtMs?: number;
  /**
   * Tick given to the first input; later inputs count up by one. Ticks travel as uint32, and 0
   * means "nothing processed yet" on the wire, so keep it at 1 or more.
   * @default 1
   */
  firstInputTick?: number;
  /**
   * Time source of the correction smoothing (`renderState()` reads `now()`; no timers are set).
   * @default systemClock
   */
  clock?: Clock;
}

/** Defaults of {@link PredictorOptions}. */
export const predictorDefaults: Readonly<Required<PredictorOptions>> = Object.freeze({
  correctionThreshold: 0.05,
  snapThreshold: 5,
  correctionSmoothingMs: 100,
  maxPendingInputs: 256,
  inputDtMs: 50,
  firstInputTick: 1,
  clock: systemClock,
});

/**
 * Merges options over {@link predictorDefaults} (ignoring `undefined` values) and checks them.
 * @throws MmoError `INVALID_OPTIONS` naming the first invalid option.
 */
export function resolvePredictorOptions(options: PredictorOptions): Readonly<Required<PredictorOptions>> {
  const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<PredictorOptions>;
  const resolved: Required<PredictorOptions> = { ...predictorDefaults, ...defined };
  checkNonNegative('correctionThreshold', resolved.correctionThreshold);
  checkNonNegative('snapThreshold', resolved.snapThreshold);
  checkNonNegative('correctionSmoothingMs', resolved.correctionSmoothingMs);
  checkNonNegative('inputDtMs', resolved.inputDtMs);
  if (resolved.snapThreshold < resolved.correctionThreshold) {
    throw invalidOptions(`option snapThreshold (${resolved.snapThreshold}) must be >= correctionThreshold (${resolved.correctionThreshold})`);
  }
  if (!Number.isSafeInteger(resolved.maxPendingInputs) || resolved.maxPendingInputs < 1) {
    throw invalidOptions(`option maxPendingInputs must be a positive integer, got ${String(resolved.maxPendingInputs)}`);
  }
  if (!Number.isSafeInteger(resolved.firstInputTick) || resolved.firstInputTick < 1) {
    throw invalidOptions(`option firstInputTick must be a positive integer, got ${String(resolved.firstInputTick)}`);
  }
  return Object.freeze(resolved);
}

/** Throws unless `value` is a finite number >= 0 (`Infinity` is allowed for the thresholds only). */
function checkNonNegative(name: keyof PredictorOptions, value: number): void {
  const infiniteOk = name === 'correctionThreshold' || name === 'snapThreshold';
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0 || (!infiniteOk && !Number.isFinite(value))) {
    throw invalidOptions(`option ${name} must be a ${infiniteOk ? '' : 'finite '}number >= 0, got ${String(value)}`);
  }
}
