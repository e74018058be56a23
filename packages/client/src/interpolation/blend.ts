/**
 * Blending primitives of the interpolator: linear and cubic Hermite position, shortest-path slerp.
 * Pure functions over plain `{ x, y, z }` / `{ x, y, z, w }` objects; each returns a new object.
 */
import type { QuaternionLike, Vector3Like } from '@mmo/protocol';

/**
 * Below this |cos θ| distance from 1 the two rotations are treated as parallel and blended with a
 * normalised lerp: sin θ is then too small to divide by without losing most of the digits.
 */
const SLERP_NLERP_THRESHOLD = 1e-6;

/** Milliseconds per second: sample velocities are per second, timestamps are in ms. */
export const MS_PER_SECOND = 1000;

/** `a + (b - a) * s` on one axis, clamped to [min(a, b), max(a, b)]. */
function lerpClamped(a: number, b: number, s: number): number {
  const value = a + (b - a) * s;
  // Rounding of (b - a) can carry the result a few ulps past b when s is near 1; the clamp keeps
  // linear output inside the segment, i.e. inside the convex hull of the samples.
  return a <= b ? Math.min(Math.max(value, a), b) : Math.min(Math.max(value, b), a);
}

/** The point a fraction `s` (0..1) of the way from `a` to `b`, never outside the segment. */
export function lerpVector(a: Readonly<Vector3Like>, b: Readonly<Vector3Like>, s: number): Vector3Like {
  return { x: lerpClamped(a.x, b.x, s), y: lerpClamped(a.y, b.y, s), z: lerpClamped(a.z, b.z, s) };
}

/**
 * Cubic Hermite position between `p0` (velocity `v0`) and `p1` (velocity `v1`), `s` in 0..1 of a
 * segment lasting `durationS` seconds. It passes through both points with the given velocities as
 * its derivatives there, so a moving entity keeps its speed through each snapshot instead of
 * changing direction abruptly at each one.
 */
export function hermiteVector(
  p0: Readonly<Vector3Like>,
  v0: Readonly<Vector3Like>,
  p1: Readonly<Vector3Like>,
  v1: Readonly<Vector3Like>,
  s: number,
  durationS: number,
): Vector3Like {
  const s2 = s * s;
  const s3 = s2 * s;
  const h00 = 2 * s3 - 3 * s2 + 1;
  const h10 = (s3 - 2 * s2 + s) * durationS;
  const h01 = -2 * s3 + 3 * s2;
  const h11 = (s3 - s2) * durationS;
  return {
    x: h00 * p0.x + h10 * v0.x + h01 * p1.x + h11 * v1.x,
    y: h00 * p0.y + h10 * v0.y + h01 * p1.y + h11 * v1.y,
    z: h00 * p0.z + h10 * v0.z + h01 * p1.z + h11 * v1.z,
  };
}

/** Derivative of {@link hermiteVector} with respect to time, in units per second. */
export function hermiteVelocity(
  p0: Readonly<Vector3Like>,
  v0: Readonly<Vector3Like>,
  p1: Readonly<Vector3Like>,
  v1: Readonly<Vector3Like>,
  s: number,
  durationS: number,
): Vector3Like {
  const s2 = s * s;
  // d/ds of the basis divided by the segment duration turns "per segment" into "per second".
  const d00 = (6 * s2 - 6 * s) / durationS;
  const d10 = 3 * s2 - 4 * s + 1;
  const d01 = (-6 * s2 + 6 * s) / durationS;
  const d11 = 3 * s2 - 2 * s;
  return {
    x: d00 * p0.x + d10 * v0.x + d01 * p1.x + d11 * v1.x,
    y: d00 * p0.y + d10 * v0.y + d01 * p1.y + d11 * v1.y,
    z: d00 * p0.z + d10 * v0.z + d01 * p1.z + d11 * v1.z,
  };
}

/** `q` scaled to unit length; `undefined` for a zero or non-finite quaternion. */
export function normalizeQuaternion(q: Readonly<QuaternionLike>): QuaternionLike | undefined {
  const length = Math.hypot(q.x, q.y, q.z, q.w);
  if (!(length > 0) || !Number.isFinite(length)) return undefined;
  return { x: q.x / length, y: q.y / length, z: q.z / length, w: q.w / length };
}

/**
 * Spherical linear interpolation from `a` to `b` along the shorter arc (q and -q are the same
 * rotation, so `b` is negated when the two point into opposite hemispheres). `t` in 0..1
 * interpolates; `t` > 1 keeps turning at the same rate about the same axis (extrapolation). The
 * inputs need not be normalised; the result always is.
 * @example
 * slerpQuaternion(identity, yaw90, 0.5); // a 45° yaw
 */
export function slerpQuaternion(a: Readonly<QuaternionLike>, b: Readonly<QuaternionLike>, t: number): QuaternionLike {
  const na = normalizeQuaternion(a) ?? { x: 0, y: 0, z: 0, w: 1 };
  const nb = normalizeQuaternion(b) ?? { x: 0, y: 0, z: 0, w: 1 };
  let cos = na.x * nb.x + na.y * nb.y + na.z * nb.z + na.w * nb.w;
  let sign = 1;
  if (cos < 0) {
    cos = -cos;
    sign = -1;
  }
  let wa: number;
  let wb: number;
  if (cos > 1 - SLERP_NLERP_THRESHOLD) {
    wa = 1 - t;
    wb = t;
  } else {
    const theta = Math.acos(Math.min(cos, 1));
    const sin = Math.sin(theta);
    wa = Math.sin((1 - t) * theta) / sin;
    wb = Math.sin(t * theta) / sin;
  }
  wb *= sign;
  const blended = {
    x: wa * na.x + wb * nb.x,
    y: wa * na.y + wb * nb.y,
    z: wa * na.z + wb * nb.z,
    w: wa * na.w + wb * nb.w,
  };
  return normalizeQuaternion(blended) ?? na;
}
