import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isProtocolError } from '../errors.js';
import { BitReader } from '../quantize/bit-reader.js';
import { BitWriter } from '../quantize/bit-writer.js';
import { readWorldDeltaHeader, writeWorldDeltaHeader } from './world-delta.js';

describe('world delta header', () => {
  it('round-trips any changed-slot set and picks the shorter form', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 600 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true })), (visible, picks) => {
        const slots = [...new Set(picks.map((p) => Math.floor(p * visible)).filter((s) => s < visible))].sort((a, b) => a - b);
        const w = new BitWriter();
        writeWorldDeltaHeader(w, visible, slots);
        const width = visible <= 2 ? 1 : Math.ceil(Math.log2(visible));
        expect(w.bitLength).toBe(17 + Math.min(visible, 16 + slots.length * width));
        const read = readWorldDeltaHeader(new BitReader(w.finish()), visible);
        expect(read.changedSlots).toEqual(slots);
      }),
    );
  });

  it('refuses a receiver out of step, slots out of order, and hostile bytes with ProtocolError only', () => {
    const w = new BitWriter();
    writeWorldDeltaHeader(w, 10, [1, 5]);
    expect(() => readWorldDeltaHeader(new BitReader(w.finish()), 11)).toThrow(/receiver has 11/);
    expect(() => writeWorldDeltaHeader(new BitWriter(), 10, [5, 1])).toThrow(/ascend/);
    expect(() => writeWorldDeltaHeader(new BitWriter(), 10, [10])).toThrow(/ascend/);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        try {
          readWorldDeltaHeader(new BitReader(bytes));
          return true;
        } catch (error) {
          return isProtocolError(error);
        }
      }),
    );
  });
});

describe('BitWriter.appendBits', () => {
  it('equals writing the same fields directly, at any alignment', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 7 }), fc.array(fc.integer({ min: 1, max: 32 }), { maxLength: 12 }), (lead, widths) => {
        const piece = new BitWriter();
        const direct = new BitWriter();
        if (lead > 0) direct.writeBits(0b1010101 & ((1 << lead) - 1), lead);
        widths.forEach((width, i) => {
          const value = (i * 2654435761) % 2 ** width;
          piece.writeBits(value, width);
          direct.writeBits(value, width);
        });
        const assembled = new BitWriter();
        if (lead > 0) assembled.writeBits(0b1010101 & ((1 << lead) - 1), lead);
        assembled.appendBits(piece.finish(), piece.bitLength);
        expect(assembled.bitLength).toBe(direct.bitLength);
        expect(assembled.finish()).toEqual(direct.finish());
      }),
    );
    expect(() => new BitWriter().appendBits(new Uint8Array(1), 9)).toThrow(/cannot append/);
  });

  it('several pieces appended one after another equal one direct stream, after a reset too', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.integer({ min: 1, max: 32 }), { maxLength: 5 }), { maxLength: 8 }), (pieces) => {
        const direct = new BitWriter();
        const assembled = new BitWriter({ initialCapacityBytes: 1 });
        // Dirty the writer first: reset must leave no stale bits behind.
        assembled.writeBits(0xffffffff, 32);
        assembled.reset();
        pieces.forEach((widths, p) => {
          const piece = new BitWriter();
          widths.forEach((width, i) => {
            const value = ((p + 1) * (i + 7) * 2654435761) % 2 ** width;
            piece.writeBits(value, width);
            direct.writeBits(value, width);
          });
          assembled.appendBits(piece.finish(), piece.bitLength);
        });
        expect(assembled.bitLength).toBe(direct.bitLength);
        expect(assembled.finish()).toEqual(direct.finish());
      }),
    );
  });

  it('pieces written into one arena (padToByte between them) append from their offsets like separate writers', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.integer({ min: 1, max: 32 }), { maxLength: 5 }), { maxLength: 8 }), fc.integer({ min: 0, max: 7 }), (pieces, lead) => {
        const direct = new BitWriter();
        const arena = new BitWriter({ initialCapacityBytes: 1 });
        const offsets: [number, number][] = [];
        pieces.forEach((widths, p) => {
          arena.padToByte();
          const start = arena.byteLength;
          widths.forEach((width, i) => {
            const value = ((p + 3) * (i + 5) * 2654435761) % 2 ** width;
            arena.writeBits(value, width);
          });
          offsets.push([start, arena.bitLength - start * 8]);
        });
        const assembled = new BitWriter();
        if (lead > 0) {
          direct.writeBits(1, lead);
          assembled.writeBits(1, lead);
        }
        pieces.forEach((widths, p) => {
          widths.forEach((width, i) => direct.writeBits(((p + 3) * (i + 5) * 2654435761) % 2 ** width, width));
          const [start, bits] = offsets[p]!;
          assembled.appendBits(arena.peekBytes(), bits, start);
        });
        expect(assembled.finish()).toEqual(direct.finish());
      }),
    );
    expect(() => new BitWriter().appendBits(new Uint8Array(2), 9, 1)).toThrow(/cannot append/);
    expect(() => new BitWriter().appendBits(new Uint8Array(2), 0, 3)).toThrow(/source offset/);
  });
});
