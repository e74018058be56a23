import { isMmoError, quaternionAngleRad } from '@mmo/protocol';
import { describe, expect, it } from 'vitest';
import { createInterpolator } from './interpolator.js';
import type { InterpolationSample } from './snapshot-buffer.js';

const identity = { x: 0, y: 0, z: 0, w: 1 };
const yaw = (rad: number) => ({ x: 0, y: Math.sin(rad / 2), z: 0, w: Math.cos(rad / 2) });
const sample = (
  serverTimeMs: number,
  x: number,
  extra: Partial<Omit<InterpolationSample, 'serverTimeMs'>> = {},
): InterpolationSample => ({ serverTimeMs, position: { x, y: 0, z: 0 }, rotation: identity, ...extra });

describe('createInterpolator: between snapshots', () => {
  it('gives the exact linear midpoint', () => {
    const interpolator = createInterpolator();
    interpolator.push(7, { serverTimeMs: 1000, position: { x: 0, y: 10, z: -2 }, rotation: identity });
    interpolator.push(7, { serverTimeMs: 1050, position: { x: 4, y: 20, z: 2 }, rotation: identity });
    const [state] = interpolator.sample(1025);
    expect(state).toMatchObject({
      entityId: 7,
      position: { x: 2, y: 15, z: 0 },
      velocity: { x: 80, y: 200, z: 80 },
      status: 'interpolated',
      stale: false,
      extrapolatedMs: 0,
      renderServerTimeMs: 1025,
    });
  });

  it('renders interpolationDelayMs behind the server clock with sampleAt', () => {
    const interpolator = createInterpolator({ interpolationDelayMs: 100 });
    interpolator.push(1, sample(1000, 0));
    interpolator.push(1, sample(1100, 10));
    // now = 1150 renders 1050: halfway.
    expect(interpolator.sampleAt(1150)[0]?.position.x).toBe(5);
    expect(interpolator.sampleAt(1150)[0]?.renderServerTimeMs).toBe(1050);
  });

  it('follows a Hermite curve in hermite mode: endpoints exact, tangents equal to the velocities', () => {
    const v0 = { x: 10, y: 0, z: 0 };
    const v1 = { x: 0, y: 10, z: 0 };
    const make = (positionMode: 'linear' | 'hermite') => {
      const interpolator = createInterpolator({ positionMode });
      interpolator.push(1, sample(0, 0, { velocity: v0 }));
      interpolator.push(1, { serverTimeMs: 100, position: { x: 1, y: 1, z: 0 }, rotation: identity, velocity: v1 });
      return interpolator;
    };
    const hermite = make('hermite');
    expect(hermite.sampleEntity(1, 0)?.position).toEqual({ x: 0, y: 0, z: 0 });
    expect(hermite.sampleEntity(1, 0)?.velocity).toEqual(v0);
    const end = hermite.sampleEntity(1, 100 - 1e-9);
    expect(end?.position.x).toBeCloseTo(1, 6);
    expect(end?.position.y).toBeCloseTo(1, 6);
    expect(end?.velocity.x).toBeCloseTo(v1.x, 5);
    expect(end?.velocity.y).toBeCloseTo(v1.y, 5);
    // Numerical derivative near the start, in units per second.
    const fresh = make('hermite');
    const a = fresh.sampleEntity(1, 1)?.position;
    const b = fresh.sampleEntity(1, 1.001)?.position;
    expect(((b?.x ?? 0) - (a?.x ?? 0)) / 0.001e-3).toBeCloseTo(v0.x, 0);
    // Mid-segment, Hermite bends away from the straight line that linear mode follows.
    const mid = make('hermite').sampleEntity(1, 50)?.position;
    const straight = make('linear').sampleEntity(1, 50)?.position;
    expect(straight).toEqual({ x: 0.5, y: 0.5, z: 0 });
    // h00 = h01 = 0.5, h10 = 0.125 * 0.1 s, h11 = -0.125 * 0.1 s.
    expect(mid?.x).toBeCloseTo(0.5 + 0.0125 * 10, 12);
    expect(mid?.y).toBeCloseTo(0.5 - 0.0125 * 10, 12);
  });

  it('falls back to linear in hermite mode when a sample has no velocity', () => {
    const interpolator = createInterpolator({ positionMode: 'hermite' });
    interpolator.push(1, sample(0, 0, { velocity: { x: 100, y: 0, z: 0 } }));
    interpolator.push(1, sample(100, 10));
    expect(interpolator.sampleEntity(1, 50)?.position.x).toBe(5);
  });

  it('slerps rotation: the midpoint of a 90° yaw is 45°', () => {
    const interpolator = createInterpolator();
    interpolator.push(1, sample(0, 0, { rotation: identity }));
    interpolator.push(1, sample(100, 0, { rotation: yaw(Math.PI / 2) }));
    const rotation = interpolator.sampleEntity(1, 50)?.rotation ?? identity;
    expect(quaternionAngleRad(identity, rotation)).toBeCloseTo(Math.PI / 4, 12);
    expect(Math.hypot(rotation.x, rotation.y, rotation.z, rotation.w)).toBeCloseTo(1, 14);
  });

  it('holds an entity at its first snapshot until the render time reaches it', () => {
    const interpolator = createInterpolator();
    interpolator.push(1, sample(1000, 3));
    expect(interpolator.sampleEntity(1, 900)).toMatchObject({ position: { x: 3 }, status: 'held', stale: false });
  });
});

describe('createInterpolator: late snapshots', () => {
  it('extrapolates along the velocity for at most maxExtrapolationMs, then holds and flags stale', () => {
    const interpolator = createInterpolator({ maxExtrapolationMs: 200 });
    interpolator.push(1, sample(0, 0, { velocity: { x: 10, y: 0, z: 0 } }));
    interpolator.push(1, sample(100, 1, { velocity: { x: 10, y: 0, z: 0 } }));
    const within = interpolator.sampleEntity(1, 250);
    expect(within).toMatchObject({ status: 'extrapolated', stale: false, extrapolatedMs: 150 });
    expect(within?.position.x).toBeCloseTo(2.5, 12);
    const edge = interpolator.sampleEntity(1, 300);
    expect(edge).toMatchObject({ status: 'extrapolated', stale: false, extrapolatedMs: 200 });
    expect(edge?.position.x).toBeCloseTo(3, 12);
    for (const t of [301, 500, 10_000]) {
      const held = interpolator.sampleEntity(1, t);
      expect(held).toMatchObject({ status: 'held', stale: true, extrapolatedMs: 200, velocity: { x: 0, y: 0, z: 0 } });
      expect(held?.position.x).toBeCloseTo(3, 12);
    }
    // The next snapshot ends the hold.
    interpolator.push(1, sample(10_000, 50));
    expect(interpolator.sampleEntity(1, 10_000)).toMatchObject({ status: 'interpolated', stale: false, position: { x: 50 } });
  });

  it('extrapolates from the last two snapshots when they carry no velocity, rotation included', () => {
    const interpolator = createInterpolator();
    interpolator.push(1, sample(0, 0, { rotation: identity }));
    interpolator.push(1, sample(100, 2, { rotation: yaw(0.1) }));
    const state = interpolator.sampleEntity(1, 150);
    expect(state?.status).toBe('extrapolated');
    expect(state?.position.x).toBeCloseTo(3, 12);
    expect(state?.velocity.x).toBeCloseTo(20, 12);
    expect(quaternionAngleRad(state?.rotation ?? identity, yaw(0.15))).toBeCloseTo(0, 7);
  });

  it('holds a single snapshot without velocity in place while extrapolating', () => {
    const interpolator = createInterpolator({ maxExtrapolationMs: 0 });
    interpolator.push(1, sample(0, 4));
    expect(interpolator.sampleEntity(1, 1)).toMatchObject({ position: { x: 4 }, status: 'held', stale: true });
  });
});

describe('createInterpolator: entities and samples', () => {
  it('removes an entity cleanly: no further output, a later push starts it afresh', () => {
    const interpolator = createInterpolator();
    interpolator.push(1, sample(0, 0));
    interpolator.push(2, sample(0, 5));
    expect(interpolator.remove(1)).toBe(true);
    expect(interpolator.remove(1)).toBe(false);
    expect(interpolator.has(1)).toBe(false);
    expect(interpolator.sampleEntity(1, 0)).toBeUndefined();
    expect(interpolator.sample(0).map((s) => s.entityId)).toEqual([2]);
    expect(interpolator.entityIds()).toEqual([2]);
    expect(interpolator.size).toBe(1);
    expect(interpolator.bufferedSamples(1)).toBe(0);
    interpolator.clear();
    expect(interpolator.sample(0)).toEqual([]);
  });

  it('puts out-of-order samples in time order and drops duplicates and too-old ones', () => {
    const interpolator = createInterpolator();
    expect(interpolator.push(1, sample(0, 0))).toBe('appended');
    expect(interpolator.push(1, sample(200, 20))).toBe('appended');
    expect(interpolator.push(1, sample(100, 50))).toBe('inserted'); // late, but in the window
    expect(interpolator.push(1, sample(100, 99))).toBe('duplicate');
    expect(interpolator.sampleEntity(1, 50)?.position.x).toBe(25);
    expect(interpolator.sampleEntity(1, 150)?.position.x).toBe(35);
    // Sampling at 150 pruned nothing it still needs; 0 and 100 are kept, anything older is refused.
    expect(interpolator.push(1, sample(-10, 0))).toBe('too-old');
  });

  it('does not create an entity from an invalid sample', () => {
    const interpolator = createInterpolator();
    expect(interpolator.push(1, sample(Number.NaN, 0))).toBe('invalid');
    expect(interpolator.has(1)).toBe(false);
  });

  it('bounds the buffer at maxSamplesPerEntity and prunes what the render time has passed', () => {
    const interpolator = createInterpolator({ maxSamplesPerEntity: 4 });
    for (let i = 0; i < 100; i++) interpolator.push(1, sample(i * 50, i));
    expect(interpolator.bufferedSamples(1)).toBe(4);
    expect(interpolator.sampleEntity(1, 4800)).toMatchObject({ status: 'interpolated', position: { x: 96 } });
    // Pruning keeps the sample at or before the render time and the one before it.
    expect(interpolator.sampleEntity(1, 4925)?.position.x).toBe(98.5);
    expect(interpolator.bufferedSamples(1)).toBe(3);
    interpolator.sampleEntity(1, 10_000);
    expect(interpolator.bufferedSamples(1)).toBe(2);
  });

  it('returns fresh objects the caller may mutate', () => {
    const interpolator = createInterpolator();
    interpolator.push(1, sample(0, 1));
    const first = interpolator.sampleEntity(1, 0);
    if (first !== undefined) first.position.x = 99;
    expect(interpolator.sampleEntity(1, 0)?.position.x).toBe(1);
  });

  it('throws INVALID_ARGUMENT for a render time that is not finite', () => {
    const interpolator = createInterpolator();
    interpolator.push(1, sample(0, 1));
    for (const t of [Number.NaN, Number.POSITIVE_INFINITY]) {
      let caught: unknown;
      try {
        interpolator.sample(t);
      } catch (error) {
        caught = error;
      }
      expect(isMmoError(caught) && caught.code).toBe('INVALID_ARGUMENT');
    }
  });
});
