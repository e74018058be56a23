/**
 * Uniform scalar quantization of a float range onto an n-bit unsigned integer.
 *
 * The range [min, max] is cut into 2^bits - 1 equal steps; the integer q in 0..2^bits-1 stands for
 * `min + q * step`, so both ends are exact. A value is mapped to the nearest level (ties round
 * up), so the round-trip error is at most half a step. Other-language clients must use the same
 * formulas: q = round((clamp(v, min, max) - min) / (max - min) * (2^bits - 1)) and
 * v' = min + q * (max - min) / (2^bits - 1).
 */
import { ProtocolError, ProtocolErrorCode } from '../errors.js';

/** Widest quantized field: BitWriter writes at most 32 bits per call. */
const MAX_QUANTIZED_BITS = 32;

function outOfRange(message: string): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.VALUE_OUT_OF_RANGE, message);
}

function checkBits(bits: number): void {
  if (!Number.isInteger(bits) || bits < 1 || bits > MAX_QUANTIZED_BITS) {
    throw outOfRange(`bits must be an integer in 1..${MAX_QUANTIZED_BITS}, got ${String(bits)}`);
  }
}

function checkRange(min: number, max: number): void {
  if (!Number.isFinite(min) || !Number.isFinite(max) || !(min < max) || !Number.isFinite(max - min)) {
    throw outOfRange(`range must be finite with min < max, got [${String(min)}, ${String(max)}]`);
  }
}

/**
 * The distance between two neighbouring levels, `(max - min) / (2^bits - 1)`. The largest
 * round-trip error of {@link quantizeFloat} then {@link dequantizeFloat} is half of it.
 * Throws `VALUE_OUT_OF_RANGE` for a bad range or bit count.
 */
export function quantizationStep(min: number, max: number, bits: number): number {
  checkRange(min, max);
  checkBits(bits);
  return (max - min) / (2 ** bits - 1);
}

/**
 * Maps `value` to the nearest of the 2^bits levels of [min, max] and returns its index, an integer
 * in 0..2^bits-1. Values outside the range (including ±Infinity) are clamped to it first.
 * Throws `VALUE_OUT_OF_RANGE` for NaN (or a non-number), a bad range or a bit count outside 1..32.
 *
 * @example
 * ```ts
 * quantizeFloat(0.5, 0, 1, 8); // 128 (nearest of 0..255 to 127.5, ties round up)
 * ```
 */
export function quantizeFloat(value: number, min: number, max: number, bits: number): number {
  checkRange(min, max);
  checkBits(bits);
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw outOfRange(`cannot quantize ${String(value)}: not a number`);
  }
  return quantizeChecked(value, min, max, 2 ** bits - 1);
}

/**
 * {@link quantizeFloat} without the argument checks, for quantizers that validated their range and
 * bits once at construction (`levels` = 2^bits - 1). Same arithmetic, so the same integers.
 * @internal
 */
export function quantizeChecked(value: number, min: number, max: number, levels: number): number {
  const clamped = value < min ? min : value > max ? max : value;
  const quantized = Math.round(((clamped - min) / (max - min)) * levels);
  // Float rounding may not push past `levels`, but guard so the result always fits in `bits`.
  return quantized > levels ? levels : quantized;
}

/**
 * The value level `quantized` of [min, max] stands for: `min + quantized * step`, exactly `max`
 * for the top level. Throws `VALUE_OUT_OF_RANGE` if `quantized` is not an integer in
 * 0..2^bits-1, for a bad range or a bit count outside 1..32.
 */
export function dequantizeFloat(quantized: number, min: number, max: number, bits: number): number {
  checkRange(min, max);
  checkBits(bits);
  const levels = 2 ** bits - 1;
  if (!Number.isInteger(quantized) || quantized < 0 || quantized > levels) {
    throw outOfRange(`quantized value ${String(quantized)} is not an integer in 0..${levels}`);
  }
  // Special-case the top so that max survives exactly (min + levels * step may be off by an ulp).
  return quantized === levels ? max : min + (quantized * (max - min)) / levels;
}

/**
 * The fewest bits whose round-trip error over [min, max] is at most `precision`.
 *
 * `precision` is the largest absolute round-trip error allowed, in the units of min and max. With
 * step = (max - min) / (2^bits - 1) and error <= step / 2, this is
 * `ceil(log2((max - min) / (2 * precision) + 1))`, found by direct search so that float rounding
 * in log2 can never pick one bit too few. At least 1.
 * Throws `VALUE_OUT_OF_RANGE` for a bad range, a precision that is not a positive finite number,
 * or one that needs more than 32 bits.
 *
 * @example
 * ```ts
 * bitsForPrecision(-4096, 4096, 0.01); // 19: step 8192 / 524287 ≈ 0.0156, error ≤ 0.0078
 * ```
 */
export function bitsForPrecision(min: number, max: number, precision: number): number {
  checkRange(min, max);
  if (!Number.isFinite(precision) || !(precision > 0)) {
    throw outOfRange(`precision must be a positive finite number, got ${String(precision)}`);
  }
  const range = max - min;
  for (let bits = 1; bits <= MAX_QUANTIZED_BITS; bits++) {
    if (range / (2 ** bits - 1) / 2 <= precision) return bits;
  }
  throw outOfRange(
    `precision ${precision} over a range of ${range} needs more than ${MAX_QUANTIZED_BITS} bits ` +
      `(best: ${range / (2 ** MAX_QUANTIZED_BITS - 1) / 2})`,
  );
}
