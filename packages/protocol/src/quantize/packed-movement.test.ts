import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isProtocolError, ProtocolError, ProtocolErrorCode, type ProtocolErrorCodeName } from '../errors.js';
import { BitReader } from './bit-reader.js';
import { BitWriter } from './bit-writer.js';
import { createPackedMovementCodec, type PackedMovement, packedMovementDefaults } from './packed-movement.js';
import { quaternionAngleRad, type QuaternionLike } from './quaternion.js';

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

const coordinate = (limit: number) => fc.double({ min: -limit, max: limit, noNaN: true });

/** Movements inside the default world box and speed limit. */
const movement: fc.Arbitrary<PackedMovement> = fc.record({
  inputTick: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  position: fc.record({ x: coordinate(4096), y: coordinate(512), z: coordinate(4096) }),
  rotation: unitQuaternion,
  velocity: fc.record({ x: coordinate(20), y: coordinate(20), z: coordinate(20) }),
  flags: fc.integer({ min: 0, max: 255 }),
});

const sample: PackedMovement = {
  inputTick: 1042,
  position: { x: 12.5, y: 3, z: -870.25 },
  rotation: { x: 0, y: 0.3826834, z: 0, w: 0.9238795 },
  velocity: { x: 4, y: 0, z: -1.5 },
  flags: 1,
};

describe('createPackedMovementCodec', () => {
  it('lays out the default record as documented: 159 bits in 20 bytes', () => {
    const codec = createPackedMovementCodec();
    expect(codec.totalBits).toBe(159);
    expect(codec.byteLength).toBe(20);
    expect(codec.describeLayout().map(({ field, bits, offsetBits }) => [field, bits, offsetBits])).toEqual([
      ['inputTick', 32, 0],
      ['position.x', 19, 32],
      ['position.y', 16, 51],
      ['position.z', 19, 67],
      ['rotation.index', 2, 86],
      ['rotation.a', 10, 88],
      ['rotation.b', 10, 98],
      ['rotation.c', 10, 108],
      ['velocity.x', 11, 118],
      ['velocity.y', 11, 129],
      ['velocity.z', 11, 140],
      ['flags', 8, 151],
      ['padding', 1, 159],
    ]);
    expect(codec.encode(sample).length).toBe(20);
  });

  it('describes contiguous fields that fill whole bytes for any options', () => {
    const codec = createPackedMovementCodec({ positionPrecision: 0.001, rotationBits: 12, maxSpeed: 50 });
    const layout = codec.describeLayout();
    let offset = 0;
    for (const { bits, offsetBits } of layout) {
      expect(offsetBits).toBe(offset);
      offset += bits;
    }
    expect(offset).toBe(codec.byteLength * 8);
  });

  it('encodes a golden vector bit for bit', () => {
    const codec = createPackedMovementCodec();
    const bytes = codec.encode({
      inputTick: 0x01020304,
      position: { x: -4096, y: -512, z: -4096 }, // all levels 0
      rotation: { x: 0, y: 0, z: 0, w: 1 }, // index 3; x, y, z = 0 -> level 512 = 0b10_0000_0000
      velocity: { x: -20, y: -20, z: -20 }, // all levels 0
      flags: 0xa5,
    });
    // prettier-ignore
    expect([...bytes]).toEqual([
      0x01, 0x02, 0x03, 0x04, // inputTick
      0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // position (bits 32..79)
      0x03, // position bits 80..85, then rotation index 0b11
      0x80, 0x20, 0x08, // the three components 0b1000000000, 10 bits apart
      0x00, 0x00, 0x00, 0x00, // rest of the components, velocity (bits 118..150) ...
      0x01, 0x4a, // ... flags 0b1010_0101 at bits 151..158, one padding zero
    ]);
  });

  it('round-trips: tick and flags exact, position and velocity within precision, rotation within its bound', () => {
    const codec = createPackedMovementCodec();
    fc.assert(
      fc.property(movement, (input) => {
        const output = codec.decode(codec.encode(input));
        expect(output.inputTick).toBe(input.inputTick);
        expect(output.flags).toBe(input.flags);
        for (const axis of ['x', 'y', 'z'] as const) {
          expect(Math.abs(output.position[axis] - input.position[axis])).toBeLessThanOrEqual(
            packedMovementDefaults.positionPrecision,
          );
          expect(Math.abs(output.velocity[axis] - input.velocity[axis])).toBeLessThanOrEqual(
            packedMovementDefaults.velocityPrecision,
          );
        }
        expect(quaternionAngleRad(input.rotation, output.rotation)).toBeLessThanOrEqual(
          codec.rotation.maxAngularErrorRad + 1e-12,
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('round-trips within precision for random options', () => {
    const halfSize = fc.double({ min: 1, max: 1e4, noNaN: true });
    const options = fc.record({
      half: fc.record({ x: halfSize, y: halfSize, z: halfSize }),
      positionPrecision: fc.double({ min: 1e-3, max: 1, noNaN: true }),
      maxSpeed: fc.double({ min: 0.5, max: 500, noNaN: true }),
      velocityPrecision: fc.double({ min: 1e-3, max: 1, noNaN: true }),
      rotationBits: fc.integer({ min: 4, max: 16 }),
    });
    const fractions = fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 6, maxLength: 6 });
    fc.assert(
      fc.property(options, fractions, unitQuaternion, (o, t, rotation) => {
        const codec = createPackedMovementCodec({
          worldMin: { x: -o.half.x, y: -o.half.y, z: -o.half.z },
          worldMax: o.half,
          positionPrecision: o.positionPrecision,
          maxSpeed: o.maxSpeed,
          velocityPrecision: o.velocityPrecision,
          rotationBits: o.rotationBits,
        });
        const [px, py, pz, vx, vy, vz] = t as [number, number, number, number, number, number];
        const input: PackedMovement = {
          inputTick: 7,
          position: { x: px * o.half.x, y: py * o.half.y, z: pz * o.half.z },
          rotation,
          velocity: { x: vx * o.maxSpeed, y: vy * o.maxSpeed, z: vz * o.maxSpeed },
          flags: 3,
        };
        const output = codec.decode(codec.encode(input));
        // 1e-9: a precision may sit exactly on half a step, where float rounding adds an ulp or two.
        for (const axis of ['x', 'y', 'z'] as const) {
          const positionError = Math.abs(output.position[axis] - input.position[axis]);
          const velocityError = Math.abs(output.velocity[axis] - input.velocity[axis]);
          expect(positionError).toBeLessThanOrEqual(o.positionPrecision + 1e-9);
          expect(velocityError).toBeLessThanOrEqual(o.velocityPrecision + 1e-9);
        }
        const angle = quaternionAngleRad(rotation, output.rotation);
        expect(angle).toBeLessThanOrEqual(codec.rotation.maxAngularErrorRad + 1e-12);
      }),
      { numRuns: 1000 },
    );
  });

  it('clamps velocity to ±maxSpeed and position to the world box, per axis', () => {
    const codec = createPackedMovementCodec();
    const output = codec.decode(
      codec.encode({ ...sample, position: { x: 5000, y: -600, z: 0 }, velocity: { x: 50, y: -1e9, z: 3 } }),
    );
    expect(output.position.x).toBe(4096);
    expect(output.position.y).toBe(-512);
    expect(output.velocity.x).toBe(20);
    expect(output.velocity.y).toBe(-20);
    expect(Math.abs(output.velocity.z - 3)).toBeLessThanOrEqual(0.01);
  });

  it('writes and reads several records back to back in one stream', () => {
    const codec = createPackedMovementCodec();
    const records = [sample, { ...sample, inputTick: 1043, flags: 2 }, { ...sample, inputTick: 1044, flags: 4 }];
    const writer = new BitWriter();
    for (const record of records) codec.write(writer, record);
    expect(writer.bitLength).toBe(3 * 159);
    const reader = new BitReader(writer.finish());
    expect(records.map(() => codec.read(reader)).map((r) => [r.inputTick, r.flags])).toEqual([
      [1042, 1],
      [1043, 2],
      [1044, 4],
    ]);
    expect(reader.remainingBits).toBe(writer.byteLength * 8 - writer.bitLength);
    const error = expectProtocolError(() => codec.read(reader), ProtocolErrorCode.BITSTREAM_OVERRUN);
    expect(error.message).toMatch(/needs 159 bits, only 3 remain/);
    expect(reader.remainingBits).toBe(3);
  });

  it('refuses a buffer that is too short (BITSTREAM_OVERRUN) or too long (MALFORMED_PAYLOAD)', () => {
    const codec = createPackedMovementCodec();
    const bytes = codec.encode(sample);
    for (let length = 0; length < bytes.length; length++) {
      expectProtocolError(() => codec.decode(bytes.subarray(0, length)), ProtocolErrorCode.BITSTREAM_OVERRUN);
    }
    expectProtocolError(() => codec.decode(Uint8Array.from([...bytes, 0])), ProtocolErrorCode.MALFORMED_PAYLOAD);
    expectProtocolError(() => codec.decode(undefined as unknown as Uint8Array), ProtocolErrorCode.BITSTREAM_OVERRUN);
    expectProtocolError(() => codec.decode('bytes' as unknown as Uint8Array), ProtocolErrorCode.BITSTREAM_OVERRUN);
  });

  it('decodes random bytes without throwing anything but ProtocolError', () => {
    const codec = createPackedMovementCodec();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 48 }), (bytes) => {
        try {
          const output = codec.decode(bytes);
          expect(bytes.length).toBe(20);
          expect(output.inputTick >>> 0).toBe(output.inputTick);
          expect(output.flags).toBeLessThanOrEqual(255);
          expect(Math.abs(output.position.x)).toBeLessThanOrEqual(4096);
          expect(Math.abs(output.position.y)).toBeLessThanOrEqual(512);
          expect(Math.abs(output.velocity.z)).toBeLessThanOrEqual(20);
          const { x, y, z, w } = output.rotation;
          expect(Math.hypot(x, y, z, w)).toBeCloseTo(1, 12);
        } catch (error) {
          expect(isProtocolError(error), String(error)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
    // Every 20-byte input is some valid record.
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), (bytes) => {
        expect(() => codec.decode(bytes)).not.toThrow();
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects invalid fields naming them, leaving a shared writer unchanged', () => {
    const codec = createPackedMovementCodec();
    const cases: Array<[Partial<PackedMovement> | null, RegExp]> = [
      [{ inputTick: -1 }, /inputTick/],
      [{ inputTick: 2 ** 32 }, /inputTick/],
      [{ inputTick: 1.5 }, /inputTick/],
      [{ flags: 256 }, /flags/],
      [{ flags: -1 }, /flags/],
      [{ position: { x: 0, y: Number.NaN, z: 0 } }, /position\.y/],
      [{ velocity: { x: 0, y: 0, z: Number.NaN } }, /velocity\.z/],
      [{ rotation: { x: 0, y: 0, z: 0, w: 0 } }, /rotation/],
      [{ rotation: { x: Number.NaN, y: 0, z: 0, w: 1 } }, /rotation/],
    ];
    const writer = new BitWriter();
    writer.writeBits(5, 3);
    for (const [patch, message] of cases) {
      const error = expectProtocolError(
        () => codec.write(writer, { ...sample, ...patch }),
        ProtocolErrorCode.VALUE_OUT_OF_RANGE,
      );
      expect(error.message).toMatch(message);
      expectProtocolError(() => codec.encode({ ...sample, ...patch }), ProtocolErrorCode.VALUE_OUT_OF_RANGE);
    }
    expectProtocolError(() => codec.encode(null as unknown as PackedMovement), ProtocolErrorCode.VALUE_OUT_OF_RANGE);
    expectProtocolError(
      () => codec.encode({ ...sample, position: undefined } as unknown as PackedMovement),
      ProtocolErrorCode.VALUE_OUT_OF_RANGE,
    );
    const full = new BitWriter({ maxBytes: 20 });
    full.writeBits(1, 2);
    expectProtocolError(() => codec.write(full, sample), ProtocolErrorCode.VALUE_OUT_OF_RANGE);
    expect(full.bitLength).toBe(2);
    expect(writer.bitLength).toBe(3);
  });

  it('rejects invalid options, naming the option', () => {
    const cases: Array<[Parameters<typeof createPackedMovementCodec>[0], RegExp]> = [
      [
        { worldMin: { x: 10, y: 0, z: 0 }, worldMax: { x: 10, y: 1, z: 1 } },
        /worldMin\.x \(10\).*worldMax\.x \(10\)/,
      ],
      [{ worldMax: { x: 4096, y: -1000, z: 4096 } }, /worldMin\.y/],
      [{ worldMin: { x: -4096, y: -512, z: Number.NEGATIVE_INFINITY } }, /worldMin\.z/],
      [{ positionPrecision: 0 }, /positionPrecision/],
      [{ maxSpeed: -1 }, /maxSpeed/],
      [{ velocityPrecision: Number.NaN }, /velocityPrecision/],
      [{ rotationBits: 0 }, /rotationBits/],
      [{ rotationBits: 33 }, /rotationBits/],
      [{ positionPrecision: 1e-9 }, /positionPrecision.*32 bits/],
      [{ maxSpeed: 1e6, velocityPrecision: 1e-6 }, /velocityPrecision.*32 bits/],
    ];
    for (const [options, message] of cases) {
      const error = expectProtocolError(() => createPackedMovementCodec(options), ProtocolErrorCode.VALUE_OUT_OF_RANGE);
      expect(error.message).toMatch(message);
    }
  });

  it('is several times smaller than the same movement as JSON', () => {
    const codec = createPackedMovementCodec();
    const jsonBytes = new TextEncoder().encode(JSON.stringify(sample)).length;
    expect(codec.encode(sample).length).toBe(20);
    expect(jsonBytes).toBeGreaterThan(5 * 20);
  });
});
