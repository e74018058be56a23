import { MmoError, type Vector3Like } from '@mmo/protocol';

/** An axis-aligned box, in world units. */
export interface MovementBounds {
  /** Smallest allowed coordinate per axis. */
  min: Readonly<Vector3Like>;
  /** Largest allowed coordinate per axis (each >= `min`). */
  max: Readonly<Vector3Like>;
}

/** Rules of a {@link MovementValidator}; see {@link movementValidatorDefaults}. */
export interface MovementValidatorOptions {
  /**
   * Fastest legitimate movement, in world units per second (3-D distance: raise it, or validate
   * falling in a hook, if gravity can move a player faster).
   * @default 7
   */
  maxSpeed?: number;
  /**
   * Fraction above `maxSpeed` still accepted over time (client float error, timestamp rounding).
   * @default 0.15
   */
  speedTolerance?: number;
  /**
   * How far the client's clock may run ahead of the server's between inputs, in ms: it absorbs
   * network jitter and inputs bunched by a delay spike (arrivals up to this much later than their
   * neighbours pass). It also sets the largest single step: `maxSpeed * (1 + speedTolerance) *
   * maxBurstMs`; a longer one is a teleport. Clients must send an input at least this often while
   * moving, and the rate budget holds this many ms of `maxInputsPerSecond`.
   * @default 250
   */
  maxBurstMs?: number;
  /**
   * Movement (at tolerated speed) a client may bank when it moves slower than allowed, in ms of
   * client time: absorbs a client's own timestamp irregularities. A client sustaining speed
   * `k * maxSpeed` with honest timestamps is rejected within
   * `clientTimingSlackMs * (1 + speedTolerance) / (k - 1 - speedTolerance)` ms.
   * @default 50
   */
  clientTimingSlackMs?: number;
  /**
   * Fraction by which a client's clock may run faster than the server's before its inputs are
   * rejected as `'time'` (real clocks drift by < 0.01 %; a speed hack runs the clock 30 %+ fast).
   * @default 0.01
   */
  clockDriftTolerance?: number;
  /**
   * Where players may be; a position outside is clamped (reason `'bounds'`).
   * @default +-65536 on each axis (float32 positions still resolve 1/128 unit there)
   */
  bounds?: MovementBounds;
  /**
   * Sustained movement inputs accepted per second; above it inputs are dropped (reason `'rate'`).
   * @default 70
   */
  maxInputsPerSecond?: number;
}

/** Defaults of {@link MovementValidatorOptions}. */
export const movementValidatorDefaults: Readonly<Required<MovementValidatorOptions>> = Object.freeze({
  // 7 units/s: a brisk run if a unit is a metre.
  maxSpeed: 7,
  // 15 %: above float and timestamp-rounding error (1 ms in 16.7 ms is 6 %), below any useful hack.
  speedTolerance: 0.15,
  // 250 ms: above the 150 ms of jitter a decent connection shows, short enough that a client's
  // clock running 30 % fast is caught within a second.
  maxBurstMs: 250,
  // 50 ms: covers timestamp rounding and frame-time sampling; a 1.3x speed hack with honest
  // timestamps is caught within 0.4 s.
  clientTimingSlackMs: 50,
  // 1 %: 100x the drift of a real quartz clock.
  clockDriftTolerance: 0.01,
  // +-2^16: float32 (the wire's Vector3) still resolves 1/128 unit at this distance from the origin.
  bounds: Object.freeze({
    min: Object.freeze({ x: -65_536, y: -65_536, z: -65_536 }),
    max: Object.freeze({ x: 65_536, y: 65_536, z: 65_536 }),
  }),
  // 70/s: a 60 Hz client with headroom.
  maxInputsPerSecond: 70,
});

/** Fills in defaults once and rejects rules that would make the validator useless. */
export function resolveMovementOptions(options: MovementValidatorOptions | undefined): Readonly<Required<MovementValidatorOptions>> {
  if (options === undefined) return movementValidatorDefaults;
  const d = movementValidatorDefaults;
  const resolved: Required<MovementValidatorOptions> = {
    maxSpeed: options.maxSpeed ?? d.maxSpeed,
    speedTolerance: options.speedTolerance ?? d.speedTolerance,
    maxBurstMs: options.maxBurstMs ?? d.maxBurstMs,
    clientTimingSlackMs: options.clientTimingSlackMs ?? d.clientTimingSlackMs,
    clockDriftTolerance: options.clockDriftTolerance ?? d.clockDriftTolerance,
    bounds: options.bounds ?? d.bounds,
    maxInputsPerSecond: options.maxInputsPerSecond ?? d.maxInputsPerSecond,
  };
  for (const name of ['maxSpeed', 'maxBurstMs', 'maxInputsPerSecond'] as const) {
    const value = resolved[name];
    if (!Number.isFinite(value) || value <= 0) {
      throw new MmoError('INVALID_OPTIONS', `MovementValidator: ${name} must be a positive finite number, got ${value}`);
    }
  }
  for (const name of ['speedTolerance', 'clientTimingSlackMs', 'clockDriftTolerance'] as const) {
    const value = resolved[name];
    if (!Number.isFinite(value) || value < 0) {
      throw new MmoError('INVALID_OPTIONS', `MovementValidator: ${name} must be a non-negative finite number, got ${value}`);
    }
  }
  const { min, max } = resolved.bounds;
  for (const axis of ['x', 'y', 'z'] as const) {
    if (Number.isNaN(min[axis]) || Number.isNaN(max[axis]) || min[axis] > max[axis]) {
      throw new MmoError('INVALID_OPTIONS', `MovementValidator: bounds.min.${axis} must be <= bounds.max.${axis}`);
    }
  }
  return resolved;
}
