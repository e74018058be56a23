/**
 * The WORLD_DELTA payload schema. A server sends one WorldStateDelta per client per tick, almost
 * always in the packed form (tick, timestamp, last processed input, the bit-packed records), so
 * that form gets a hand-written encoder: size first, then one buffer, no protobufjs writer
 * operations. Its bytes are exactly those of the generated encoder (checked on random values by
 * world-delta-payload.test.ts); any other value (per-entity `entities`, `removed`, a Long or
 * non-integer timestamp, non-number fields, unknown fields, a non-plain object) goes to the
 * generated encoder. Decoding is the generated decoder's.
 */
import { high32, low32, varint32Size, varint64Size, writeVarint32, writeVarint64 } from '../envelope/varint.js';
import { mmo } from '../gen/mmo.js';
import type { PayloadSchema } from '../registry/schema.js';

type WorldStateDelta = mmo.v1.WorldStateDelta;
type WorldStateDeltaInit = mmo.v1.IWorldStateDelta;

/** Field tags: (field number << 3) | wire type (0 varint, 2 length-delimited). */
const TAG_TICK = 0x08;
const TAG_BASE_TICK = 0x10;
const TAG_TIMESTAMP = 0x18;
const TAG_LAST_PROCESSED_INPUT = 0x30;
const TAG_PACKED = 0x3a;

const EMPTY = new Uint8Array(0);

/** A uint32 field the fast path takes: absent, or a number (written as `value >>> 0`, as protobufjs does). */
function isUintField(value: unknown): value is number | null | undefined {
  return value === undefined || value === null || typeof value === 'number';
}

function isEmptyList(value: unknown): boolean {
  return value === undefined || value === null || (Array.isArray(value) && value.length === 0);
}

/** True when {@link writePacked} produces the generated encoder's bytes for `v`. */
function takesFastPath(v: WorldStateDeltaInit): boolean {
  if (typeof v !== 'object' || v === null || Object.getPrototypeOf(v) !== Object.prototype) return false;
  const ts = v.timestamp;
  return (
    isUintField(v.tick) &&
    isUintField(v.baseTick) &&
    isUintField(v.lastProcessedInput) &&
    (ts === undefined || ts === null || (typeof ts === 'number' && Number.isSafeInteger(ts))) &&
    (v.packed === undefined || v.packed === null || v.packed instanceof Uint8Array) &&
    isEmptyList(v.entities) &&
    isEmptyList(v.removed) &&
    (v as { $unknowns?: unknown }).$unknowns === undefined
  );
}

/** Encodes a packed-form delta: fields in number order, zero and empty ones left out. */
function writePacked(v: WorldStateDeltaInit): Uint8Array {
  // A null or undefined field is absent; so is 0, as in the generated code.
  const tick = v.tick ?? 0;
  const baseTick = v.baseTick ?? 0;
  const timestamp = (v.timestamp as number | null | undefined) ?? 0;
  const lastProcessedInput = v.lastProcessedInput ?? 0;
  const packed = v.packed ?? EMPTY;
  let size = 0;
  if (tick !== 0) size += 1 + varint32Size(tick >>> 0);
  if (baseTick !== 0) size += 1 + varint32Size(baseTick >>> 0);
  const tsLo = low32(timestamp);
  const tsHi = high32(timestamp);
  if (timestamp !== 0) size += 1 + varint64Size(tsLo, tsHi);
  if (lastProcessedInput !== 0) size += 1 + varint32Size(lastProcessedInput >>> 0);
  if (packed.length > 0) size += 1 + varint32Size(packed.length) + packed.length;
  const out = new Uint8Array(size);
  let pos = 0;
  if (tick !== 0) {
    out[pos++] = TAG_TICK;
    pos = writeVarint32(out, pos, tick >>> 0);
  }
  if (baseTick !== 0) {
    out[pos++] = TAG_BASE_TICK;
    pos = writeVarint32(out, pos, baseTick >>> 0);
  }
  if (timestamp !== 0) {
    out[pos++] = TAG_TIMESTAMP;
    pos = writeVarint64(out, pos, tsLo, tsHi);
  }
  if (lastProcessedInput !== 0) {
    out[pos++] = TAG_LAST_PROCESSED_INPUT;
    pos = writeVarint32(out, pos, lastProcessedInput >>> 0);
  }
  if (packed.length > 0) {
    out[pos++] = TAG_PACKED;
    pos = writeVarint32(out, pos, packed.length);
    out.set(packed, pos);
  }
  return out;
}

/** WORLD_DELTA's schema: the hand-written encoder for the packed form, the generated code otherwise. */
export const worldDeltaSchema: PayloadSchema<WorldStateDelta, WorldStateDeltaInit> = {
  encode: (value) => (takesFastPath(value) ? writePacked(value) : mmo.v1.WorldStateDelta.encode(value).finish()),
  decode: (bytes) => mmo.v1.WorldStateDelta.decode(bytes),
};
