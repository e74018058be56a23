import { ProtocolError, ProtocolErrorCode } from '../errors.js';

/** Widest value one call may write: JavaScript bitwise operators work on 32-bit integers. */
const MAX_BITS_PER_CALL = 32;

/** Options of {@link BitWriter}. */
export interface BitWriterOptions {
  /**
   * Largest output the writer may grow to, in bytes. A write that would pass it throws
   * `VALUE_OUT_OF_RANGE` and leaves the writer as it was.
   * @default 65536
   */
  maxBytes?: number;
  /**
   * Bytes allocated up front; the buffer doubles as needed, up to `maxBytes`.
   * @default 64
   */
  initialCapacityBytes?: number;
}

/** Defaults of {@link BitWriterOptions}. */
export const bitWriterDefaults: Readonly<Required<BitWriterOptions>> = Object.freeze({
  // 64 KiB: far more than one tick of movement for one client, small enough that a runaway loop
  // fails fast instead of eating memory.
  maxBytes: 65_536,
  // 64 bytes hold three default PackedMovement records (20 bytes each) without growing.
  initialCapacityBytes: 64,
});

function outOfRange(message: string): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.VALUE_OUT_OF_RANGE, `BitWriter: ${message}`);
}

function isByteCount(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

/**
 * Packs unsigned integers of 1 to 32 bits into bytes, most significant bit first.
 *
 * Bit order (the wire contract; other-language clients must match it exactly):
 * - The stream is filled from bit 7 (mask 0x80) of byte 0 down to bit 0 (mask 0x01), then bit 7 of
 *   byte 1, and so on. Equivalently, the output read as one big-endian integer is the concatenation
 *   of the written fields, first field in the most significant bits.
 * - A field of `n` bits is written from its most significant bit to its least significant bit, so
 *   its bits appear in the stream in the order they are printed in binary.
 * - Fields are not aligned to bytes; a field may span up to five bytes.
 * - The last byte is padded with zero bits in its least significant positions.
 *
 * @example
 * ```ts
 * const writer = new BitWriter();
 * writer.writeBits(0b101, 3);
 * writer.writeBits(1, 1);
 * writer.finish(); // Uint8Array [0b1011_0000]
 * ```
 */
export class BitWriter {
  private readonly maxBytes: number;
  private buf: Uint8Array;
  /** Index of the byte being filled. */
  private byteIndex = 0;
  /** Bits already used in that byte (0..7), counted from its most significant bit. */
  private bitIndex = 0;

  constructor(options?: BitWriterOptions) {
    const maxBytes = options?.maxBytes ?? bitWriterDefaults.maxBytes;
    const initial = options?.initialCapacityBytes ?? bitWriterDefaults.initialCapacityBytes;
    if (!isByteCount(maxBytes) || maxBytes < 1) {
      throw outOfRange(`maxBytes must be a positive integer, got ${String(maxBytes)}`);
    }
    if (!isByteCount(initial)) {
      throw outOfRange(`initialCapacityBytes must be a non-negative integer, got ${String(initial)}`);
    }
    this.maxBytes = maxBytes;
    this.buf = new Uint8Array(Math.min(initial, maxBytes));
  }

  /** Number of bits written so far. */
  get bitLength(): number {
    return this.byteIndex * 8 + this.bitIndex;
  }

  /** Number of bytes {@link finish} would return now (bit length rounded up to whole bytes). */
  get byteLength(): number {
    return this.byteIndex + (this.bitIndex > 0 ? 1 : 0);
  }

  /**
   * Appends the low `bitCount` bits of `value`, most significant first.
   * Throws `VALUE_OUT_OF_RANGE` if `bitCount` is not an integer in 1..32, if `value` is not an
   * integer in 0..2^bitCount - 1 (no silent masking), or if the output would pass `maxBytes`.
   */
  writeBits(value: number, bitCount: number): void {
    if ((bitCount | 0) !== bitCount || bitCount < 1 || bitCount > MAX_BITS_PER_CALL) {
      throw outOfRange(`bit count must be an integer in 1..${MAX_BITS_PER_CALL}, got ${String(bitCount)}`);
    }
    // `value >>> 0 === value` accepts exactly the integers 0..2^32-1 (rejects NaN, fractions,
    // negatives); the second test rejects values wider than bitCount (>>> 32 would be >>> 0).
    if (value >>> 0 !== value || (bitCount < MAX_BITS_PER_CALL && value >>> bitCount !== 0)) {
      throw outOfRange(`value ${String(value)} is not an unsigned integer of ${bitCount} bits`);
    }
    this.reserve(bitCount);
    const buf = this.buf;
    let byteIndex = this.byteIndex;
    let bitIndex = this.bitIndex;
    let remaining = bitCount;
    // One iteration per byte touched (at most five), not per bit. The buffer is zeroed, so OR is enough.
    while (remaining > 0) {
      const free = 8 - bitIndex;
      if (remaining >= free) {
        remaining -= free;
        buf[byteIndex] = buf[byteIndex]! | ((value >>> remaining) & ((1 << free) - 1));
        byteIndex++;
        bitIndex = 0;
      } else {
        buf[byteIndex] = buf[byteIndex]! | ((value & ((1 << remaining) - 1)) << (free - remaining));
        bitIndex += remaining;
        remaining = 0;
      }
    }
    this.byteIndex = byteIndex;
    this.bitIndex = bitIndex;
  }

  /**
   * {@link writeBits} without its checks, for hot loops of codecs: the caller guarantees that
   * `bitCount` is an integer in 1..32, that `value` is an unsigned integer of at most `bitCount`
   * bits, and that {@link reserveBits} made room first. Anything else corrupts the output.
   * @internal
   */
  putBits(value: number, bitCount: number): void {
    const buf = this.buf;
    let byteIndex = this.byteIndex;
    let bitIndex = this.bitIndex;
    let remaining = bitCount;
    while (remaining > 0) {
      const free = 8 - bitIndex;
      if (remaining >= free) {
        remaining -= free;
        buf[byteIndex] = buf[byteIndex]! | ((value >>> remaining) & ((1 << free) - 1));
        byteIndex++;
        bitIndex = 0;
      } else {
        buf[byteIndex] = buf[byteIndex]! | ((value & ((1 << remaining) - 1)) << (free - remaining));
        bitIndex += remaining;
        remaining = 0;
      }
    }
    this.byteIndex = byteIndex;
    this.bitIndex = bitIndex;
  }

  /** Appends one bit: 1 for true, 0 for false. */
  writeBool(value: boolean): void {
    this.writeBits(value ? 1 : 0, 1);
  }

  /**
   * Appends a signed integer in -2^(bitCount-1)..2^(bitCount-1)-1 as `bitCount` bits, zigzag
   * encoded (0 -> 0, -1 -> 1, 1 -> 2, -2 -> 3, ...), so small magnitudes of either sign have small
   * codes. Throws `VALUE_OUT_OF_RANGE` for a value outside that range or not an integer.
   */
  writeSigned(value: number, bitCount: number): void {
    if ((bitCount | 0) !== bitCount || bitCount < 1 || bitCount > MAX_BITS_PER_CALL) {
      throw outOfRange(`bit count must be an integer in 1..${MAX_BITS_PER_CALL}, got ${String(bitCount)}`);
    }
    const half = 2 ** (bitCount - 1);
    if (!Number.isInteger(value) || value < -half || value >= half) {
      throw outOfRange(`value ${String(value)} is not a signed integer of ${bitCount} bits`);
    }
    // Arithmetic rather than (v << 1) ^ (v >> 31) so that 32-bit values do not overflow.
    this.writeBits(value >= 0 ? value * 2 : -value * 2 - 1, bitCount);
  }

  /**
   * Appends the first `bitLength` bits of `bits` from byte `sourceOffset` on (as another writer's
   * {@link finish} or {@link peekBytes} holds them), so pieces encoded once can be assembled into
   * many streams without re-encoding. Throws `VALUE_OUT_OF_RANGE`, before writing anything, if
   * `sourceOffset` is not an integer in `0..bits.length`, `bitLength` is not an integer in
   * `0..(bits.length - sourceOffset) * 8`, or the output would pass `maxBytes`.
   */
  appendBits(bits: Uint8Array, bitLength: number, sourceOffset = 0): void {
    if (!Number.isSafeInteger(sourceOffset) || sourceOffset < 0 || sourceOffset > bits.length) {
      throw outOfRange(`source offset ${String(sourceOffset)} is not in 0..${bits.length}`);
    }
    if (!Number.isSafeInteger(bitLength) || bitLength < 0 || bitLength > (bits.length - sourceOffset) * 8) {
      throw outOfRange(`cannot append ${String(bitLength)} bits from ${bits.length - sourceOffset} bytes`);
    }
    this.reserve(bitLength);
    this.putAppend(bits, bitLength, sourceOffset);
  }

  /**
   * {@link appendBits} without its checks, for hot loops: the caller guarantees `sourceOffset`
   * and `bitLength` lie within `bits` and that {@link reserveBits} made room first.
   * @internal
   */
  putAppend(bits: Uint8Array, bitLength: number, sourceOffset: number): void {
    const buf = this.buf;
    const shift = this.bitIndex;
    let at = this.byteIndex;
    let left = bitLength;
    let i = sourceOffset;
    if (shift === 0) {
      while (left >= 8) {
        buf[at++] = bits[i++]!;
        left -= 8;
      }
      if (left > 0) {
        buf[at] = bits[i]! & (0xff << (8 - left));
        this.bitIndex = left;
      }
    } else {
      const back = 8 - shift;
      while (left >= 8) {
        const b = bits[i++]!;
        buf[at] = buf[at]! | (b >>> shift);
        buf[++at] = (b << back) & 0xff;
        left -= 8;
      }
      if (left > 0) {
        const b = bits[i]! & (0xff << (8 - left));
        buf[at] = buf[at]! | (b >>> shift);
        if (left > back) buf[++at] = (b << back) & 0xff;
        const used = shift + left;
        this.bitIndex = used >= 8 ? used - 8 : used;
        if (used === 8) at++;
      }
    }
    this.byteIndex = at;
  }

  /**
   * Returns a copy of the bytes written so far, exactly {@link byteLength} long, the last byte
   * zero-padded. The writer keeps its contents; call {@link reset} to reuse it.
   */
  finish(): Uint8Array {
    return this.buf.slice(0, this.byteLength);
  }

  /**
   * The writer's own buffer, without copying: bytes `0..byteLength - 1` are what was written (the
   * rest is zero). Valid until the next write, which may move it; copy with {@link finish} to keep.
   */
  peekBytes(): Uint8Array {
    return this.buf;
  }

  /** Pads with zero bits to the next whole byte (nothing when already on one). */
  padToByte(): void {
    if (this.bitIndex === 0) return;
    this.byteIndex++;
    this.bitIndex = 0;
  }

  /** Empties the writer, keeping its buffer for reuse. */
  reset(): void {
    this.buf.fill(0, 0, this.byteLength);
    this.byteIndex = 0;
    this.bitIndex = 0;
  }

  /**
   * Makes room for `bitCount` more bits without writing them, or throws `VALUE_OUT_OF_RANGE` if
   * they would pass `maxBytes`. Lets a record of several fields fail before its first field is
   * written instead of half way through.
   */
  reserveBits(bitCount: number): void {
    if (!Number.isSafeInteger(bitCount) || bitCount < 0) {
      throw outOfRange(`bit count to reserve must be a non-negative integer, got ${String(bitCount)}`);
    }
    this.reserve(bitCount);
  }

  /** Makes room for `bitCount` more bits, or throws before anything is written. */
  private reserve(bitCount: number): void {
    const needed = this.byteIndex + Math.ceil((this.bitIndex + bitCount) / 8);
    if (needed <= this.buf.length) return;
    if (needed > this.maxBytes) {
      throw outOfRange(
        `writing ${bitCount} bits at bit ${this.bitLength} needs ${needed} bytes, over maxBytes (${this.maxBytes})`,
      );
    }
    const grown = new Uint8Array(Math.min(this.maxBytes, Math.max(needed, this.buf.length * 2)));
    grown.set(this.buf);
    this.buf = grown;
  }
}
