import { quaternionAngleRad } from '@mmo/protocol';
import { describe, expect, it } from 'vitest';
import { hermiteVector, hermiteVelocity, lerpVector, normalizeQuaternion, slerpQuaternion } from './blend.js';

const identity = { x: 0, y: 0, z: 0, w: 1 };
/** A rotation of `rad` about the vertical (y) axis. */
const yaw = (rad: number) => ({ x: 0, y: Math.sin(rad / 2), z: 0, w: Math.cos(rad / 2) });
const norm4 = (q: { x: number; y: number; z: number; w: number }) => Math.hypot(q.x, q.y, q.z, q.w);

describe('lerpVector', () => {
  it('gives the exact midpoint and stays on the segment', () => {
    expect(lerpVector({ x: 0, y: 10, z: -4 }, { x: 10, y: 20, z: 4 }, 0.5)).toEqual({ x: 5, y: 15, z: 0 });
    // Unclamped, a + (b - a) * 1 rounds to -225.79162170488598 here: past b, outside the segment.
    const a = 14846.515660450304;
    const b = -225.7916217048856;
    expect(lerpVector({ x: a, y: 0, z: 0 }, { x: b, y: 0, z: 0 }, 1).x).toBe(b);
  });
});

describe('hermiteVector', () => {
  const p0 = { x: 0, y: 1, z: 2 };
  const v0 = { x: 3, y: 0, z: -1 };
  const p1 = { x: 1, y: 4, z: 2 };
  const v1 = { x: -2, y: 5, z: 0.5 };
  const durationS = 0.05;

  it('passes through both endpoints', () => {
    expect(hermiteVector(p0, v0, p1, v1, 0, durationS)).toEqual(p0);
    const end = hermiteVector(p0, v0, p1, v1, 1, durationS);
    expect(end.x).toBeCloseTo(p1.x, 12);
    expect(end.y).toBeCloseTo(p1.y, 12);
    expect(end.z).toBeCloseTo(p1.z, 12);
  });

  it('has the sample velocities as its tangents (analytic and finite difference)', () => {
    expect(hermiteVelocity(p0, v0, p1, v1, 0, durationS)).toEqual(v0);
    const atEnd = hermiteVelocity(p0, v0, p1, v1, 1, durationS);
    expect(atEnd.x).toBeCloseTo(v1.x, 9);
    expect(atEnd.y).toBeCloseTo(v1.y, 9);
    expect(atEnd.z).toBeCloseTo(v1.z, 9);
    // Finite difference over a tiny step of s, converted to units per second.
    const h = 1e-6;
    const a = hermiteVector(p0, v0, p1, v1, 0, durationS);
    const b = hermiteVector(p0, v0, p1, v1, h, durationS);
    expect((b.x - a.x) / (h * durationS)).toBeCloseTo(v0.x, 3);
    const c = hermiteVector(p0, v0, p1, v1, 1 - h, durationS);
    const d = hermiteVector(p0, v0, p1, v1, 1, durationS);
    expect((d.y - c.y) / (h * durationS)).toBeCloseTo(v1.y, 3);
  });

  it('is the straight line when the velocities match the segment', () => {
    const v = { x: 20, y: 60, z: 0 }; // (p1 - p0) / 0.05 s
    const mid = hermiteVector(p0, v, p1, v, 0.5, durationS);
    expect(mid.x).toBeCloseTo(0.5, 12);
    expect(mid.y).toBeCloseTo(2.5, 12);
  });
});

describe('slerpQuaternion', () => {
  it('turns a 90° yaw into 45° at the midpoint', () => {
    const mid = slerpQuaternion(identity, yaw(Math.PI / 2), 0.5);
    expect(quaternionAngleRad(identity, mid)).toBeCloseTo(Math.PI / 4, 12);
    expect(quaternionAngleRad(mid, yaw(Math.PI / 2))).toBeCloseTo(Math.PI / 4, 12);
    expect(quaternionAngleRad(mid, yaw(Math.PI / 4))).toBeCloseTo(0, 7);
    expect(norm4(mid)).toBeCloseTo(1, 14);
  });

  it('takes the short way round when the second quaternion is in the other hemisphere', () => {
    const b = yaw(Math.PI / 2);
    const negated = { x: -b.x, y: -b.y, z: -b.z, w: -b.w };
    const mid = slerpQuaternion(identity, negated, 0.5);
    expect(quaternionAngleRad(identity, mid)).toBeCloseTo(Math.PI / 4, 12);
  });

  it('normalises its inputs and its output', () => {
    const mid = slerpQuaternion({ x: 0, y: 0, z: 0, w: 3 }, { ...yaw(Math.PI / 2), w: Math.cos(Math.PI / 4) * 7, y: Math.sin(Math.PI / 4) * 7 }, 0.5);
    expect(norm4(mid)).toBeCloseTo(1, 14);
    expect(quaternionAngleRad(identity, mid)).toBeCloseTo(Math.PI / 4, 12);
  });

  it('blends nearly equal rotations without dividing by a tiny sine', () => {
    const mid = slerpQuaternion(identity, yaw(1e-9), 0.5);
    expect(Number.isFinite(mid.w)).toBe(true);
    expect(norm4(mid)).toBeCloseTo(1, 14);
  });

  it('keeps turning at the same rate for t > 1', () => {
    const q = slerpQuaternion(identity, yaw(Math.PI / 8), 3);
    expect(quaternionAngleRad(q, yaw((3 * Math.PI) / 8))).toBeCloseTo(0, 7);
  });
});

describe('normalizeQuaternion', () => {
  it('refuses a zero or non-finite quaternion', () => {
    expect(normalizeQuaternion({ x: 0, y: 0, z: 0, w: 0 })).toBeUndefined();
    expect(normalizeQuaternion({ x: Number.NaN, y: 0, z: 0, w: 1 })).toBeUndefined();
    expect(normalizeQuaternion({ x: Number.POSITIVE_INFINITY, y: 0, z: 0, w: 1 })).toBeUndefined();
  });
});
