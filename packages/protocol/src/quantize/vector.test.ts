import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isProtocolError, ProtocolError, ProtocolErrorCode, type ProtocolErrorCodeName } from '../errors.js';
import { BitReader } from './bit-reader.js';
import { BitWriter } from './bit-writer.js';
import { createVectorQuantizer, type Vector3Like } from './vector.js';

function expectProtocolError(fn: () => unknown, code: ProtocolErrorCodeName): ProtocolError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(isProtocolError(thrown, code), String(thrown)).toBe(true);
  return thrown as ProtocolError;
}

const world = {
  min: { x: -4096, y: -512, z: -4096 },
  max: { x: 4096, y: 512, z: 4096 },
};

function roundTrip(quantizer: ReturnType<typeof createVectorQuantizer>, value: Vector3Like): Vector3Like {
  const writer = new BitWriter();
  quantizer.write(writer, value);
  expect(writer.bitLength).toBe(quantizer.totalBits);
  return quantizer.read(new BitReader(writer.finish()));
}

describe('createVectorQuantizer', () => {
  it('chooses per-axis bits from range and precision (default precision 0.01)', () => {
    const quantizer = createVectorQuantizer(world);
    expect(quantizer.precision).toBe(0.01);
    expect(quantizer.bitsPerAxis).toEqual({ x: 19, y: 16, z: 19 });
    expect(quantizer.totalBits).toBe(54);
    expect(quantizer.maxError.x).toBeCloseTo(8192 / (2 ** 19 - 1) / 2, 15);
    expect(quantizer.maxError.y).toBeCloseTo(1024 / (2 ** 16 - 1) / 2, 15);
    for (const axis of ['x', 'y', 'z'] as const) expect(quantizer.maxError[axis]).toBeLessThanOrEqual(0.01);
  });

  it('round-trips points of the box within maxError (<= precision) on every axis', () => {
    const quantizer = createVectorQuantizer({ ...world, precision: 0.005 });
    const point = fc.record({
      x: fc.double({ min: -4096, max: 4096, noNaN: true }),
      y: fc.double({ min: -512, max: 512, noNaN: true }),
      z: fc.double({ min: -4096, max: 4096, noNaN: true }),
    });
    fc.assert(
      fc.property(point, (value) => {
        const decoded = roundTrip(quantizer, value);
        for (const axis of ['x', 'y', 'z'] as const) {
          expect(Math.abs(decoded[axis] - value[axis])).toBeLessThanOrEqual(quantizer.maxError[axis] + 1e-9);
          expect(quantizer.maxError[axis]).toBeLessThanOrEqual(0.005);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips within precision for random boxes and precisions', () => {
    const coordinate = fc.double({ min: -1e4, max: 1e4, noNaN: true });
    const fraction = fc.double({ min: 0, max: 1, noNaN: true });
    const options = fc.record({
      min: fc.record({ x: coordinate, y: coordinate, z: coordinate }),
      span: fc.double({ min: 0.01, max: 1e4, noNaN: true }),
      precision: fc.double({ min: 1e-4, max: 10, noNaN: true }),
      t: fc.record({ x: fraction, y: fraction, z: fraction }),
    });
    fc.assert(
      fc.property(options, ({ min, span, precision, t }) => {
        const max = { x: min.x + span, y: min.y + span * 0.5, z: min.z + span * 2 };
        const quantizer = createVectorQuantizer({ min, max, precision });
        const value = {
          x: Math.min(max.x, min.x + t.x * (max.x - min.x)),
          y: Math.min(max.y, min.y + t.y * (max.y - min.y)),
          z: Math.min(max.z, min.z + t.z * (max.z - min.z)),
        };
        const decoded = roundTrip(quantizer, value);
        for (const axis of ['x', 'y', 'z'] as const) {
          expect(Math.abs(decoded[axis] - value[axis])).toBeLessThanOrEqual(precision + 1e-9);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('clamps points outside the box to its faces', () => {
    const quantizer = createVectorQuantizer(world);
    expect(roundTrip(quantizer, { x: -1e9, y: 1e9, z: Number.POSITIVE_INFINITY })).toEqual({
      x: -4096,
      y: 512,
      z: 4096,
    });
  });

  it('writes several vectors back to back with no padding between them', () => {
    const quantizer = createVectorQuantizer({ min: { x: 0, y: 0, z: 0 }, max: { x: 1, y: 1, z: 1 }, precision: 0.5 });
    expect(quantizer.bitsPerAxis).toEqual({ x: 1, y: 1, z: 1 });
    const writer = new BitWriter();
    quantizer.write(writer, { x: 1, y: 0, z: 1 });
    quantizer.write(writer, { x: 0, y: 1, z: 1 });
    expect([...writer.finish()]).toEqual([0b1010_1100]);
  });

  it('names the field of an invalid option', () => {
    const cases: Array<[Parameters<typeof createVectorQuantizer>[0], RegExp]> = [
      [{ ...world, min: { ...world.min, x: 4096 } }, /min\.x \(4096\).*max\.x \(4096\)/],
      [{ ...world, max: { ...world.max, y: -600 } }, /min\.y.*max\.y/],
      [{ ...world, min: { ...world.min, z: Number.NaN } }, /min\.z/],
      [{ ...world, precision: 0 }, /precision/],
      [{ ...world, precision: -1 }, /precision/],
      [{ ...world, precision: Number.NaN }, /precision/],
      [{ ...world, precision: 1e-9, label: 'position' }, /^position: precision 1e-9 over x range.*32 bits/],
    ];
    for (const [options, message] of cases) {
      const error = expectProtocolError(() => createVectorQuantizer(options), ProtocolErrorCode.VALUE_OUT_OF_RANGE);
      expect(error.message).toMatch(message);
    }
  });

  it('rejects NaN naming the axis and writes nothing, also when the writer is full', () => {
    const quantizer = createVectorQuantizer({ ...world, label: 'velocity' });
    const writer = new BitWriter();
    writer.writeBits(1, 1);
    const error = expectProtocolError(
      () => quantizer.write(writer, { x: 1, y: 2, z: Number.NaN }),
      ProtocolErrorCode.VALUE_OUT_OF_RANGE,
    );
    expect(error.message).toBe('velocity: z is NaN, not a number');
    expect(writer.bitLength).toBe(1);

    const small = new BitWriter({ maxBytes: 6 });
    small.writeBits(0, 1);
    expectProtocolError(() => quantizer.write(small, { x: 0, y: 0, z: 0 }), ProtocolErrorCode.VALUE_OUT_OF_RANGE);
    expect(small.bitLength).toBe(1);
  });

  it('throws BITSTREAM_OVERRUN when the bits run out', () => {
    const quantizer = createVectorQuantizer(world);
    expectProtocolError(() => quantizer.read(new BitReader(new Uint8Array(6))), ProtocolErrorCode.BITSTREAM_OVERRUN);
    expect(() => quantizer.read(new BitReader(new Uint8Array(7)))).not.toThrow();
  });
});
