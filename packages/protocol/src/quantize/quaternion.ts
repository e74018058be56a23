/**
 * Smallest-three rotation compression.
 *
 * Wire layout (other-language clients must match it): 2 bits with the index of the component of
 * largest magnitude (0 = x, 1 = y, 2 = z, 3 = w), then the other three components in x, y, z, w
 * order, each quantized over [-1/√2, 1/√2] with `bitsPerComponent` bits (see `quantizeFloat`).
 *
 * Why it works: q and -q are the same rotation, so the encoder flips the sign to make the largest
 * component positive; the decoder rebuilds it as sqrt(1 - a² - b² - c²). A component that is not
 * the largest of a unit quaternion has magnitude at most 1/√2, hence the range.
 */
import { ProtocolError, ProtocolErrorCode } from '../errors.js';
import type { BitReader } from './bit-reader.js';
import type { BitWriter } from './bit-writer.js';
import { dequantizeFloat, quantizeChecked } from './quantize.js';

/** A rotation quaternion as plain `{ x, y, z, w }` (w is the scalar part). */
export interface QuaternionLike {
  x: number;
  y: number;
  z: number;
  w: number;
}

/** Options of {@link createQuaternionQuantizer}. */
export interface QuaternionQuantizerOptions {
  /**
   * Bits of each of the three transmitted components, 1..32. The encoded size is
   * `2 + 3 * bitsPerComponent` bits; the largest rotation error is {@link maxQuaternionErrorRad}.
   * @default 10
   */
  bitsPerComponent?: number;
}

/** Defaults of {@link QuaternionQuantizerOptions}. */
export const quaternionQuantizerDefaults: Readonly<Required<QuaternionQuantizerOptions>> = Object.freeze({
  // 10 bits: 32 bits per rotation, at most 0.275° of error, finer than a rendered character shows.
  bitsPerComponent: 10,
});

/** Bits of the index of the largest component. */
const INDEX_BITS = 2;
/** Largest magnitude of a component that is not the largest one of a unit quaternion. */
const COMPONENT_LIMIT = Math.SQRT1_2;
const MAX_BITS_PER_COMPONENT = 32;

/**
 * Writes and reads unit quaternions in smallest-three form. Made by {@link createQuaternionQuantizer}.
 */
export interface QuaternionQuantizer {
  /** Bits of each transmitted component. */
  readonly bitsPerComponent: number;
  /** Bits of one written rotation: `2 + 3 * bitsPerComponent`. */
  readonly totalBits: number;
  /** Guaranteed bound on the rotation angle between input and decoded output, in radians. */
  readonly maxAngularErrorRad: number;
  /**
   * Appends a rotation; the input need not be normalised. Throws `VALUE_OUT_OF_RANGE`, before
   * writing anything, for a zero-length, NaN or infinite quaternion (there is no rotation to send,
   * and replacing it with the identity would hide the bug that produced it), or when the writer
   * has no room left.
   */
  write(writer: BitWriter, rotation: Readonly<QuaternionLike>): void;
  /**
   * Reads a rotation written by {@link write}, always as a unit quaternion whose component at the
   * sent index is >= 0 (any bits decode to some rotation). Throws `BITSTREAM_OVERRUN` if the bits run out.
   */
  read(reader: BitReader): QuaternionLike;
  /**
   * The integers {@link write} would send: `[index, a, b, c]` (index of the largest component, then
   * the other three quantized), written into `out` when given. Same errors as `write` (and `out`
   * is left as it was); used by delta encoders that compare rotations exactly.
   */
  quantize(rotation: Readonly<QuaternionLike>, out?: [number, number, number, number]): [number, number, number, number];
  /** The unit quaternion that `[index, a, b, c]` stands for (what {@link read} returns for them). */
  dequantize(index: number, a: number, b: number, c: number): QuaternionLike;
}

/**
 * Upper bound on the rotation error of smallest-three with `bitsPerComponent` bits, in radians.
 *
 * Each sent component is off by at most δ = step / 2 = 1 / (√2 (2^bits - 1)), so the three of them
 * by |e| <= √3 δ. The rebuilt largest component l' = sqrt(1 - |a + e|²) differs from l by
 * D <= N / (l + sqrt(l² - N)) with N = 2 |a| |e| + |e|², which is worst at l = 1/2 (all four
 * components ±1/2, |a| = √3/2). Then the two unit quaternions are at most chord = sqrt(3δ² + D²)
 * apart, and the rotation angle is 4 asin(chord / 2) (twice the angle between the quaternions).
 * To first order this is 4√3 δ. Values: 8 bits 1.110°, 10 bits 0.2750° (0.00480 rad),
 * 12 bits 0.0686°, 16 bits 0.00428°. Below 4 bits the bound is the trivial π.
 */
export function maxQuaternionErrorRad(bitsPerComponent: number): number {
  checkBits(bitsPerComponent);
  // Half a step: the step is 2 * COMPONENT_LIMIT / (2^bits - 1).
  const delta = COMPONENT_LIMIT / (2 ** bitsPerComponent - 1);
  const e = Math.sqrt(3) * delta;
  const a = Math.sqrt(3) / 2;
  const l = 0.5;
  const n = 2 * a * e + e * e;
  // The derivation needs the rebuilt largest component to stay real (n <= l²) and |a + e| <= 1.
  if (n >= l * l || a + e >= 1) return Math.PI;
  const d = n / (l + Math.sqrt(l * l - n));
  const chord = Math.sqrt(e * e + d * d);
  return Math.min(Math.PI, 4 * Math.asin(chord / 2));
}

/**
 * The angle, in radians in [0, π], of the rotation that takes `a` to `b` (0 when they are the same
 * rotation, including b = -a). Neither needs to be normalised. Computed as 4 atan2(|a - b|, |a + b|)
 * after aligning signs, which stays accurate for tiny angles where 2 acos(|a·b|) loses digits.
 */
export function quaternionAngleRad(a: Readonly<QuaternionLike>, b: Readonly<QuaternionLike>): number {
  const na = Math.hypot(a.x, a.y, a.z, a.w);
  const nb = Math.hypot(b.x, b.y, b.z, b.w);
  const sign = a.x * b.x + a.y * b.y + a.z * b.z + a.w * b.w < 0 ? -1 : 1;
  const ax = a.x / na;
  const ay = a.y / na;
  const az = a.z / na;
  const aw = a.w / na;
  const bx = (sign * b.x) / nb;
  const by = (sign * b.y) / nb;
  const bz = (sign * b.z) / nb;
  const bw = (sign * b.w) / nb;
  const diff = Math.hypot(ax - bx, ay - by, az - bz, aw - bw);
  const sum = Math.hypot(ax + bx, ay + by, az + bz, aw + bw);
  return 4 * Math.atan2(diff, sum);
}

function checkBits(bits: number): void {
  if (!Number.isInteger(bits) || bits < 1 || bits > MAX_BITS_PER_COMPONENT) {
    throw new ProtocolError(
      ProtocolErrorCode.VALUE_OUT_OF_RANGE,
      `quaternion: bitsPerComponent must be an integer in 1..${MAX_BITS_PER_COMPONENT}, got ${String(bits)}`,
    );
  }
}

/**
 * Builds a {@link QuaternionQuantizer}. Throws `VALUE_OUT_OF_RANGE` if `bitsPerComponent` is not an
 * integer in 1..32.
 *
 * @example
 * ```ts
 * const rotation = createQuaternionQuantizer(); // 10 bits per component, 32 bits per rotation
 * rotation.write(writer, { x: 0, y: 0.7071068, z: 0, w: 0.7071068 });
 * const q = rotation.read(reader); // within rotation.maxAngularErrorRad of the input
 * ```
 */
export function createQuaternionQuantizer(options?: QuaternionQuantizerOptions): QuaternionQuantizer {
  const bits = options?.bitsPerComponent ?? quaternionQuantizerDefaults.bitsPerComponent;
  checkBits(bits);
  const levels = 2 ** bits - 1;
  const quantize = (c: number): number => quantizeChecked(c, -COMPONENT_LIMIT, COMPONENT_LIMIT, levels);
  const dequantize = (q: number): number => dequantizeFloat(q, -COMPONENT_LIMIT, COMPONENT_LIMIT, bits);

  const quantizeRotation = (
    rotation: Readonly<QuaternionLike>,
    out: [number, number, number, number] = [0, 0, 0, 0],
  ): [number, number, number, number] => {
    const { x, y, z, w } = rotation;
    // The plain sum of squares when it is safely in range (Math.hypot costs more than the rest of
    // this function); hypot for very large or very small unnormalised inputs, or NaN.
    const sq = x * x + y * y + z * z + w * w;
    const norm = sq > 1e-200 && sq < 1e200 ? Math.sqrt(sq) : Math.hypot(x, y, z, w);
    if (!(norm > 0) || !Number.isFinite(norm)) {
      throw new ProtocolError(
        ProtocolErrorCode.VALUE_OUT_OF_RANGE,
        `quaternion: cannot encode (${String(x)}, ${String(y)}, ${String(z)}, ${String(w)}): ` +
          'length must be finite and non-zero',
      );
    }
    // Components divided by the norm one at a time: this runs per entity per tick, so no arrays.
    const cx = x / norm;
    const cy = y / norm;
    const cz = z / norm;
    const cw = w / norm;
    let largest = 0;
    let big = Math.abs(cx);
    if (Math.abs(cy) > big) (largest = 1), (big = Math.abs(cy));
    if (Math.abs(cz) > big) (largest = 2), (big = Math.abs(cz));
    if (Math.abs(cw) > big) largest = 3;
    const sign = (largest === 0 ? cx : largest === 1 ? cy : largest === 2 ? cz : cw) < 0 ? -1 : 1;
    // The other three in x, y, z, w order.
    const a = largest === 0 ? cy : cx;
    const b = largest <= 1 ? cz : cy;
    const c = largest <= 2 ? cw : cz;
    out[0] = largest;
    out[1] = quantize(sign * a);
    out[2] = quantize(sign * b);
    out[3] = quantize(sign * c);
    return out;
  };
  const dequantizeRotation = (largest: number, qa: number, qb: number, qc: number): QuaternionLike => {
    if (!Number.isInteger(largest) || largest < 0 || largest > 3) {
      throw new ProtocolError(ProtocolErrorCode.VALUE_OUT_OF_RANGE, `quaternion: index ${String(largest)} is not in 0..3`);
    }
    const a = dequantize(qa);
    const b = dequantize(qb);
    const c = dequantize(qc);
    const sumOfSquares = a * a + b * b + c * c;
    // Clamp at 0: hostile or rounded input may give a sum above 1.
    const l = Math.sqrt(Math.max(0, 1 - sumOfSquares));
    // Normalise so that even such input decodes to a unit quaternion; a no-op (to an ulp) otherwise.
    const n = Math.sqrt(sumOfSquares + l * l);
    switch (largest) {
      case 0:
        return { x: l / n, y: a / n, z: b / n, w: c / n };
      case 1:
        return { x: a / n, y: l / n, z: b / n, w: c / n };
      case 2:
        return { x: a / n, y: b / n, z: l / n, w: c / n };
      default:
        return { x: a / n, y: b / n, z: c / n, w: l / n };
    }
  };

  return Object.freeze({
    bitsPerComponent: bits,
    totalBits: INDEX_BITS + 3 * bits,
    maxAngularErrorRad: maxQuaternionErrorRad(bits),
    quantize: quantizeRotation,
    dequantize: dequantizeRotation,
    write(writer: BitWriter, rotation: Readonly<QuaternionLike>): void {
      // Quantize first, write after: nothing is written if anything fails.
      const [largest, q0, q1, q2] = quantizeRotation(rotation);
      writer.reserveBits(INDEX_BITS + 3 * bits);
      writer.writeBits(largest, INDEX_BITS);
      writer.writeBits(q0, bits);
      writer.writeBits(q1, bits);
      writer.writeBits(q2, bits);
    },
    read(reader: BitReader): QuaternionLike {
      const largest = reader.readBits(INDEX_BITS);
      const a = reader.readBits(bits);
      const b = reader.readBits(bits);
      return dequantizeRotation(largest, a, b, reader.readBits(bits));
    },
  });
}
