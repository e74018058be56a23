/**
 * Protobuf varints as protobufjs writes them (uint32 as `value >>> 0`; int64 from a safe integer
 * as two's complement halves, negatives in ten bytes), for the hand-written encoders of hot
 * messages whose bytes must equal the generated code's.
 */

const TWO_32 = 4294967296;

/** Bytes of a varint of a uint32 (`value >>> 0`, as protobufjs's `uint32`). */
export function varint32Size(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;
}

/** Bytes of the varint of a 64-bit value given as two's complement halves (protobufjs `LongBits.length`). */
export function varint64Size(lo: number, hi: number): number {
  const part0 = lo;
  const part1 = ((lo >>> 28) | (hi << 4)) >>> 0;
  const part2 = hi >>> 24;
  if (part2 === 0) {
    if (part1 === 0) return part0 < 16384 ? (part0 < 128 ? 1 : 2) : part0 < 2097152 ? 3 : 4;
    return part1 < 16384 ? (part1 < 128 ? 5 : 6) : part1 < 2097152 ? 7 : 8;
  }
  return part2 < 128 ? 9 : 10;
}

/** Low 32 bits of a safe integer in two's complement (protobufjs `LongBits.fromNumber`). */
export function low32(value: number): number {
  if (value >= 0) return value >>> 0;
  const lo = ~(-value >>> 0) >>> 0;
  return lo === 0xffffffff ? 0 : lo + 1;
}

/** High 32 bits of a safe integer in two's complement (protobufjs `LongBits.fromNumber`). */
export function high32(value: number): number {
  if (value >= 0) return ((value - (value >>> 0)) / TWO_32) >>> 0;
  const magnitude = -value;
  const lo = magnitude >>> 0;
  let hi = ~(((magnitude - lo) / TWO_32) >>> 0) >>> 0;
  // Two's complement adds one to the low half; it carries into the high half when the low was 0.
  if (lo === 0) hi = (hi + 1) >>> 0;
  return hi;
}

/** Writes the varint of a uint32 at `pos` of `out`; returns the position after it. */
export function writeVarint32(out: Uint8Array, pos: number, value: number): number {
  while (value > 127) {
    out[pos++] = (value & 127) | 128;
    value >>>= 7;
  }
  out[pos++] = value;
  return pos;
}

/** Writes the varint of a 64-bit value given as two's complement halves; returns the position after it. */
export function writeVarint64(out: Uint8Array, pos: number, lo: number, hi: number): number {
  while (hi !== 0) {
    out[pos++] = (lo & 127) | 128;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  return writeVarint32(out, pos, lo);
}
