import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isProtocolError, ProtocolErrorCode, type ProtocolErrorCodeName } from '../errors.js';
import { BitWriter } from './bit-writer.js';

function expectProtocolError(fn: () => unknown, code: ProtocolErrorCodeName): void {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(isProtocolError(thrown, code), String(thrown)).toBe(true);
}

/** Reference packer, one bit at a time from a '0'/'1' string: slow, obviously MSB first. */
function referencePack(fields: ReadonlyArray<readonly [value: number, bits: number]>): number[] {
  const bitString = fields.map(([value, bits]) => value.toString(2).padStart(bits, '0')).join('');
  const bytes: number[] = [];
  for (let i = 0; i < bitString.length; i += 8) bytes.push(parseInt(bitString.slice(i, i + 8).padEnd(8, '0'), 2));
  return bytes;
}

/** An arbitrary field: a width in 1..32 and an unsigned value of that width. */
const field = fc
  .integer({ min: 1, max: 32 })
  .chain((bits) => fc.tuple(fc.integer({ min: 0, max: 2 ** bits - 1 }), fc.constant(bits)));

describe('BitWriter', () => {
  it('packs most significant bit first: 0b101 then 1 gives 0b1011_0000', () => {
    const writer = new BitWriter();
    writer.writeBits(0b101, 3);
    writer.writeBits(1, 1);
    expect(writer.bitLength).toBe(4);
    expect([...writer.finish()]).toEqual([0b1011_0000]);
  });

  it('matches hand-computed vectors across byte boundaries', () => {
    const nibbles = new BitWriter();
    nibbles.writeBits(0xabc, 12);
    nibbles.writeBits(0xd, 4);
    expect([...nibbles.finish()]).toEqual([0xab, 0xcd]);

    // 0b101 then 0xDEADBEEF: 35 bits, 101 1101 1110 1010 1101 1011 1110 1110 1111 + 5 padding zeros.
    const spanning = new BitWriter();
    spanning.writeBits(0b101, 3);
    spanning.writeBits(0xdeadbeef, 32);
    expect([...spanning.finish()]).toEqual([0xbb, 0xd5, 0xb7, 0xdd, 0xe0]);
  });

  it('writes every width 1..32 at every bit offset like the bit-by-bit reference', () => {
    for (let offset = 0; offset < 8; offset++) {
      for (let bits = 1; bits <= 32; bits++) {
        const value = (2 ** bits - 1) ^ (0x5555_5555 >>> (32 - bits)); // alternating 1010..., all widths
        const fields = [[0, offset] as const, [value >>> 0, bits] as const].filter(([, b]) => b > 0);
        const writer = new BitWriter();
        for (const [v, b] of fields) writer.writeBits(v, b);
        expect([...writer.finish()], `offset ${offset}, ${bits} bits`).toEqual(referencePack(fields));
      }
    }
  });

  it('agrees with the reference packer on random field sequences', () => {
    fc.assert(
      fc.property(fc.array(field, { maxLength: 40 }), (fields) => {
        const writer = new BitWriter();
        for (const [value, bits] of fields) writer.writeBits(value, bits);
        const totalBits = fields.reduce((sum, [, bits]) => sum + bits, 0);
        expect(writer.bitLength).toBe(totalBits);
        expect(writer.byteLength).toBe(Math.ceil(totalBits / 8));
        expect([...writer.finish()]).toEqual(referencePack(fields));
      }),
      { numRuns: 2000 },
    );
  });

  it('writes booleans as single bits', () => {
    const writer = new BitWriter();
    for (const bit of [true, false, true, true, false, false, false, true, true]) writer.writeBool(bit);
    expect([...writer.finish()]).toEqual([0b1011_0001, 0b1000_0000]);
  });

  it('zigzag-encodes signed values', () => {
    const writer = new BitWriter();
    for (const value of [0, -1, 1, -2]) writer.writeSigned(value, 4);
    expect([...writer.finish()]).toEqual([0b0000_0001, 0b0010_0011]);
    const extremes = new BitWriter();
    extremes.writeSigned(-(2 ** 31), 32);
    extremes.writeSigned(2 ** 31 - 1, 32);
    expect([...extremes.finish()]).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]);
  });

  it('returns nothing for an empty writer and an exact-length copy otherwise', () => {
    const writer = new BitWriter();
    expect(writer.finish().length).toBe(0);
    writer.writeBits(1, 9);
    const first = writer.finish();
    expect([...first]).toEqual([0, 0x80]);
    first[0] = 0xff;
    expect([...writer.finish()]).toEqual([0, 0x80]);
  });

  it('grows past its initial capacity and reset reuses a zeroed buffer', () => {
    const writer = new BitWriter({ initialCapacityBytes: 1 });
    for (let i = 0; i < 100; i++) writer.writeBits(0xffff_ffff, 32);
    expect(writer.finish().length).toBe(400);
    writer.reset();
    expect(writer.bitLength).toBe(0);
    writer.writeBits(0, 16);
    expect([...writer.finish()]).toEqual([0, 0]);
    expect(() => new BitWriter({ initialCapacityBytes: 0 }).writeBits(3, 2)).not.toThrow();
  });

  it('refuses to grow past maxBytes and leaves its contents as they were', () => {
    const writer = new BitWriter({ maxBytes: 2 });
    writer.writeBits(0xfff, 12);
    writer.writeBits(0xf, 4);
    expectProtocolError(() => writer.writeBits(1, 1), ProtocolErrorCode.VALUE_OUT_OF_RANGE);
    expectProtocolError(() => writer.reserveBits(1), ProtocolErrorCode.VALUE_OUT_OF_RANGE);
    expect(writer.bitLength).toBe(16);
    expect([...writer.finish()]).toEqual([0xff, 0xff]);
    expect(() => new BitWriter({ maxBytes: 4 }).reserveBits(32)).not.toThrow();
    expectProtocolError(() => new BitWriter({ maxBytes: 4 }).reserveBits(33), ProtocolErrorCode.VALUE_OUT_OF_RANGE);
    expectProtocolError(() => new BitWriter().reserveBits(-1), ProtocolErrorCode.VALUE_OUT_OF_RANGE);
  });

  it('rejects bit counts outside 1..32 and values that do not fit, writing nothing', () => {
    const writer = new BitWriter();
    for (const bits of [0, 33, -1, 1.5, Number.NaN]) {
      expectProtocolError(() => writer.writeBits(0, bits), ProtocolErrorCode.VALUE_OUT_OF_RANGE);
      expectProtocolError(() => writer.writeSigned(0, bits), ProtocolErrorCode.VALUE_OUT_OF_RANGE);
    }
    for (const [value, bits] of [
      [-1, 8],
      [256, 8],
      [2, 1],
      [1.5, 8],
      [Number.NaN, 8],
      [Number.POSITIVE_INFINITY, 32],
      [2 ** 32, 32],
    ] as const) {
      expectProtocolError(() => writer.writeBits(value, bits), ProtocolErrorCode.VALUE_OUT_OF_RANGE);
    }
    for (const [value, bits] of [
      [8, 4],
      [-9, 4],
      [0.5, 4],
      [2 ** 31, 32],
    ] as const) {
      expectProtocolError(() => writer.writeSigned(value, bits), ProtocolErrorCode.VALUE_OUT_OF_RANGE);
    }
    expect(writer.bitLength).toBe(0);
    expect(() => writer.writeBits(2 ** 32 - 1, 32)).not.toThrow();
  });

  it('rejects invalid options', () => {
    expectProtocolError(() => new BitWriter({ maxBytes: 0 }), ProtocolErrorCode.VALUE_OUT_OF_RANGE);
    expectProtocolError(() => new BitWriter({ maxBytes: 1.5 }), ProtocolErrorCode.VALUE_OUT_OF_RANGE);
    expectProtocolError(() => new BitWriter({ initialCapacityBytes: -1 }), ProtocolErrorCode.VALUE_OUT_OF_RANGE);
  });
});
