import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isProtocolError, ProtocolError, ProtocolErrorCode, type ProtocolErrorCodeName } from '../errors.js';
import { BitReader } from './bit-reader.js';
import { BitWriter } from './bit-writer.js';
import {
  createQuaternionQuantizer,
  maxQuaternionErrorRad,
  type QuaternionLike,
  quaternionAngleRad,
} from './quaternion.js';

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

const DEG = 180 / Math.PI;

/** Uniformly distributed unit quaternions (Shoemake's method from three uniforms). */
const unitQuaternion = fc
  .tuple(
    fc.double({ min: 0, max: 1, noNaN: true }),
    fc.double({ min: 0, max: 1, noNaN: true }),
    fc.double({ min: 0, max: 1, noNaN: true }),
  )
  .map(([u1, u2, u3]): QuaternionLike => ({
    x: Math.sqrt(1 - u1) * Math.sin(2 * Math.PI * u2),
    y: Math.sqrt(1 - u1) * Math.cos(2 * Math.PI * u2),
    z: Math.sqrt(u1) * Math.sin(2 * Math.PI * u3),
    w: Math.sqrt(u1) * Math.cos(2 * Math.PI * u3),
  }));

/** Quaternions near the worst case of smallest three: all four components of magnitude ~1/2. */
const nearWorstCase = fc
  .tuple(
    fc.array(fc.double({ min: -0.01, max: 0.01, noNaN: true }), { minLength: 4, maxLength: 4 }),
    fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
  )
  .map(([jitter, negative]): QuaternionLike => {
    const [x, y, z, w] = jitter.map((j, i) => (negative[i] ? -1 : 1) * (0.5 + j)) as [number, number, number, number];
    return { x, y, z, w };
  });

function roundTrip(bitsPerComponent: number, rotation: QuaternionLike): QuaternionLike {
  const quantizer = createQuaternionQuantizer({ bitsPerComponent });
  const writer = new BitWriter();
  quantizer.write(writer, rotation);
  expect(writer.bitLength).toBe(quantizer.totalBits);
  return quantizer.read(new BitReader(writer.finish()));
}

describe('quaternionAngleRad', () => {
  it('measures the rotation between two quaternions, treating q and -q as equal', () => {
    const identity = { x: 0, y: 0, z: 0, w: 1 };
    const quarterTurnY = { x: 0, y: Math.SQRT1_2, z: 0, w: Math.SQRT1_2 };
    expect(quaternionAngleRad(identity, quarterTurnY)).toBeCloseTo(Math.PI / 2, 12);
    expect(quaternionAngleRad(quarterTurnY, { x: 0, y: -Math.SQRT1_2, z: 0, w: -Math.SQRT1_2 })).toBe(0);
    expect(quaternionAngleRad(identity, { x: 0, y: 0, z: 0, w: 5 })).toBe(0);
    expect(quaternionAngleRad(identity, { x: 1, y: 0, z: 0, w: 0 })).toBeCloseTo(Math.PI, 12);
    const tiny = 1e-7;
    const tinyTurn = { x: Math.sin(tiny / 2), y: 0, z: 0, w: Math.cos(tiny / 2) };
    expect(quaternionAngleRad(identity, tinyTurn)).toBeCloseTo(tiny, 15);
  });
});

describe('createQuaternionQuantizer', () => {
  it('sends 32 bits with the default 10 bits per component, within 0.275°', () => {
    const quantizer = createQuaternionQuantizer();
    expect(quantizer.bitsPerComponent).toBe(10);
    expect(quantizer.totalBits).toBe(32);
    expect(quantizer.maxAngularErrorRad).toBeCloseTo(0.0047988, 6);
    expect(quantizer.maxAngularErrorRad * DEG).toBeLessThan(0.275);
    expect(maxQuaternionErrorRad(12) * DEG).toBeLessThan(0.0686);
    expect(maxQuaternionErrorRad(8) * DEG).toBeLessThan(1.111);
    expect(maxQuaternionErrorRad(3)).toBe(Math.PI);
    expect(maxQuaternionErrorRad(1)).toBe(Math.PI);
  });

  it('keeps random rotations within the documented bound (10 bits)', () => {
    const bound = maxQuaternionErrorRad(10);
    fc.assert(
      fc.property(unitQuaternion, (rotation) => {
        expect(quaternionAngleRad(rotation, roundTrip(10, rotation))).toBeLessThanOrEqual(bound + 1e-12);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps rotations near the worst case (all components ±1/2) within the bound', () => {
    const bound = maxQuaternionErrorRad(10);
    fc.assert(
      fc.property(nearWorstCase, (rotation) => {
        expect(quaternionAngleRad(rotation, roundTrip(10, rotation))).toBeLessThanOrEqual(bound + 1e-12);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps the bound for every width from 4 to 32 bits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 4, max: 32 }), fc.oneof(unitQuaternion, nearWorstCase), (bits, rotation) => {
        const decoded = roundTrip(bits, rotation);
        expect(quaternionAngleRad(rotation, decoded)).toBeLessThanOrEqual(maxQuaternionErrorRad(bits) + 1e-12);
      }),
      { numRuns: 2000 },
    );
  });

  it('encodes q and -q, and any positive multiple, to the same bits', () => {
    fc.assert(
      fc.property(unitQuaternion, fc.double({ min: 1e-3, max: 1e3, noNaN: true }), (q, scale) => {
        const quantizer = createQuaternionQuantizer();
        const encode = (rotation: QuaternionLike): number[] => {
          const writer = new BitWriter();
          quantizer.write(writer, rotation);
          return [...writer.finish()];
        };
        const negated = { x: -q.x, y: -q.y, z: -q.z, w: -q.w };
        expect(encode(negated)).toEqual(encode(q));
        const scaled = encode({ x: q.x * scale, y: q.y * scale, z: q.z * scale, w: q.w * scale });
        // Scaling then normalising may move a value by an ulp across a rounding boundary: compare angles.
        const decodeBytes = (bytes: number[]): QuaternionLike => quantizer.read(new BitReader(Uint8Array.from(bytes)));
        expect(quaternionAngleRad(decodeBytes(scaled), q)).toBeLessThanOrEqual(quantizer.maxAngularErrorRad + 1e-12);
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips the identity with the index of w and a positive w', () => {
    const decoded = roundTrip(10, { x: 0, y: 0, z: 0, w: -1 });
    expect(decoded.w).toBeGreaterThan(0.999);
    // 0 lies between two levels of an even count: it decodes to ±half a step.
    expect(Math.abs(decoded.x)).toBeLessThan(Math.SQRT1_2 / 1023 + 1e-12);
    const writer = new BitWriter();
    createQuaternionQuantizer().write(writer, { x: 0, y: 0, z: 0, w: 1 });
    expect(writer.finish()[0]! >>> 6).toBe(3);
  });

  it('decodes any bits to a unit quaternion', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.integer({ min: 1, max: 8 }), (bytes, bits) => {
        const decoded = createQuaternionQuantizer({ bitsPerComponent: bits }).read(new BitReader(bytes));
        expect(Math.hypot(decoded.x, decoded.y, decoded.z, decoded.w)).toBeCloseTo(1, 12);
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects zero-length, NaN and infinite quaternions, writing nothing', () => {
    const quantizer = createQuaternionQuantizer();
    const writer = new BitWriter();
    for (const rotation of [
      { x: 0, y: 0, z: 0, w: 0 },
      { x: Number.NaN, y: 0, z: 0, w: 1 },
      { x: Number.POSITIVE_INFINITY, y: 0, z: 0, w: 1 },
    ]) {
      const error = expectProtocolError(() => quantizer.write(writer, rotation), ProtocolErrorCode.VALUE_OUT_OF_RANGE);
      expect(error.message).toMatch(/^quaternion: cannot encode/);
    }
    expect(writer.bitLength).toBe(0);
    const full = new BitWriter({ maxBytes: 4 });
    full.writeBits(1, 1);
    expectProtocolError(() => quantizer.write(full, { x: 0, y: 0, z: 0, w: 1 }), ProtocolErrorCode.VALUE_OUT_OF_RANGE);
    expect(full.bitLength).toBe(1);
  });

  it('rejects bitsPerComponent outside 1..32', () => {
    for (const bitsPerComponent of [0, 33, 2.5, Number.NaN]) {
      expectProtocolError(() => createQuaternionQuantizer({ bitsPerComponent }), ProtocolErrorCode.VALUE_OUT_OF_RANGE);
      expectProtocolError(() => maxQuaternionErrorRad(bitsPerComponent), ProtocolErrorCode.VALUE_OUT_OF_RANGE);
    }
  });

  it('throws BITSTREAM_OVERRUN when the bits run out', () => {
    const quantizer = createQuaternionQuantizer();
    for (let length = 0; length < 4; length++) {
      const reader = new BitReader(new Uint8Array(length));
      expectProtocolError(() => quantizer.read(reader), ProtocolErrorCode.BITSTREAM_OVERRUN);
    }
  });
});
