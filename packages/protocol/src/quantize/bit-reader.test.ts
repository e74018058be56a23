import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isProtocolError, ProtocolError, ProtocolErrorCode } from '../errors.js';
import { BitReader } from './bit-reader.js';
import { BitWriter } from './bit-writer.js';

/** Runs `fn`, expects a BITSTREAM_OVERRUN ProtocolError and returns it. */
function expectOverrun(fn: () => unknown): ProtocolError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(isProtocolError(thrown, ProtocolErrorCode.BITSTREAM_OVERRUN), String(thrown)).toBe(true);
  return thrown as ProtocolError;
}

const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const field = fc
  .integer({ min: 1, max: 32 })
  .chain((bits) => fc.tuple(fc.integer({ min: 0, max: 2 ** bits - 1 }), fc.constant(bits)));

describe('BitReader', () => {
  it('reads the hand-computed vectors back', () => {
    const reader = new BitReader(Uint8Array.of(0b1011_0000));
    expect(reader.readBits(3)).toBe(0b101);
    expect(reader.readBool()).toBe(true);
    expect(reader.remainingBits).toBe(4);

    const spanning = new BitReader(Uint8Array.of(0xbb, 0xd5, 0xb7, 0xdd, 0xe0));
    expect(spanning.readBits(3)).toBe(0b101);
    expect(spanning.readBits(32)).toBe(0xdeadbeef);
    expect(spanning.bitPosition).toBe(35);
    expect(spanning.remainingBits).toBe(5);
  });

  it('reads every width 1..32 at every bit offset, including all-ones values', () => {
    for (let offset = 0; offset < 8; offset++) {
      for (let bits = 1; bits <= 32; bits++) {
        for (const value of [2 ** bits - 1, (0x5555_5555 >>> (32 - bits)) >>> 0, 1, 0]) {
          const writer = new BitWriter();
          if (offset > 0) writer.writeBits(0, offset);
          writer.writeBits(value, bits);
          const reader = new BitReader(writer.finish());
          if (offset > 0) reader.readBits(offset);
          expect(reader.readBits(bits), `offset ${offset}, ${bits} bits`).toBe(value);
        }
      }
    }
  });

  it('reads back whatever the writer wrote (round trip)', () => {
    fc.assert(
      fc.property(fc.array(field, { maxLength: 40 }), fc.array(int32), (fields, signed) => {
        const writer = new BitWriter();
        for (const [value, bits] of fields) writer.writeBits(value, bits);
        for (const value of signed) writer.writeSigned(value, 32);
        const reader = new BitReader(writer.finish());
        for (const [value, bits] of fields) expect(reader.readBits(bits)).toBe(value);
        for (const value of signed) expect(reader.readSigned(32)).toBe(value);
        expect(reader.remainingBits).toBe(writer.byteLength * 8 - writer.bitLength);
      }),
      { numRuns: 2000 },
    );
  });

  it('decodes zigzag signed values', () => {
    const reader = new BitReader(Uint8Array.of(0b0000_0001, 0b0010_0011));
    expect([0, 1, 2, 3].map(() => reader.readSigned(4))).toEqual([0, -1, 1, -2]);
  });

  it('reads only its window of a larger buffer', () => {
    const bytes = Uint8Array.of(0xff, 0x12, 0x34, 0xff);
    const reader = new BitReader(bytes, 1, 2);
    expect(reader.remainingBits).toBe(16);
    expect(reader.readBits(16)).toBe(0x1234);
    const error = expectOverrun(() => reader.readBits(1));
    expect(error.offset).toBe(3);
    expect(new BitReader(bytes, 2).readBits(16)).toBe(0x34ff);
    expect(new BitReader(bytes, 4).remainingBits).toBe(0);
  });

  it('accepts a Node Buffer (a Uint8Array subclass)', () => {
    expect(new BitReader(Buffer.from([0xab])).readBits(8)).toBe(0xab);
  });

  it('throws BITSTREAM_OVERRUN from every read path at the end, consuming nothing', () => {
    const reader = new BitReader(Uint8Array.of(0xaa));
    reader.readBits(5);
    const error = expectOverrun(() => reader.readBits(4));
    expect(error.message).toMatch(/cannot read 4 bits at bit 5: only 3 of 8 bits remain/);
    expect(error.offset).toBe(0);
    expectOverrun(() => reader.readSigned(4));
    expectOverrun(() => reader.readBits(32));
    expect(reader.bitPosition).toBe(5);
    expect(reader.readBits(3)).toBe(0b010);
    expectOverrun(() => reader.readBool());
    expectOverrun(() => reader.readBits(1));
    expectOverrun(() => reader.readSigned(1));

    const empty = new BitReader(new Uint8Array(0));
    expectOverrun(() => empty.readBool());
    expectOverrun(() => empty.readBits(1));
    expectOverrun(() => empty.readSigned(8));
  });

  it('throws BITSTREAM_OVERRUN for bit counts outside 1..32', () => {
    const reader = new BitReader(new Uint8Array(16));
    for (const bits of [0, 33, -1, 2.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expectOverrun(() => reader.readBits(bits));
      expectOverrun(() => reader.readSigned(bits));
    }
    expect(reader.bitPosition).toBe(0);
  });

  it('throws BITSTREAM_OVERRUN for a window outside the buffer or a non-Uint8Array input', () => {
    const bytes = new Uint8Array(4);
    expectOverrun(() => new BitReader(bytes, 5));
    expectOverrun(() => new BitReader(bytes, -1));
    expectOverrun(() => new BitReader(bytes, 1, 4));
    expectOverrun(() => new BitReader(bytes, 0, -1));
    expectOverrun(() => new BitReader(bytes, 0.5));
    expectOverrun(() => new BitReader(bytes, 0, Number.NaN));
    expectOverrun(() => new BitReader(undefined as unknown as Uint8Array));
    expectOverrun(() => new BitReader([1, 2] as unknown as Uint8Array));
    expectOverrun(() => new BitReader(new Uint16Array(2) as unknown as Uint8Array));
  });

  it('never throws anything but ProtocolError on random reads of random bytes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 16 }),
        fc.array(fc.integer({ min: -2, max: 40 }), { maxLength: 20 }),
        (bytes, counts) => {
          const reader = new BitReader(bytes);
          for (const count of counts) {
            try {
              const value = reader.readBits(count);
              expect(value).toBeGreaterThanOrEqual(0);
              expect(value).toBeLessThan(2 ** count);
            } catch (error) {
              expect(isProtocolError(error, ProtocolErrorCode.BITSTREAM_OVERRUN)).toBe(true);
            }
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
