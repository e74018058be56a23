import type { Clock } from '@mmo/protocol';
import { type Listener, TypedEmitter, type Unsubscribe } from '../events/index.js';
import { InputRingBuffer, type PendingInput } from './input-ring-buffer.js';
import { invalidArgumentError as invalidArgument } from '../errors.js';
import { type PredictionModel, type PredictorOptions, resolvePredictorOptions } from './prediction-options.js';

/** What `predict` returns: the tick to send with the input, and the state it leads to. */
export interface PredictedInput<State> {
  /** Send this as `PlayerMovement.input_tick`; the server echoes it as `last_processed_input`. */
  tick: number;
  /** The predicted state after the input (the same as `state()` right after the call). */
  state: State;
}

/**
 * How a reconcile ended: `stale` (older than one already applied, ignored), `accepted` (error at
 * most `correctionThreshold`), `smoothed` (a correction shown over `correctionSmoothingMs`),
 * `snapped` (a correction above `snapThreshold`, or with smoothing off, shown at once).
 */
export type ReconcileOutcome = 'stale' | 'accepted' | 'smoothed' | 'snapped';

/** The result of one `reconcile` call. */
export interface ReconcileResult {
  outcome: ReconcileOutcome;
  /** `distance(previous prediction, replayed prediction)`; 0 for a stale reconcile. */
  error: number;
  /** Unacknowledged inputs replayed on top of the authoritative state. */
  replayed: number;
}

/** A reconcile that moved the local player by more than `correctionThreshold`. */
export interface PredictionCorrectionEvent {
  /** `smoothed` or `snapped` (see {@link ReconcileOutcome}). */
  kind: 'smoothed' | 'snapped';
  /** The error, in `distance` units. */
  error: number;
  /** The `lastProcessedInputTick` of the reconcile. */
  acknowledgedTick: number;
}

/** Events of a {@link Predictor}. */
export interface PredictorEvents {
  /** A reconcile corrected the prediction (hook `client.stats.noteCorrection()` here). */
  correction: PredictionCorrectionEvent;
}

/** Running totals of a predictor, for a network-stats overlay. */
export interface PredictionCounters {
  /** Inputs applied locally by `predict`. */
  predicted: number;
  /** Reconciles applied (every outcome but `stale`). */
  reconciles: number;
  /** Reconciles ignored because their tick was older than one already applied. */
  staleReconciles: number;
  /** Reconciles whose error exceeded `correctionThreshold` (smoothed and snapped). */
  corrections: number;
  /** The subset of `corrections` shown at once (above `snapThreshold`, or smoothing off). */
  snaps: number;
  /** Inputs replayed by reconciles, in total. */
  replayedInputs: number;
  /** Unacknowledged inputs evicted because `maxPendingInputs` was reached. */
  inputsDropped: number;
  /** Error of the latest applied reconcile, in `distance` units. */
  lastError: number;
  /** Largest error of any applied reconcile, in `distance` units. */
  maxError: number;
}

/** Client-side prediction of the local player, reconciled against the server's state. */
export interface Predictor<State, Input> {
  /**
   * Applies a local input at once and keeps it for replay. Returns the input tick to send with it
   * (`PLAYER_MOVE` `input_tick`) and the predicted state.
   * @param dtMs simulated time of the input, in ms (default: option `inputDtMs`).
   * @throws MmoError `INVALID_ARGUMENT` when `dtMs` is negative or not finite.
   */
  predict(input: Input, dtMs?: number): PredictedInput<State>;
  /**
   * Takes the server's state of the local player and the last input tick it processed: drops the
   * acknowledged inputs, replays the rest from `authoritative`, and corrects the prediction
   * (silently, smoothed or snapped, by the error against the previous prediction). A tick older
   * than one already applied is ignored (`stale`); an equal one is applied, since the server may
   * have moved the player without any input of theirs (knockback).
   * @throws MmoError `INVALID_ARGUMENT` when the tick is not a non-negative safe integer.
   */
  reconcile(authoritative: State, lastProcessedInputTick: number): ReconcileResult;
  /** The true predicted state: the server's latest state plus every unacknowledged input. */
  state(): State;
  /**
   * What to draw: `state()` while no correction is being smoothed; during one, a blend from the
   * trajectory that was on screen to `state()`, reaching it after `correctionSmoothingMs`.
   */
  renderState(): State;
  /**
   * Starts over from `state` (spawn, respawn, scripted teleport, or a fresh session after a refused
   * resume): clears pending inputs and smoothing, and accepts any acknowledged tick again. Input
   * ticks keep counting up. Counters are kept.
   */
  reset(state: State): void;
  /** The inputs the server has not acknowledged yet, oldest first (to resend them redundantly). */
  pendingInputs(): ReadonlyArray<PendingInput<Input>>;
  /** Number of unacknowledged inputs. */
  readonly pendingCount: number;
  /** Tick of the latest `predict` (`firstInputTick - 1` before the first). */
  readonly lastInputTick: number;
  /** Highest `lastProcessedInputTick` applied (0 before the first reconcile). */
  readonly acknowledgedTick: number;
  /** True while `renderState()` differs from `state()` because a correction is being smoothed. */
  readonly smoothing: boolean;
  /** Running totals (a live object; copy it to keep a snapshot). */
  readonly counters: Readonly<PredictionCounters>;
  /** Adds a listener; returns its unsubscribe function. */
  on<K extends keyof PredictorEvents>(event: K, listener: Listener<PredictorEvents[K]>): Unsubscribe;
}

/** The visual correction in progress: a trajectory that started at what was on screen. */
interface Smoothing<State> {
  /** Advanced with the same inputs as the prediction, so the on-screen motion does not stall. */
  from: State;
  startedAt: number;
}

/**
 * Creates a predictor for the local player. Inputs apply at once; when the server's state arrives,
 * the unacknowledged inputs are replayed on it and the difference is corrected: unseen below
 * `correctionThreshold`, smoothed over `correctionSmoothingMs`, snapped above `snapThreshold`.
 *
 * Smoothing keeps a second trajectory, started from what was on screen and advanced by the same
 * inputs; `renderState()` blends it into the true one. So only the offset decays, and the player
 * never sees their character slow down or stop during a correction.
 * @throws MmoError `INVALID_OPTIONS` for an invalid option.
 * @example
 * const predictor = createPredictor(model, spawnState); // options.clock: the one given to the client
 * predictor.on('correction', () => client.stats.noteCorrection());
 * // each input tick:
 * const { tick } = predictor.predict(input);
 * client.send(MessageType.PLAYER_MOVE, { inputTick: tick, direction: input.direction }, { coalesceKey: 'move' });
 * // each server update of the local player:
 * predictor.reconcile(stateFrom(update), update.lastProcessedInput ?? 0);
 * // each frame:
 * draw(predictor.renderState());
 */
export function createPredictor<State, Input>(
  model: PredictionModel<State, Input>,
  initialState: State,
  options: PredictorOptions = {},
): Predictor<State, Input> {
  return new PredictorImpl(model, initialState, resolvePredictorOptions(options));
}

class PredictorImpl<State, Input> implements Predictor<State, Input> {
  private readonly clock: Clock;
  private readonly buffer: InputRingBuffer<Input>;
  private readonly events = new TypedEmitter<PredictorEvents>();
  private predicted: State;
  private nextTick: number;
  private acked = 0;
  private correction: Smoothing<State> | undefined;
  readonly counters: PredictionCounters = {
    predicted: 0,
    reconciles: 0,
    staleReconciles: 0,
    corrections: 0,
    snaps: 0,
    replayedInputs: 0,
    inputsDropped: 0,
    lastError: 0,
    maxError: 0,
  };

  constructor(
    private readonly model: PredictionModel<State, Input>,
    initialState: State,
    private readonly options: Readonly<Required<PredictorOptions>>,
  ) {
    this.clock = options.clock;
    this.buffer = new InputRingBuffer<Input>(options.maxPendingInputs);
    this.predicted = initialState;
    this.nextTick = options.firstInputTick;
  }

  get pendingCount(): number {
    return this.buffer.size;
  }

  get lastInputTick(): number {
    return this.nextTick - 1;
  }

  get acknowledgedTick(): number {
    return this.acked;
  }

  get smoothing(): boolean {
    return this.activeCorrection() !== undefined;
  }

  predict(input: Input, dtMs: number = this.options.inputDtMs): PredictedInput<State> {
    if (typeof dtMs !== 'number' || !Number.isFinite(dtMs) || dtMs < 0) {
      throw invalidArgument(`dtMs must be a finite number >= 0, got ${String(dtMs)}`);
    }
    // Compute everything before mutating, so an applyInput that throws leaves the predictor as it was.
    const next = this.model.applyInput(this.predicted, input, dtMs);
    const correction = this.activeCorrection();
    const from = correction === undefined ? undefined : { state: this.model.applyInput(correction.from, input, dtMs) };
    const tick = this.nextTick++;
    if (this.buffer.push({ tick, input, dtMs }) !== undefined) this.counters.inputsDropped++;
    this.predicted = next;
    if (correction !== undefined && from !== undefined) correction.from = from.state;
    this.counters.predicted++;
    return { tick, state: next };
  }

  reconcile(authoritative: State, lastProcessedInputTick: number): ReconcileResult {
    if (!Number.isSafeInteger(lastProcessedInputTick) || lastProcessedInputTick < 0) {
      throw invalidArgument(`lastProcessedInputTick must be a non-negative integer, got ${String(lastProcessedInputTick)}`);
    }
    if (lastProcessedInputTick < this.acked) {
      this.counters.staleReconciles++;
      return { outcome: 'stale', error: 0, replayed: 0 };
    }

    // Replay before changing anything: a throwing applyInput must not lose inputs or the state.
    let replayedState = authoritative;
    let replayed = 0;
    for (const pending of this.buffer) {
      if (pending.tick <= lastProcessedInputTick) continue;
      replayedState = this.model.applyInput(replayedState, pending.input, pending.dtMs);
      replayed++;
    }
    const error = this.model.distance(this.predicted, replayedState);
    // What is on screen now, before the prediction moves: the start of a smoothed correction.
    const onScreen = this.renderState();

    this.buffer.dropThrough(lastProcessedInputTick);
    this.acked = lastProcessedInputTick;
    // The server has processed a tick we never sent (a predictor recreated mid-session): count on
    // from there, or the server would discard our next inputs as stale.
    if (this.nextTick <= lastProcessedInputTick) this.nextTick = lastProcessedInputTick + 1;
    this.predicted = replayedState;
    this.counters.reconciles++;
    this.counters.replayedInputs += replayed;
    this.counters.lastError = error;
    if (error > this.counters.maxError) this.counters.maxError = error;

    // NaN (a distance over garbage) is treated as a teleport: never smooth towards an unknown gap.
    const snap = !(error <= this.options.snapThreshold) || this.options.correctionSmoothingMs === 0;
    let outcome: ReconcileOutcome;
    if (error <= this.options.correctionThreshold) {
      // Unseen: an ongoing smoothing (if any) simply continues towards the new state.
      outcome = 'accepted';
    } else if (snap) {
      this.correction = undefined;
      outcome = 'snapped';
    } else {
      this.correction = { from: onScreen, startedAt: this.clock.now() };
      outcome = 'smoothed';
    }
    if (outcome === 'smoothed' || outcome === 'snapped') {
      this.counters.corrections++;
      if (outcome === 'snapped') this.counters.snaps++;
      this.events.emit('correction', { kind: outcome, error, acknowledgedTick: lastProcessedInputTick });
    }
    return { outcome, error, replayed };
  }

  state(): State {
    return this.predicted;
  }

  renderState(): State {
    const correction = this.activeCorrection();
    if (correction === undefined) return this.predicted;
    // A clock that stepped backwards holds the blend at its start rather than extrapolating.
    const t = Math.max(0, this.clock.now() - correction.startedAt) / this.options.correctionSmoothingMs;
    return this.model.blend(correction.from, this.predicted, t);
  }

  reset(state: State): void {
    this.predicted = state;
    this.buffer.clear();
    this.correction = undefined;
    this.acked = 0;
  }

  pendingInputs(): ReadonlyArray<PendingInput<Input>> {
    return this.buffer.toArray();
  }

  on<K extends keyof PredictorEvents>(event: K, listener: Listener<PredictorEvents[K]>): Unsubscribe {
    return this.events.on(event, listener);
  }

  /** The correction being smoothed, or undefined once `correctionSmoothingMs` has passed. */
  private activeCorrection(): Smoothing<State> | undefined {
    const correction = this.correction;
    if (correction === undefined) return undefined;
    if (this.clock.now() - correction.startedAt >= this.options.correctionSmoothingMs) {
      this.correction = undefined;
      return undefined;
    }
    return correction;
  }
}
