import { ProtocolError, ProtocolErrorCode } from '../errors.js';

/** Widest value one call may read: JavaScript bitwise operators work on 32-bit integers. */
const MAX_BITS_PER_CALL = 32;

function overrun(message: string, offset?: number): ProtocolError {
  return new ProtocolError(
    ProtocolErrorCode.BITSTREAM_OVERRUN,
    `BitReader: ${message}`,
    offset === undefined ? undefined : { offset },
  );
}

function isUint8Array(value: unknown): value is Uint8Array {
  // By tag rather than instanceof: accepts Node Buffers and arrays from another realm (iframe, vm).
  return Object.prototype.toString.call(value) === '[object Uint8Array]';
}

/**
 * Reads unsigned integers of 1 to 32 bits from bytes written by {@link BitWriter}: most significant
 * bit first, starting at bit 7 (mask 0x80) of the first byte of the window (see BitWriter for the
 * full bit order). Every failure is a {@link ProtocolError} with code `BITSTREAM_OVERRUN`, whose
 * `offset` is the index in `bytes` of the byte where reading stopped; a failed read consumes nothing.
 *
 * @example
 * ```ts
 * const reader = new BitReader(Uint8Array.of(0b1011_0000));
 * reader.readBits(3); // 0b101
 * reader.readBool(); // true
 * reader.remainingBits; // 4 (padding)
 * ```
 */
export class BitReader {
  private readonly bytes: Uint8Array;
  private readonly startByte: number;
  /** One past the last byte of the window. */
  private readonly endByte: number;
  /** Index in `bytes` of the byte being read. */
  private byteIndex: number;
  /** Bits already consumed in that byte (0..7), counted from its most significant bit. */
  private bitIndex = 0;

  /**
   * Reads the window `bytes[byteOffset .. byteOffset + byteLength)` without copying it.
   * Throws `BITSTREAM_OVERRUN` if the window does not lie inside `bytes`.
   */
  constructor(bytes: Uint8Array, byteOffset = 0, byteLength?: number) {
    if (!isUint8Array(bytes)) throw overrun('input is not a Uint8Array');
    const length = byteLength ?? bytes.length - byteOffset;
    if (
      !Number.isSafeInteger(byteOffset) ||
      !Number.isSafeInteger(length) ||
      byteOffset < 0 ||
      length < 0 ||
      byteOffset + length > bytes.length
    ) {
      throw overrun(
        `window of ${String(length)} bytes at offset ${String(byteOffset)} does not fit in ${bytes.length} bytes`,
      );
    }
    this.bytes = bytes;
    this.startByte = byteOffset;
    this.endByte = byteOffset + length;
    this.byteIndex = byteOffset;
  }

  /** Bits consumed so far, from the start of the window. */
  get bitPosition(): number {
    return (this.byteIndex - this.startByte) * 8 + this.bitIndex;
  }

  /** Bits left in the window (including any zero padding a writer added to its last byte). */
  get remainingBits(): number {
    return (this.endByte - this.byteIndex) * 8 - this.bitIndex;
  }

  /**
   * Reads `bitCount` bits (an integer in 1..32) as an unsigned integer, most significant first.
   * Throws `BITSTREAM_OVERRUN` if fewer bits remain or the count is out of range.
   */
  readBits(bitCount: number): number {
    if ((bitCount | 0) !== bitCount || bitCount < 1 || bitCount > MAX_BITS_PER_CALL) {
      throw overrun(`bit count must be an integer in 1..${MAX_BITS_PER_CALL}, got ${String(bitCount)}`);
    }
    const remainingBits = this.remainingBits;
    if (bitCount > remainingBits) {
      throw overrun(
        `cannot read ${bitCount} bits at bit ${this.bitPosition}: only ${remainingBits} of ` +
          `${(this.endByte - this.startByte) * 8} bits remain`,
        this.byteIndex,
      );
    }
    const bytes = this.bytes;
    let byteIndex = this.byteIndex;
    let bitIndex = this.bitIndex;
    let remaining = bitCount;
    let result = 0;
    // One iteration per byte touched (at most five). At most 32 bits accumulate, so no bit is lost;
    // a 32-bit result may come out negative and `>>> 0` below makes it unsigned again.
    while (remaining > 0) {
      const free = 8 - bitIndex;
      const byte = bytes[byteIndex]!;
      if (remaining >= free) {
        result = (result << free) | (byte & ((1 << free) - 1));
        remaining -= free;
        byteIndex++;
        bitIndex = 0;
      } else {
        result = (result << remaining) | ((byte >>> (free - remaining)) & ((1 << remaining) - 1));
        bitIndex += remaining;
        remaining = 0;
      }
    }
    this.byteIndex = byteIndex;
    this.bitIndex = bitIndex;
    return result >>> 0;
  }

  /** Reads one bit: true for 1. Throws `BITSTREAM_OVERRUN` at the end of the window. */
  readBool(): boolean {
    return this.readBits(1) === 1;
  }

  /**
   * Reads a zigzag-encoded signed integer of `bitCount` bits (see BitWriter.writeSigned).
   * Throws `BITSTREAM_OVERRUN` if fewer bits remain or the count is out of range.
   */
  readSigned(bitCount: number): number {
    const zigzag = this.readBits(bitCount);
    // Arithmetic rather than (z >>> 1) ^ -(z & 1) so that 32-bit codes stay exact.
    return zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2;
  }
}
