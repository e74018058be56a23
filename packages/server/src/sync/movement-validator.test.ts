import { MmoError } from '@mmo/protocol';
import { describe, expect, it } from 'vitest';
import { movementValidatorDefaults } from './movement-options.js';
import { MovementValidator, type MovementVerdict } from './movement-validator.js';
import { createPlayerMoveState } from './player-move-state.js';

const origin = { x: 0, y: 0, z: 0 };

/** A client walking along +x at `speed` units/s, one input every `intervalMs`, received instantly. */
function walker(validator: MovementValidator, speed = 7, intervalMs = 50, startMs = 10_000) {
  const state = createPlayerMoveState(origin, startMs);
  let tick = 0;
  let x = 0;
  let t = 0;
  return {
    state,
    step(overrides: { dx?: number; dtMs?: number; clientDtMs?: number; tick?: number } = {}): MovementVerdict {
      const dtMs = overrides.dtMs ?? intervalMs;
      t += dtMs;
      x += overrides.dx ?? (speed * dtMs) / 1000;
      tick = overrides.tick ?? tick + 1;
      return validator.validate(state, { inputTick: tick, position: { x, y: 0, z: 0 }, clientTimeMs: 5_000 + t }, startMs + t);
    },
  };
}

describe('MovementValidator', () => {
  it('accepts walking at max speed and returns the new authoritative position', () => {
    const validator = new MovementValidator();
    const w = walker(validator);
    for (let i = 0; i < 200; i++) expect(w.step().ok).toBe(true);
    expect(w.state.position.x).toBeCloseTo(70, 9);
    expect(w.state.lastInputTick).toBe(200);
  });

  it('exposes the largest step: maxSpeed * (1 + tolerance) * maxBurstMs', () => {
    expect(new MovementValidator().maxStepDistance).toBeCloseTo(7 * 1.15 * 0.25, 12);
  });

  it('rejects a teleport and keeps the last accepted position', () => {
    const validator = new MovementValidator();
    const w = walker(validator);
    w.step();
    const before = { ...w.state.position };
    const verdict = w.step({ dx: 5 });
    expect(verdict).toEqual({ ok: false, reason: 'teleport', corrected: before });
    expect(w.state.position).toEqual(before);
  });

  it('rejects a speed hack with a partial move along the requested step', () => {
    const validator = new MovementValidator();
    const w = walker(validator, 7 * 2);
    let verdict = w.step();
    let accepted = 0;
    while (verdict.ok) {
      accepted++;
      verdict = w.step();
    }
    // 0.7 units per 50 ms against a credit of 0.4025 and 0.4025 of slack: the second input fails.
    expect(accepted).toBe(1);
    expect(verdict).toMatchObject({ ok: false, reason: 'speed' });
    const corrected = (verdict as Extract<MovementVerdict, { ok: false }>).corrected;
    // Moved as far as the budget allows toward x = 1.4: the rest of the slack plus one credit.
    expect(corrected.x).toBeCloseTo(0.7 + (0.4025 - (0.7 - 0.4025)) + 0.4025, 9);
    expect(corrected.y).toBe(0);
    expect(w.state.position).toEqual(corrected);
    expect(w.state.distanceBudget).toBe(0);
  });

  it("rejects a duplicate or older input tick as 'stale' without changing anything", () => {
    const validator = new MovementValidator();
    const w = walker(validator);
    w.step({ tick: 10 });
    const snapshot = JSON.stringify(w.state);
    expect(w.step({ tick: 10, dx: 0 })).toMatchObject({ ok: false, reason: 'stale' });
    expect(w.step({ tick: 9, dx: 0 })).toMatchObject({ ok: false, reason: 'stale' });
    expect(w.step({ tick: 10.5, dx: 0 })).toMatchObject({ ok: false, reason: 'stale' });
    expect(JSON.stringify(w.state)).toBe(snapshot);
    expect(w.step({ tick: 11, dx: 0 }).ok).toBe(true);
  });

  it("rejects client time that goes backwards as 'time'", () => {
    const validator = new MovementValidator();
    const state = createPlayerMoveState(origin, 0);
    const at = (tick: number, clientTimeMs: number, serverMs: number) =>
      validator.validate(state, { inputTick: tick, position: { x: 0.1 * tick, y: 0, z: 0 }, clientTimeMs }, serverMs);
    expect(at(1, 1000, 50).ok).toBe(true);
    expect(at(2, 1050, 100).ok).toBe(true);
    expect(at(3, 1040, 150)).toMatchObject({ ok: false, reason: 'time', corrected: { x: 0.2 } });
    expect(at(4, Number.NaN, 200)).toMatchObject({ ok: false, reason: 'time' });
    expect(at(5, 1200, 250).ok).toBe(true); // the step from x=0.2 covers 150 ms of client time
  });

  it("rejects a client clock that runs ahead of the server's as 'time', and recovers from a one-off step", () => {
    const validator = new MovementValidator();
    const state = createPlayerMoveState(origin, 0);
    let tick = 0;
    const send = (clientTimeMs: number, serverMs: number) =>
      validator.validate(state, { inputTick: ++tick, position: state.position, clientTimeMs }, serverMs);
    expect(send(1000, 50).ok).toBe(true);
    expect(send(1050, 100).ok).toBe(true);
    // The client's clock jumps 2 s forward while 50 ms pass on the server.
    expect(send(3100, 150)).toMatchObject({ ok: false, reason: 'time' });
    // It carries on normally from its new reading: accepted again at once.
    for (let i = 1; i <= 20; i++) expect(send(3100 + 50 * i, 150 + 50 * i).ok).toBe(true);
  });

  it('clamps positions outside the bounds (reason bounds) and rejects non-finite ones', () => {
    const validator = new MovementValidator({ bounds: { min: { x: -10, y: 0, z: -10 }, max: { x: 10, y: 5, z: 10 } } });
    const state = createPlayerMoveState({ x: 9.9, y: 0, z: 0 }, 0);
    const verdict = validator.validate(state, { inputTick: 1, position: { x: 10.2, y: -0.1, z: 0 }, clientTimeMs: 100 }, 100);
    expect(verdict).toEqual({ ok: false, reason: 'bounds', corrected: { x: 10, y: 0, z: 0 } });
    expect(state.position).toEqual({ x: 10, y: 0, z: 0 });
    const nan = validator.validate(state, { inputTick: 2, position: { x: Number.NaN, y: 0, z: 0 }, clientTimeMs: 150 }, 150);
    expect(nan).toEqual({ ok: false, reason: 'bounds', corrected: { x: 10, y: 0, z: 0 } });
    // Far outside: the clamped point is still a teleport away, and that is what is reported.
    const far = validator.validate(state, { inputTick: 3, position: { x: 1e9, y: 0, z: -1e9 }, clientTimeMs: 200 }, 200);
    expect(far).toMatchObject({ ok: false, reason: 'teleport', corrected: { x: 10, y: 0, z: 0 } });
  });

  it("drops inputs beyond the rate budget as 'rate'", () => {
    const validator = new MovementValidator();
    const state = createPlayerMoveState(origin, 0);
    const verdicts: MovementVerdict[] = [];
    // 100 inputs all received in the same millisecond (after a long silence).
    for (let i = 1; i <= 100; i++) {
      verdicts.push(validator.validate(state, { inputTick: i, position: origin, clientTimeMs: 10_000 + i }, 10_000));
    }
    const accepted = verdicts.filter((v) => v.ok).length;
    expect(accepted).toBe(17); // 70/s * 250 ms = 17.5 inputs of burst
    expect(verdicts.slice(17).every((v) => !v.ok && v.reason === 'rate')).toBe(true);
    // The budget refills at 70/s.
    expect(validator.validate(state, { inputTick: 101, position: origin, clientTimeMs: 10_200 }, 10_015).ok).toBe(true);
  });

  it('relocate moves the player on server authority; the next input is measured from there', () => {
    const validator = new MovementValidator();
    const w = walker(validator);
    w.step(); // client and server at x = 0.35
    validator.relocate(w.state, { x: 500, y: 0, z: 0 }, 10_060);
    expect(w.step({ dx: 500 - 0.35 + 0.3 })).toMatchObject({ ok: true, position: { x: 500.3 } });
  });

  it('validates its options', () => {
    expect(() => new MovementValidator({ maxSpeed: 0 })).toThrow(MmoError);
    expect(() => new MovementValidator({ speedTolerance: -0.1 })).toThrow(MmoError);
    expect(() => new MovementValidator({ maxBurstMs: Number.NaN })).toThrow(MmoError);
    expect(() => new MovementValidator({ bounds: { min: { x: 1, y: 0, z: 0 }, max: { x: 0, y: 0, z: 0 } } })).toThrow(MmoError);
    expect(movementValidatorDefaults).toMatchObject({ maxSpeed: 7, speedTolerance: 0.15, maxBurstMs: 250, maxInputsPerSecond: 70 });
  });
});
