import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isProtocolError, ProtocolErrorCode } from '../errors.js';
import { bitsForPrecision, dequantizeFloat, quantizationStep, quantizeFloat } from './quantize.js';

function expectOutOfRange(fn: () => unknown): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(isProtocolError(thrown, ProtocolErrorCode.VALUE_OUT_OF_RANGE), String(thrown)).toBe(true);
}

/** A range [min, max] with min in ±1e6 and a span in [1e-3, 1e6], plus a bit count in 1..32. */
const rangeAndBits = fc.record({
  min: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
  span: fc.double({ min: 1e-3, max: 1e6, noNaN: true }),
  bits: fc.integer({ min: 1, max: 32 }),
});

describe('quantizeFloat / dequantizeFloat', () => {
  it('maps the ends exactly and rounds ties up', () => {
    expect(quantizeFloat(0.5, 0, 1, 8)).toBe(128);
    expect(quantizeFloat(-4096, -4096, 4096, 19)).toBe(0);
    expect(quantizeFloat(4096, -4096, 4096, 19)).toBe(2 ** 19 - 1);
    expect(dequantizeFloat(0, -4096, 4096, 19)).toBe(-4096);
    expect(dequantizeFloat(2 ** 19 - 1, -4096, 4096, 19)).toBe(4096);
    expect(dequantizeFloat(2 ** 32 - 1, -0.1, 0.3, 32)).toBe(0.3);
    expect(quantizeFloat(1, 0, 1, 32)).toBe(2 ** 32 - 1);
  });

  it('clamps values outside the range, infinities included', () => {
    expect(quantizeFloat(-5000, -4096, 4096, 19)).toBe(0);
    expect(quantizeFloat(5000, -4096, 4096, 19)).toBe(2 ** 19 - 1);
    expect(quantizeFloat(Number.NEGATIVE_INFINITY, 0, 1, 8)).toBe(0);
    expect(quantizeFloat(Number.POSITIVE_INFINITY, 0, 1, 8)).toBe(255);
  });

  it('round-trips any value in range within half a step', () => {
    fc.assert(
      fc.property(rangeAndBits, fc.double({ min: 0, max: 1, noNaN: true }), ({ min, span, bits }, t) => {
        const max = min + span;
        fc.pre(min < max);
        const value = Math.min(max, min + t * span);
        const quantized = quantizeFloat(value, min, max, bits);
        expect(Number.isInteger(quantized)).toBe(true);
        expect(quantized).toBeGreaterThanOrEqual(0);
        expect(quantized).toBeLessThanOrEqual(2 ** bits - 1);
        const error = Math.abs(dequantizeFloat(quantized, min, max, bits) - value);
        // Half a step, plus a few ulps of the operands for float arithmetic.
        const epsilon = 8 * Number.EPSILON * Math.max(Math.abs(min), Math.abs(max));
        expect(error).toBeLessThanOrEqual(quantizationStep(min, max, bits) / 2 + epsilon);
      }),
      { numRuns: 2000 },
    );
  });

  it('is idempotent: a decoded value quantizes to the same level', () => {
    fc.assert(
      fc.property(rangeAndBits, fc.integer({ min: 0, max: 2 ** 32 - 1 }), ({ min, span, bits }, raw) => {
        const max = min + span;
        fc.pre(min < max);
        // Only meaningful while a step is well above the float64 resolution of the values.
        fc.pre(quantizationStep(min, max, bits) > 1024 * Number.EPSILON * Math.max(Math.abs(min), Math.abs(max)));
        const level = raw % 2 ** bits;
        expect(quantizeFloat(dequantizeFloat(level, min, max, bits), min, max, bits)).toBe(level);
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects NaN, bad ranges, bad bit counts and levels out of range', () => {
    expectOutOfRange(() => quantizeFloat(Number.NaN, 0, 1, 8));
    expectOutOfRange(() => quantizeFloat(undefined as unknown as number, 0, 1, 8));
    for (const [min, max] of [
      [1, 1],
      [2, 1],
      [Number.NaN, 1],
      [0, Number.POSITIVE_INFINITY],
      [-Number.MAX_VALUE, Number.MAX_VALUE],
    ] as const) {
      expectOutOfRange(() => quantizeFloat(0, min, max, 8));
      expectOutOfRange(() => dequantizeFloat(0, min, max, 8));
      expectOutOfRange(() => quantizationStep(min, max, 8));
      expectOutOfRange(() => bitsForPrecision(min, max, 0.1));
    }
    for (const bits of [0, 33, 1.5, Number.NaN]) {
      expectOutOfRange(() => quantizeFloat(0, 0, 1, bits));
      expectOutOfRange(() => dequantizeFloat(0, 0, 1, bits));
    }
    for (const level of [-1, 256, 0.5, Number.NaN]) expectOutOfRange(() => dequantizeFloat(level, 0, 1, 8));
  });
});

describe('bitsForPrecision', () => {
  it('gives the bit counts of the default PackedMovement fields', () => {
    expect(bitsForPrecision(-4096, 4096, 0.01)).toBe(19);
    expect(bitsForPrecision(-512, 512, 0.01)).toBe(16);
    expect(bitsForPrecision(-20, 20, 0.01)).toBe(11);
    expect(bitsForPrecision(0, 1, 1)).toBe(1);
    // Exactly on the boundary: range 2^bits - 1 with precision 0.5 needs step 1, error 0.5.
    expect(bitsForPrecision(0, 1023, 0.5)).toBe(10);
  });

  it('returns the fewest bits whose half step is within the precision', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: 1e-3, max: 1e6, noNaN: true }),
        fc.double({ min: 1e-6, max: 1e3, noNaN: true }),
        (min, span, precision) => {
          const max = min + span;
          fc.pre(min < max && (max - min) / (2 ** 32 - 1) / 2 <= precision);
          const bits = bitsForPrecision(min, max, precision);
          expect(quantizationStep(min, max, bits) / 2).toBeLessThanOrEqual(precision);
          if (bits > 1) expect(quantizationStep(min, max, bits - 1) / 2).toBeGreaterThan(precision);
          // The closed form agrees except where float rounding lands on a boundary.
          const closedForm = Math.max(1, Math.ceil(Math.log2((max - min) / (2 * precision) + 1)));
          expect(Math.abs(bits - closedForm)).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('rejects a precision that is not positive or needs more than 32 bits', () => {
    for (const precision of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expectOutOfRange(() => bitsForPrecision(0, 1, precision));
    }
    expectOutOfRange(() => bitsForPrecision(-4096, 4096, 1e-9));
    expect(bitsForPrecision(-4096, 4096, 1e-6)).toBe(32);
  });
});
