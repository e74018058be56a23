import { isMmoError, ManualClock } from '@mmo/protocol';
import { describe, expect, it } from 'vitest';
import type { PredictionModel, PredictorOptions } from './prediction-options.js';
import { predictorDefaults } from './prediction-options.js';
import { createPredictor, type PredictionCorrectionEvent } from './predictor.js';

interface Pos {
  x: number;
  y: number;
}
interface Move {
  dx: number;
  dy: number;
}

/** One unit per 50 ms per axis: with the default inputDtMs every input moves (dx, dy). */
const model: PredictionModel<Pos, Move> = {
  applyInput: (s, i, dtMs) => ({ x: s.x + (i.dx * dtMs) / 50, y: s.y + (i.dy * dtMs) / 50 }),
  distance: (a, b) => Math.hypot(a.x - b.x, a.y - b.y),
  blend: (from, to, t) => ({ x: from.x + (to.x - from.x) * t, y: from.y + (to.y - from.y) * t }),
};
const right: Move = { dx: 1, dy: 0 };
const still: Move = { dx: 0, dy: 0 };

function setup(options: PredictorOptions = {}, start: Pos = { x: 0, y: 0 }) {
  const clock = new ManualClock(1_000);
  const predictor = createPredictor(model, start, { clock, correctionThreshold: 0.5, snapThreshold: 10, correctionSmoothingMs: 100, ...options });
  const corrections: PredictionCorrectionEvent[] = [];
  predictor.on('correction', (e) => corrections.push(e));
  return { clock, predictor, corrections };
}

/** The `code` of the MmoError `fn` throws (undefined when it throws nothing or something else). */
function codeOf(error: unknown): string | undefined {
  return isMmoError(error) ? error.code : undefined;
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('createPredictor: predict', () => {
  it('applies inputs at once with increasing ticks from firstInputTick', () => {
    const { predictor } = setup();
    expect(predictor.lastInputTick).toBe(0);
    expect(predictor.predict(right)).toEqual({ tick: 1, state: { x: 1, y: 0 } });
    expect(predictor.predict(right)).toEqual({ tick: 2, state: { x: 2, y: 0 } });
    expect(predictor.predict({ dx: 0, dy: 1 }, 100)).toEqual({ tick: 3, state: { x: 2, y: 2 } });
    expect(predictor.state()).toEqual({ x: 2, y: 2 });
    expect(predictor.renderState()).toEqual({ x: 2, y: 2 });
    expect(predictor.pendingInputs().map((p) => [p.tick, p.dtMs])).toEqual([
      [1, 50],
      [2, 50],
      [3, 100],
    ]);
    expect(predictor.counters.predicted).toBe(3);
  });

  it('starts at firstInputTick', () => {
    const { predictor } = setup({ firstInputTick: 500 });
    expect(predictor.predict(right).tick).toBe(500);
  });

  it('refuses a negative or non-finite dtMs with INVALID_ARGUMENT, without consuming a tick', () => {
    const { predictor } = setup();
    expect(codeOf(thrown(() => predictor.predict(right, -1)))).toBe('INVALID_ARGUMENT');
    expect(codeOf(thrown(() => predictor.predict(right, Number.NaN)))).toBe('INVALID_ARGUMENT');
    expect(predictor.predict(right).tick).toBe(1);
  });

  it('leaves everything as it was when applyInput throws', () => {
    const clock = new ManualClock(0);
    const predictor = createPredictor<Pos, Move | 'boom'>(
      { ...model, applyInput: (s, i, dt) => (i === 'boom' ? throwBoom() : model.applyInput(s, i, dt)) },
      { x: 0, y: 0 },
      { clock },
    );
    predictor.predict(right);
    expect(() => predictor.predict('boom')).toThrow('boom');
    expect(predictor.state()).toEqual({ x: 1, y: 0 });
    expect(predictor.pendingCount).toBe(1);
    expect(predictor.predict(right).tick).toBe(2);
  });

  it('drops the oldest unacknowledged input when maxPendingInputs is reached, and counts it', () => {
    const { predictor } = setup({ maxPendingInputs: 3 });
    for (let i = 0; i < 5; i++) predictor.predict(right);
    expect(predictor.pendingCount).toBe(3);
    expect(predictor.pendingInputs().map((p) => p.tick)).toEqual([3, 4, 5]);
    expect(predictor.counters.inputsDropped).toBe(2);
    // The server never got ticks 1-2 (x stays 0) and acks nothing: the replay lacks them too.
    expect(predictor.reconcile({ x: 0, y: 0 }, 0)).toMatchObject({ replayed: 3 });
    expect(predictor.state()).toEqual({ x: 3, y: 0 });
  });
});

describe('createPredictor: reconcile', () => {
  it('drops acknowledged inputs and replays the rest on the authoritative state', () => {
    const { predictor, corrections } = setup();
    for (let i = 0; i < 4; i++) predictor.predict(right);
    const result = predictor.reconcile({ x: 2, y: 0 }, 2);
    expect(result).toEqual({ outcome: 'accepted', error: 0, replayed: 2 });
    expect(predictor.state()).toEqual({ x: 4, y: 0 });
    expect(predictor.pendingInputs().map((p) => p.tick)).toEqual([3, 4]);
    expect(predictor.acknowledgedTick).toBe(2);
    expect(corrections).toEqual([]);
    expect(predictor.counters).toMatchObject({ reconciles: 1, corrections: 0, replayedInputs: 2 });
  });

  it('adopts an error at or below correctionThreshold silently', () => {
    const { predictor, corrections } = setup({ correctionThreshold: 0.5 });
    predictor.predict(right);
    predictor.predict(right);
    const result = predictor.reconcile({ x: 1.5, y: 0 }, 1); // replay gives 2.5, predicted 2
    expect(result.outcome).toBe('accepted');
    expect(result.error).toBeCloseTo(0.5);
    expect(predictor.state()).toEqual({ x: 2.5, y: 0 });
    expect(predictor.renderState()).toEqual({ x: 2.5, y: 0 });
    expect(predictor.smoothing).toBe(false);
    expect(corrections).toEqual([]);
  });

  it('smooths a correction above correctionThreshold: no jump, linear decay, exact after correctionSmoothingMs', () => {
    const { clock, predictor, corrections } = setup();
    predictor.predict(still);
    // The server says the player was pushed 4 units along x.
    const result = predictor.reconcile({ x: 4, y: 0 }, 1);
    expect(result).toEqual({ outcome: 'smoothed', error: 4, replayed: 0 });
    expect(predictor.state()).toEqual({ x: 4, y: 0 });
    expect(predictor.renderState()).toEqual({ x: 0, y: 0 }); // what was on screen
    expect(predictor.smoothing).toBe(true);
    clock.advance(25);
    expect(predictor.renderState()).toEqual({ x: 1, y: 0 });
    clock.advance(50);
    expect(predictor.renderState()).toEqual({ x: 3, y: 0 });
    clock.advance(24);
    expect(predictor.renderState().x).toBeCloseTo(3.96);
    clock.advance(1);
    expect(predictor.renderState()).toEqual({ x: 4, y: 0 });
    expect(predictor.smoothing).toBe(false);
    expect(corrections).toEqual([{ kind: 'smoothed', error: 4, acknowledgedTick: 1 }]);
    expect(predictor.counters).toMatchObject({ corrections: 1, snaps: 0, lastError: 4, maxError: 4 });
  });

  it('keeps the on-screen motion going during smoothing: only the offset decays', () => {
    const { clock, predictor } = setup();
    predictor.predict(right); // x = 1
    predictor.reconcile({ x: 5, y: 0 }, 1); // pushed to 5: offset -4 on screen
    for (let i = 1; i <= 4; i++) {
      clock.advance(25);
      predictor.predict(right);
      const render = predictor.renderState();
      // The true state moves one unit per input; the display follows it minus a shrinking offset.
      expect(predictor.state().x).toBe(5 + i);
      expect(predictor.state().x - render.x).toBeCloseTo(4 * (1 - (25 * i) / 100));
    }
    expect(predictor.renderState()).toEqual(predictor.state());
  });

  it('restarts smoothing from what is on screen when a second correction arrives mid-way', () => {
    const { clock, predictor } = setup();
    predictor.predict(still);
    predictor.reconcile({ x: 4, y: 0 }, 1);
    clock.advance(50); // on screen: x = 2
    predictor.predict(still);
    const result = predictor.reconcile({ x: 0, y: 4 }, 2);
    expect(result.outcome).toBe('smoothed');
    expect(predictor.renderState()).toEqual({ x: 2, y: 0 }); // continuous: no jump
    clock.advance(50);
    expect(predictor.renderState()).toEqual({ x: 1, y: 2 });
    clock.advance(50);
    expect(predictor.renderState()).toEqual({ x: 0, y: 4 });
  });

  it('snaps above snapThreshold, cancelling any smoothing', () => {
    const { clock, predictor, corrections } = setup({ snapThreshold: 10 });
    predictor.predict(still);
    predictor.reconcile({ x: 4, y: 0 }, 1);
    clock.advance(10);
    expect(predictor.smoothing).toBe(true);
    const result = predictor.reconcile({ x: 100, y: 0 }, 1);
    expect(result).toEqual({ outcome: 'snapped', error: 96, replayed: 0 });
    expect(predictor.renderState()).toEqual({ x: 100, y: 0 });
    expect(predictor.smoothing).toBe(false);
    expect(corrections.map((c) => c.kind)).toEqual(['smoothed', 'snapped']);
    expect(predictor.counters).toMatchObject({ corrections: 2, snaps: 1, maxError: 96 });
  });

  it('smooths an error exactly at snapThreshold (the bound is inclusive)', () => {
    const { predictor } = setup({ snapThreshold: 10 });
    expect(predictor.reconcile({ x: 10, y: 0 }, 0).outcome).toBe('smoothed');
    expect(predictor.reconcile({ x: 20.5, y: 0 }, 0).outcome).toBe('snapped');
  });

  it('snaps when smoothing is off (correctionSmoothingMs 0) and when the distance is NaN', () => {
    const { predictor } = setup({ correctionSmoothingMs: 0 });
    expect(predictor.reconcile({ x: 3, y: 0 }, 0).outcome).toBe('snapped');
    expect(predictor.renderState()).toEqual({ x: 3, y: 0 });
    const other = setup();
    expect(other.predictor.reconcile({ x: Number.NaN, y: 0 }, 0).outcome).toBe('snapped');
  });

  it('ignores a reconcile older than one already applied, and applies an equal tick', () => {
    const { predictor } = setup();
    for (let i = 0; i < 3; i++) predictor.predict(right);
    predictor.reconcile({ x: 2, y: 0 }, 2);
    expect(predictor.reconcile({ x: -50, y: 0 }, 1)).toEqual({ outcome: 'stale', error: 0, replayed: 0 });
    expect(predictor.state()).toEqual({ x: 3, y: 0 });
    expect(predictor.pendingInputs().map((p) => p.tick)).toEqual([3]);
    expect(predictor.counters.staleReconciles).toBe(1);
    // Same tick, new state: the server moved the player without an input (knockback).
    expect(predictor.reconcile({ x: 2, y: 1 }, 2).outcome).toBe('smoothed');
    expect(predictor.state()).toEqual({ x: 3, y: 1 });
  });

  it('counts on past an acknowledged tick it never issued', () => {
    const { predictor } = setup();
    predictor.predict(right);
    predictor.reconcile({ x: 7, y: 0 }, 41);
    expect(predictor.pendingCount).toBe(0);
    expect(predictor.predict(right).tick).toBe(42);
  });

  it('refuses a tick that is not a non-negative integer', () => {
    const { predictor } = setup();
    for (const tick of [-1, 1.5, Number.NaN]) {
      expect(codeOf(thrown(() => predictor.reconcile({ x: 0, y: 0 }, tick)))).toBe('INVALID_ARGUMENT');
    }
    expect(predictor.counters.reconciles).toBe(0);
  });

  it('reset starts over: no pending inputs, no smoothing, any tick accepted again, ticks keep counting', () => {
    const { predictor } = setup();
    predictor.predict(right);
    predictor.predict(right);
    predictor.reconcile({ x: 9, y: 0 }, 2);
    predictor.predict(right);
    predictor.reset({ x: 100, y: 100 });
    expect(predictor.state()).toEqual({ x: 100, y: 100 });
    expect(predictor.renderState()).toEqual({ x: 100, y: 100 });
    expect(predictor.pendingCount).toBe(0);
    expect(predictor.acknowledgedTick).toBe(0);
    // A fresh server session starts its last_processed_input over.
    expect(predictor.reconcile({ x: 100, y: 100 }, 0).outcome).toBe('accepted');
    expect(predictor.predict(right).tick).toBe(4);
  });

  it('holds a smoothed correction at its start when the clock steps backwards', () => {
    const { clock, predictor } = setup();
    predictor.reconcile({ x: 4, y: 0 }, 0);
    clock.set(clock.now() - 500);
    expect(predictor.renderState()).toEqual({ x: 0, y: 0 });
    clock.advance(600); // well past startedAt + 100
    expect(predictor.renderState()).toEqual({ x: 4, y: 0 });
  });
});

describe('predictor options', () => {
  it('has frozen defaults with the documented values', () => {
    expect(Object.isFrozen(predictorDefaults)).toBe(true);
    expect(predictorDefaults).toMatchObject({
      correctionThreshold: 0.05,
      snapThreshold: 5,
      correctionSmoothingMs: 100,
      maxPendingInputs: 256,
      inputDtMs: 50,
      firstInputTick: 1,
    });
  });

  it('ignores undefined values instead of overriding defaults with them', () => {
    const clock = new ManualClock(0);
    const predictor = createPredictor(model, { x: 0, y: 0 }, { clock, inputDtMs: undefined } as unknown as PredictorOptions);
    expect(predictor.predict(right).state).toEqual({ x: 1, y: 0 });
  });

  it.each<[string, PredictorOptions]>([
    ['snapThreshold below correctionThreshold', { correctionThreshold: 2, snapThreshold: 1 }],
    ['negative correctionThreshold', { correctionThreshold: -1 }],
    ['NaN snapThreshold', { snapThreshold: Number.NaN }],
    ['infinite correctionSmoothingMs', { correctionSmoothingMs: Number.POSITIVE_INFINITY }],
    ['zero maxPendingInputs', { maxPendingInputs: 0 }],
    ['fractional maxPendingInputs', { maxPendingInputs: 2.5 }],
    ['negative inputDtMs', { inputDtMs: -5 }],
    ['firstInputTick 0', { firstInputTick: 0 }],
  ])('refuses %s with INVALID_OPTIONS', (_name, options) => {
    expect(codeOf(thrown(() => createPredictor(model, { x: 0, y: 0 }, options)))).toBe('INVALID_OPTIONS');
  });

  it('accepts an infinite snapThreshold (never snap)', () => {
    const { predictor } = setup({ snapThreshold: Number.POSITIVE_INFINITY });
    expect(predictor.reconcile({ x: 1e9, y: 0 }, 0).outcome).toBe('smoothed');
  });
});

function throwBoom(): never {
  throw new Error('boom');
}
