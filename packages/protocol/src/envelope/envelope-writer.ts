/**
 * A hand-written NetworkMessage encoder for the hot path: sizes the message first, then writes the
 * frame header and the envelope fields straight into one buffer (one allocation, one copy of the
 * payload), where protobufjs builds an operation list, allocates the body and the frame copies it.
 *
 * The bytes are exactly protobufjs's (the generated `NetworkMessage.encode`): fields in number
 * order, proto3 defaults omitted, the same varints (int64 negatives as ten-byte two's complement).
 * envelope-writer.test.ts checks that on random envelopes. Envelopes it does not cover (a non-empty
 * `sessionId`, whose UTF-8 protobufjs writes its own way, or a payload that is not a byte array)
 * are left to protobufjs: {@link canWriteEnvelope} says which.
 */

import { FRAME_HEADER_BYTES, writeFrameHeader } from '../framing/frame-header.js';
import { high32, low32, varint32Size, varint64Size, writeVarint32, writeVarint64 } from './varint.js';

/** Envelope fields after defaults and range checks (see `encodeEnvelope`). */
export interface EnvelopeFields {
  version: number;
  sequence: number;
  timestamp: number;
  type: number;
  payload: Uint8Array;
  requiresAck: boolean;
  priority: number;
  ack: number;
}

/** Field tags: (field number << 3) | wire type (0 varint, 2 length-delimited). */
const TAG_VERSION = 0x08;
const TAG_SEQUENCE = 0x10;
const TAG_TIMESTAMP = 0x18;
const TAG_TYPE = 0x28;
const TAG_PAYLOAD = 0x32;
const TAG_REQUIRES_ACK = 0x38;
const TAG_PRIORITY = 0x40;
const TAG_ACK = 0x48;

/** True when {@link envelopeSize} and {@link writeEnvelope} produce protobufjs's bytes for these fields. */
export function canWriteEnvelope(sessionId: string, payload: unknown): payload is Uint8Array {
  return sessionId === '' && payload instanceof Uint8Array;
}

/** Size of the NetworkMessage body of `f` (without the frame header). */
export function envelopeSize(f: EnvelopeFields): number {
  let size = 0;
  if (f.version !== 0) size += 1 + varint32Size(f.version >>> 0);
  if (f.sequence !== 0) size += 1 + varint64Size(low32(f.sequence), high32(f.sequence));
  if (f.timestamp !== 0) size += 1 + varint64Size(low32(f.timestamp), high32(f.timestamp));
  if (f.type !== 0) size += 1 + varint32Size(f.type);
  const payloadLength = f.payload.length;
  if (payloadLength > 0) size += 1 + varint32Size(payloadLength) + payloadLength;
  if (f.requiresAck !== false) size += 2;
  if (f.priority !== 0) size += 1 + varint32Size(f.priority >>> 0);
  if (f.ack !== 0) size += 1 + varint64Size(low32(f.ack), high32(f.ack));
  return size;
}

/** Writes the NetworkMessage body of `f` at `offset` of `out`; returns the offset after it. */
export function writeEnvelope(out: Uint8Array, offset: number, f: EnvelopeFields): number {
  let pos = offset;
  if (f.version !== 0) {
    out[pos++] = TAG_VERSION;
    pos = writeVarint32(out, pos, f.version >>> 0);
  }
  if (f.sequence !== 0) {
    out[pos++] = TAG_SEQUENCE;
    pos = writeVarint64(out, pos, low32(f.sequence), high32(f.sequence));
  }
  if (f.timestamp !== 0) {
    out[pos++] = TAG_TIMESTAMP;
    pos = writeVarint64(out, pos, low32(f.timestamp), high32(f.timestamp));
  }
  if (f.type !== 0) {
    out[pos++] = TAG_TYPE;
    pos = writeVarint32(out, pos, f.type);
  }
  const payload = f.payload;
  if (payload.length > 0) {
    out[pos++] = TAG_PAYLOAD;
    pos = writeVarint32(out, pos, payload.length);
    out.set(payload, pos);
    pos += payload.length;
  }
  if (f.requiresAck !== false) {
    out[pos++] = TAG_REQUIRES_ACK;
    out[pos++] = f.requiresAck ? 1 : 0;
  }
  if (f.priority !== 0) {
    out[pos++] = TAG_PRIORITY;
    pos = writeVarint32(out, pos, f.priority >>> 0);
  }
  if (f.ack !== 0) {
    out[pos++] = TAG_ACK;
    pos = writeVarint64(out, pos, low32(f.ack), high32(f.ack));
  }
  return pos;
}

/** One frame (header + body) holding `f`, in a buffer of exactly its size. */
export function writeFramedEnvelope(f: EnvelopeFields, frameVersion: number): Uint8Array {
  const bodyLength = envelopeSize(f);
  const out = new Uint8Array(FRAME_HEADER_BYTES + bodyLength);
  writeFrameHeader(out, 0, frameVersion, bodyLength);
  writeEnvelope(out, FRAME_HEADER_BYTES, f);
  return out;
}
