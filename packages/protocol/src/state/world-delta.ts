/**
 * The `packed` bytes of WORLD_DELTA (210): which of the receiver's visible entities changed this
 * tick, then one update record per changed entity (see entity-state-codec.ts).
 *
 * Both peers keep the receiver's visible entities as a list of entity ids in ascending order,
 * changed only by INTEREST_UPDATE (209); a "slot" is an index in that list. Layout (bit order: see
 * BitWriter):
 * 1. `visibleCount`: 16 bits, the length of the list the sender used (a receiver whose list has
 *    another length is out of step and must not apply the message).
 * 2. 1 bit mode. 0: a bitmask of `visibleCount` bits, slot 0 first, 1 = changed. 1: a 16-bit count
 *    `k`, then `k` slot indices in ascending order, each in `max(1, ceil(log2(visibleCount)))` bits.
 *    Senders pick the shorter of the two.
 * 3. The records of the changed slots, in ascending slot order, without padding between them.
 * 4. Zero padding to a whole byte.
 */
import { ProtocolError, ProtocolErrorCode } from '../errors.js';
import type { BitReader } from '../quantize/bit-reader.js';
import type { BitWriter } from '../quantize/bit-writer.js';

/** Most entities one receiver may have in view (the 16-bit count field). */
export const WORLD_DELTA_MAX_VISIBLE = 0xffff;
const COUNT_BITS = 16;

/** Bits of a slot index in a list of `visibleCount` entities. */
function slotBits(visibleCount: number): number {
  return visibleCount <= 2 ? 1 : Math.ceil(Math.log2(visibleCount));
}

/**
 * Writes the header of a world delta: `visibleCount` and the changed slots (the first
 * `changedCount` entries of `changedSlots`, default all; ascending, each below `visibleCount`).
 * Throws `VALUE_OUT_OF_RANGE` for a count over {@link WORLD_DELTA_MAX_VISIBLE} or slots out of
 * order or range. The records follow, written by the caller in the same order.
 */
export function writeWorldDeltaHeader(
  writer: BitWriter,
  visibleCount: number,
  changedSlots: ArrayLike<number>,
  changedCount: number = changedSlots.length,
): void {
  if (!Number.isInteger(visibleCount) || visibleCount < 0 || visibleCount > WORLD_DELTA_MAX_VISIBLE) {
    throw new ProtocolError(ProtocolErrorCode.VALUE_OUT_OF_RANGE, `world delta: visibleCount ${String(visibleCount)} is not in 0..${WORLD_DELTA_MAX_VISIBLE}`);
  }
  if (!Number.isInteger(changedCount) || changedCount < 0 || changedCount > changedSlots.length) {
    throw new ProtocolError(ProtocolErrorCode.VALUE_OUT_OF_RANGE, `world delta: changedCount ${String(changedCount)} is not in 0..${changedSlots.length}`);
  }
  let previous = -1;
  for (let i = 0; i < changedCount; i++) {
    const slot = changedSlots[i]!;
    if (!Number.isInteger(slot) || slot <= previous || slot >= visibleCount) {
      throw new ProtocolError(ProtocolErrorCode.VALUE_OUT_OF_RANGE, `world delta: changed slots must ascend below ${visibleCount}, got ${String(slot)} after ${previous}`);
    }
    previous = slot;
  }
  const width = slotBits(visibleCount);
  const listBits = COUNT_BITS + changedCount * width;
  writer.reserveBits(COUNT_BITS + 1 + Math.min(visibleCount, listBits));
  writer.writeBits(visibleCount, COUNT_BITS);
  if (visibleCount <= listBits) {
    writer.writeBits(0, 1);
    // The bitmask in chunks of up to 31 bits (one writeBits call each, not one per slot).
    let next = 0;
    for (let start = 0; start < visibleCount; start += 31) {
      const width = Math.min(31, visibleCount - start);
      const end = start + width;
      let chunk = 0;
      while (next < changedCount && changedSlots[next]! < end) {
        chunk |= 1 << (end - 1 - changedSlots[next]!);
        next++;
      }
      writer.writeBits(chunk, width);
    }
  } else {
    writer.writeBits(1, 1);
    writer.writeBits(changedCount, COUNT_BITS);
    for (let i = 0; i < changedCount; i++) writer.writeBits(changedSlots[i]!, width);
  }
}

/**
 * Reads a world delta header. With `expectedVisibleCount`, a different count is refused
 * (`MALFORMED_PAYLOAD`: the receiver's list is out of step). Throws `BITSTREAM_OVERRUN` when the
 * bits run out and `MALFORMED_PAYLOAD` for slots out of order or range.
 */
export function readWorldDeltaHeader(reader: BitReader, expectedVisibleCount?: number): { visibleCount: number; changedSlots: number[] } {
  const visibleCount = reader.readBits(COUNT_BITS);
  if (expectedVisibleCount !== undefined && visibleCount !== expectedVisibleCount) {
    throw new ProtocolError(
      ProtocolErrorCode.MALFORMED_PAYLOAD,
      `world delta: sent for ${visibleCount} visible entities, the receiver has ${expectedVisibleCount}`,
    );
  }
  const changedSlots: number[] = [];
  if (reader.readBits(1) === 0) {
    for (let slot = 0; slot < visibleCount; slot++) if (reader.readBits(1) === 1) changedSlots.push(slot);
    return { visibleCount, changedSlots };
  }
  const count = reader.readBits(COUNT_BITS);
  if (count > visibleCount) {
    throw new ProtocolError(ProtocolErrorCode.MALFORMED_PAYLOAD, `world delta: ${count} changed slots of ${visibleCount}`);
  }
  const width = slotBits(visibleCount);
  let previous = -1;
  for (let i = 0; i < count; i++) {
    const slot = reader.readBits(width);
    if (slot <= previous || slot >= visibleCount) {
      throw new ProtocolError(ProtocolErrorCode.MALFORMED_PAYLOAD, `world delta: slot ${slot} out of order or range (${visibleCount} visible)`);
    }
    changedSlots.push(slot);
    previous = slot;
  }
  return { visibleCount, changedSlots };
}
