/**
 * Property tests of the predictor against a simulated server on a ManualClock: inputs travel with
 * random latency (in order, like one TCP stream) and are sometimes lost; the server applies the
 * same rules plus things the client cannot know (a wall, rejected inputs, knockbacks); its
 * snapshots travel back with random latency, some are lost, and they may arrive out of order.
 */
import { ManualClock } from '@mmo/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PredictionModel } from './prediction-options.js';
import { createPredictor } from './predictor.js';

interface Pos {
  x: number;
  y: number;
}
interface Move {
  dx: number;
  dy: number;
}

const INPUT_DT_MS = 50;
const SMOOTHING_MS = 100;
const CORRECTION_THRESHOLD = 0.5;
const SNAP_THRESHOLD = 20;

/** Integer steps, so the client's and the server's arithmetic agree exactly. */
const model: PredictionModel<Pos, Move> = {
  applyInput: (s, i, dtMs) => ({ x: s.x + (i.dx * dtMs) / INPUT_DT_MS, y: s.y + (i.dy * dtMs) / INPUT_DT_MS }),
  distance: (a, b) => Math.hypot(a.x - b.x, a.y - b.y),
  blend: (from, to, t) => ({ x: from.x + (to.x - from.x) * t, y: from.y + (to.y - from.y) * t }),
};

/** What the server does with one input that reached it. */
type ServerVerdict = { kind: 'apply' } | { kind: 'reject' } | { kind: 'knockback'; x: number; y: number };

interface Step {
  input: Move;
  upLatencyMs: number;
  /** The PLAYER_MOVE never reaches the server (volatile). */
  lost: boolean;
  verdict: ServerVerdict;
  downLatencyMs: number;
  /** The server's state update after this input is lost. */
  snapshotLost: boolean;
}

const move = fc.record({ dx: fc.integer({ min: -3, max: 3 }), dy: fc.integer({ min: -3, max: 3 }) });
const verdict: fc.Arbitrary<ServerVerdict> = fc.oneof(
  { weight: 8, arbitrary: fc.constant({ kind: 'apply' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reject' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('knockback' as const), x: fc.integer({ min: -40, max: 40 }), y: fc.integer({ min: -40, max: 40 }) }) },
);
/** A step where nothing goes wrong: the server applies the input exactly as the client did. */
const cleanStep: fc.Arbitrary<Step> = fc.record({
  input: move,
  upLatencyMs: fc.integer({ min: 0, max: 400 }),
  lost: fc.constant(false),
  verdict: fc.constant<ServerVerdict>({ kind: 'apply' }),
  downLatencyMs: fc.integer({ min: 0, max: 400 }),
  snapshotLost: fc.constant(false),
});

interface Scenario {
  steps: Step[];
  /** The server clamps x to at most this (a wall the client does not model); null: no wall. */
  wallX: number | null;
  maxPendingInputs: number;
  /** Snapshots keep the stream's order (one TCP link) or arrive in any order (stale ones ignored). */
  ordered: boolean;
}

/** Runs a scenario to the end and returns what the test checks. */
function simulate({ steps, wallX, maxPendingInputs, ordered }: Scenario) {
  const clock = new ManualClock(0);
  const predictor = createPredictor(model, { x: 0, y: 0 }, {
    clock,
    correctionThreshold: CORRECTION_THRESHOLD,
    snapThreshold: SNAP_THRESHOLD,
    correctionSmoothingMs: SMOOTHING_MS,
    maxPendingInputs,
  });

  let server: Pos = { x: 0, y: 0 };
  let serverLastTick = 0;
  let lastUpArrival = 0;
  let lastDownArrival = 0;
  let lastDelivery = 0;
  const deliver = (state: Pos, ack: number, latencyMs: number) => {
    const at = ordered ? Math.max(lastDownArrival, clock.now() + latencyMs) : clock.now() + latencyMs;
    lastDownArrival = Math.max(lastDownArrival, at);
    lastDelivery = Math.max(lastDelivery, at);
    clock.setTimeout(() => predictor.reconcile(state, ack), at - clock.now());
  };
  const serverReceives = (tick: number, s: Step) => {
    serverLastTick = Math.max(serverLastTick, tick);
    if (s.verdict.kind !== 'reject') server = model.applyInput(server, s.input, INPUT_DT_MS);
    if (s.verdict.kind === 'knockback') server = { x: server.x + s.verdict.x, y: server.y + s.verdict.y };
    if (wallX !== null && server.x > wallX) server = { x: wallX, y: server.y };
    if (!s.snapshotLost) deliver(server, serverLastTick, s.downLatencyMs);
  };

  steps.forEach((s, i) => {
    clock.setTimeout(() => {
      const { tick } = predictor.predict(s.input);
      if (s.lost) return;
      const at = Math.max(lastUpArrival, clock.now() + s.upLatencyMs);
      lastUpArrival = at;
      clock.setTimeout(() => serverReceives(tick, s), at - clock.now());
    }, i * INPUT_DT_MS);
  });
  // Let every input reach the server and every surviving snapshot arrive.
  clock.advance(steps.length * INPUT_DT_MS + 1_000);
  // One last state update that does arrive, after all others (the server keeps sending them).
  clock.setTimeout(() => predictor.reconcile(server, serverLastTick), Math.max(0, lastDelivery - clock.now()) + 1);
  clock.advance(Math.max(0, lastDelivery - clock.now()) + 1);
  const afterFinal = { state: predictor.state(), render: predictor.renderState(), pending: predictor.pendingCount };
  clock.advance(SMOOTHING_MS);
  return { predictor, server, afterFinal, renderLater: predictor.renderState() };
}

const faultyScenario: fc.Arbitrary<Scenario> = fc.record({
  steps: fc.array(
    fc.record({
      input: move,
      upLatencyMs: fc.integer({ min: 0, max: 400 }),
      lost: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
      verdict,
      downLatencyMs: fc.integer({ min: 0, max: 400 }),
      snapshotLost: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
    }),
    { minLength: 1, maxLength: 60 },
  )
    // The player keeps playing: a later input reaches the server, so every earlier one is settled.
    .map((steps) => steps.map((s, i) => (i === steps.length - 1 ? { ...s, lost: false } : s))),
  wallX: fc.option(fc.integer({ min: 0, max: 30 }), { nil: null }),
  maxPendingInputs: fc.integer({ min: 1, max: 300 }),
  ordered: fc.boolean(),
});

describe('predictor against a simulated server (property)', () => {
  it('converges to the server state once the corrections arrive, and the display follows within correctionSmoothingMs', () => {
    // What the runs went through, so a generator that stops producing faults fails the test.
    const seen = { smoothed: 0, snapped: 0, stale: 0, inputsDropped: 0 };
    fc.assert(
      fc.property(faultyScenario, (scenario) => {
        const { predictor, server, afterFinal, renderLater } = simulate(scenario);
        seen.smoothed += predictor.counters.corrections - predictor.counters.snaps;
        seen.snapped += predictor.counters.snaps;
        seen.stale += predictor.counters.staleReconciles;
        seen.inputsDropped += predictor.counters.inputsDropped;
        expect(afterFinal.pending).toBe(0);
        expect(afterFinal.state).toEqual(server);
        expect(predictor.acknowledgedTick).toBe(predictor.lastInputTick);
        // Smoothing ends on time: the display is exactly the true state, no residual offset.
        expect(renderLater).toEqual(server);
        expect(predictor.smoothing).toBe(false);
        expect(predictor.counters.snaps).toBeLessThanOrEqual(predictor.counters.corrections);
      }),
      { numRuns: 300 },
    );
    for (const [what, count] of Object.entries(seen)) expect(count, what).toBeGreaterThan(0);
  });

  it('never corrects when the server agrees with every input, whatever the latency and reordering', () => {
    fc.assert(
      fc.property(
        fc.array(cleanStep, { minLength: 1, maxLength: 60 }),
        fc.boolean(),
        (steps, ordered) => {
          // Capacity above the inputs in flight: nothing can be dropped, so the replay is exact.
          const { predictor, server } = simulate({ steps, wallX: null, maxPendingInputs: 256, ordered });
          expect(predictor.counters.corrections).toBe(0);
          expect(predictor.counters.lastError).toBe(0);
          expect(predictor.counters.maxError).toBe(0);
          expect(predictor.state()).toEqual(server);
          expect(predictor.counters.reconciles + predictor.counters.staleReconciles).toBe(steps.length + 1);
          if (ordered) expect(predictor.counters.staleReconciles).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('correction smoothing (property)', () => {
  const offset = fc.record({ x: fc.integer({ min: -14, max: 14 }), y: fc.integer({ min: -14, max: 14 }) });

  it('decays monotonically to zero within correctionSmoothingMs while the player keeps moving', () => {
    fc.assert(
      fc.property(
        offset.filter((o) => Math.hypot(o.x, o.y) > CORRECTION_THRESHOLD),
        fc.array(fc.record({ waitMs: fc.integer({ min: 0, max: 40 }), input: move }), { maxLength: 20 }),
        (push, frames) => {
          const clock = new ManualClock(0);
          const predictor = createPredictor(model, { x: 0, y: 0 }, {
            clock,
            correctionThreshold: CORRECTION_THRESHOLD,
            snapThreshold: SNAP_THRESHOLD,
            correctionSmoothingMs: SMOOTHING_MS,
          });
          const error = Math.hypot(push.x, push.y);
          expect(predictor.reconcile(push, 0).outcome).toBe('smoothed');
          let previous = model.distance(predictor.renderState(), predictor.state());
          expect(previous).toBeCloseTo(error, 9);
          for (const { waitMs, input } of frames) {
            clock.advance(waitMs);
            predictor.predict(input);
            const gap = model.distance(predictor.renderState(), predictor.state());
            const elapsed = Math.min(clock.now(), SMOOTHING_MS);
            // Only the offset decays, linearly; the inputs move both trajectories alike.
            expect(gap).toBeCloseTo(error * (1 - elapsed / SMOOTHING_MS), 9);
            expect(gap).toBeLessThanOrEqual(previous + 1e-9);
            previous = gap;
          }
          clock.advance(Math.max(0, SMOOTHING_MS - clock.now()));
          expect(predictor.renderState()).toEqual(predictor.state());
        },
      ),
    );
  });

  it('snaps at once above snapThreshold, and smooths between the thresholds', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 100, noNaN: true }), fc.integer({ min: 0, max: SMOOTHING_MS - 1 }), (error, midMs) => {
        const clock = new ManualClock(0);
        const predictor = createPredictor(model, { x: 0, y: 0 }, {
          clock,
          correctionThreshold: CORRECTION_THRESHOLD,
          snapThreshold: SNAP_THRESHOLD,
          correctionSmoothingMs: SMOOTHING_MS,
        });
        const result = predictor.reconcile({ x: error, y: 0 }, 0);
        clock.advance(midMs);
        if (error > SNAP_THRESHOLD) {
          expect(result.outcome).toBe('snapped');
          expect(predictor.renderState()).toEqual({ x: error, y: 0 });
        } else if (error > CORRECTION_THRESHOLD) {
          expect(result.outcome).toBe('smoothed');
          expect(predictor.renderState().x).toBeCloseTo(error * (midMs / SMOOTHING_MS), 9);
        } else {
          expect(result.outcome).toBe('accepted');
          expect(predictor.renderState()).toEqual({ x: error, y: 0 });
        }
        expect(predictor.counters.corrections).toBe(error > CORRECTION_THRESHOLD ? 1 : 0);
        expect(predictor.counters.snaps).toBe(error > SNAP_THRESHOLD ? 1 : 0);
      }),
    );
  });
});
