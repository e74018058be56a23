import { ProtocolError, ProtocolErrorCode } from '../errors.js';
import type { BitReader } from './bit-reader.js';
import type { BitWriter } from './bit-writer.js';
import { bitsForPrecision, dequantizeFloat, quantizationStep, quantizeChecked } from './quantize.js';

/** A 3-D vector as plain `{ x, y, z }`; any object with these number fields will do. */
export interface Vector3Like {
  x: number;
  y: number;
  z: number;
}

/** Options of {@link createVectorQuantizer}. */
export interface VectorQuantizerOptions {
  /** Smallest representable value per axis; smaller values are clamped to it. */
  min: Readonly<Vector3Like>;
  /** Largest representable value per axis (each strictly above `min`); larger values are clamped. */
  max: Readonly<Vector3Like>;
  /**
   * Largest absolute round-trip error allowed on each axis, in the units of `min` and `max`
   * (world units, e.g. metres for positions or metres per second for velocities).
   * @default 0.01
   */
  precision?: number;
  /**
   * Name of the quantized quantity in error messages (e.g. `'position'`).
   * @default 'vector'
   */
  label?: string;
}

/** Defaults of the optional {@link VectorQuantizerOptions}. */
export const vectorQuantizerDefaults: Readonly<Required<Pick<VectorQuantizerOptions, 'precision' | 'label'>>> =
  Object.freeze({
    // 1 cm when the world unit is the metre: below what a player notices at typical camera distances.
    precision: 0.01,
    label: 'vector',
  });

/**
 * Writes and reads a 3-D vector as three quantized fields (x, then y, then z), each with the bit
 * count its range and the precision need. Made by {@link createVectorQuantizer}.
 */
export interface VectorQuantizer {
  /** Per-axis lower bounds, as given. */
  readonly min: Readonly<Vector3Like>;
  /** Per-axis upper bounds, as given. */
  readonly max: Readonly<Vector3Like>;
  /** The requested precision (largest round-trip error per axis). */
  readonly precision: number;
  /** Bits of each axis field. */
  readonly bitsPerAxis: Readonly<Vector3Like>;
  /** Bits of one written vector: the sum of {@link bitsPerAxis}. */
  readonly totalBits: number;
  /** Actual largest round-trip error of each axis (half a quantization step), at most `precision`. */
  readonly maxError: Readonly<Vector3Like>;
  /**
   * Appends x, y and z, each clamped to its range. Throws `VALUE_OUT_OF_RANGE`, before writing
   * anything, for NaN (naming the axis) or when the writer has no room left.
   */
  write(writer: BitWriter, value: Readonly<Vector3Like>): void;
  /** Reads a vector written by {@link write}; throws `BITSTREAM_OVERRUN` if the bits run out. */
  read(reader: BitReader): Vector3Like;
  /**
   * The integers {@link write} would send for x, y and z (each in `0..2^bitsPerAxis - 1`), written
   * into `out`. Same errors as `write`; used by delta encoders that compare vectors exactly.
   */
  quantize(value: Readonly<Vector3Like>, out?: number[]): number[];
  /** The vector that quantized `qx, qy, qz` stand for (what {@link read} returns for them). */
  dequantize(qx: number, qy: number, qz: number): Vector3Like;
}

const AXES = ['x', 'y', 'z'] as const;

function outOfRange(label: string, message: string, cause?: unknown): ProtocolError {
  return new ProtocolError(
    ProtocolErrorCode.VALUE_OUT_OF_RANGE,
    `${label}: ${message}`,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Builds a {@link VectorQuantizer} for a box [min, max] and a precision, choosing per axis the
 * fewest bits whose round-trip error is at most `precision` (see `bitsForPrecision`).
 * Throws `VALUE_OUT_OF_RANGE` naming the field when min/max are not finite with min < max on every
 * axis, when precision is not a positive finite number, or when an axis would need over 32 bits.
 *
 * @example
 * ```ts
 * const position = createVectorQuantizer({
 *   min: { x: -4096, y: -512, z: -4096 },
 *   max: { x: 4096, y: 512, z: 4096 },
 *   precision: 0.01,
 * });
 * position.bitsPerAxis; // { x: 19, y: 16, z: 19 }
 * position.write(writer, { x: 12.345, y: 1.8, z: -300 });
 * ```
 */
export function createVectorQuantizer(options: VectorQuantizerOptions): VectorQuantizer {
  const label = options.label ?? vectorQuantizerDefaults.label;
  const precision = options.precision ?? vectorQuantizerDefaults.precision;
  const min = Object.freeze({ x: options.min.x, y: options.min.y, z: options.min.z });
  const max = Object.freeze({ x: options.max.x, y: options.max.y, z: options.max.z });
  if (!Number.isFinite(precision) || !(precision > 0)) {
    throw outOfRange(label, `precision must be a positive finite number, got ${String(precision)}`);
  }
  for (const axis of AXES) {
    const lo = min[axis];
    const hi = max[axis];
    if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(lo < hi) || !Number.isFinite(hi - lo)) {
      throw outOfRange(
        label,
        `min.${axis} (${String(lo)}) and max.${axis} (${String(hi)}) must be finite with min.${axis} < max.${axis}`,
      );
    }
  }
  const bitsOf = (axis: (typeof AXES)[number]): number => {
    try {
      return bitsForPrecision(min[axis], max[axis], precision);
    } catch (error) {
      throw outOfRange(
        label,
        `precision ${precision} over ${axis} range [${min[axis]}, ${max[axis]}] needs more than 32 bits`,
        error,
      );
    }
  };
  const bitsPerAxis = Object.freeze({ x: bitsOf('x'), y: bitsOf('y'), z: bitsOf('z') });
  const errorOf = (axis: (typeof AXES)[number]): number =>
    quantizationStep(min[axis], max[axis], bitsPerAxis[axis]) / 2;
  const maxError = Object.freeze({ x: errorOf('x'), y: errorOf('y'), z: errorOf('z') });

  const levels = Object.freeze({ x: 2 ** bitsPerAxis.x - 1, y: 2 ** bitsPerAxis.y - 1, z: 2 ** bitsPerAxis.z - 1 });
  // Per-axis constants in locals: this runs three times per entity per tick.
  const minX = min.x, maxX = max.x, levelsX = levels.x;
  const minY = min.y, maxY = max.y, levelsY = levels.y;
  const minZ = min.z, maxZ = max.z, levelsZ = levels.z;
  const notANumber = (value: unknown, axis: string): ProtocolError => outOfRange(label, `${axis} is ${String(value)}, not a number`);
  const quantizeAxis = (value: number, axis: (typeof AXES)[number]): number => {
    if (typeof value !== 'number' || Number.isNaN(value)) throw notANumber(value, axis);
    return axis === 'x'
      ? quantizeChecked(value, minX, maxX, levelsX)
      : axis === 'y'
        ? quantizeChecked(value, minY, maxY, levelsY)
        : quantizeChecked(value, minZ, maxZ, levelsZ);
  };

  return Object.freeze({
    min,
    max,
    precision,
    bitsPerAxis,
    totalBits: bitsPerAxis.x + bitsPerAxis.y + bitsPerAxis.z,
    maxError,
    quantize(value: Readonly<Vector3Like>, out: number[] = [0, 0, 0]): number[] {
      // All three before storing any, so a NaN on z leaves `out` as it was.
      const { x, y, z } = value;
      if (typeof x !== 'number' || Number.isNaN(x)) throw notANumber(x, 'x');
      if (typeof y !== 'number' || Number.isNaN(y)) throw notANumber(y, 'y');
      if (typeof z !== 'number' || Number.isNaN(z)) throw notANumber(z, 'z');
      out[0] = quantizeChecked(x, minX, maxX, levelsX);
      out[1] = quantizeChecked(y, minY, maxY, levelsY);
      out[2] = quantizeChecked(z, minZ, maxZ, levelsZ);
      return out;
    },
    dequantize(qx: number, qy: number, qz: number): Vector3Like {
      return {
        x: dequantizeFloat(qx, min.x, max.x, bitsPerAxis.x),
        y: dequantizeFloat(qy, min.y, max.y, bitsPerAxis.y),
        z: dequantizeFloat(qz, min.z, max.z, bitsPerAxis.z),
      };
    },
    write(writer: BitWriter, value: Readonly<Vector3Like>): void {
      // Quantize all three first so that a NaN on z does not leave x and y written.
      const qx = quantizeAxis(value.x, 'x');
      const qy = quantizeAxis(value.y, 'y');
      const qz = quantizeAxis(value.z, 'z');
      writer.reserveBits(bitsPerAxis.x + bitsPerAxis.y + bitsPerAxis.z);
      writer.writeBits(qx, bitsPerAxis.x);
      writer.writeBits(qy, bitsPerAxis.y);
      writer.writeBits(qz, bitsPerAxis.z);
    },
    read(reader: BitReader): Vector3Like {
      // Evaluation order is x, y, z: the object literal reads its properties in source order.
      return {
        x: dequantizeFloat(reader.readBits(bitsPerAxis.x), min.x, max.x, bitsPerAxis.x),
        y: dequantizeFloat(reader.readBits(bitsPerAxis.y), min.y, max.y, bitsPerAxis.y),
        z: dequantizeFloat(reader.readBits(bitsPerAxis.z), min.z, max.z, bitsPerAxis.z),
      };
    },
  });
}
