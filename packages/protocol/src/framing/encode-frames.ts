import { PROTOCOL_VERSION } from '../codes.js';
import { ProtocolError, ProtocolErrorCode } from '../errors.js';
import { FRAME_HEADER_BYTES, writeFrameHeader } from './frame-header.js';

/** Largest body a u32 length can describe. */
const MAX_U32 = 0xffffffff;

function checkBody(body: Uint8Array): void {
  if (body.length > MAX_U32) {
    throw new ProtocolError(ProtocolErrorCode.FRAME_TOO_LARGE, `frame body of ${body.length} bytes exceeds u32`);
  }
}

/**
 * Wraps one encoded NetworkMessage in a frame header.
 * @example
 * const bytes = encodeFrame(encodeEnvelope({ type: MessageType.HEARTBEAT }));
 */
export function encodeFrame(body: Uint8Array, version: number = PROTOCOL_VERSION): Uint8Array {
  checkBody(body);
  const out = new Uint8Array(FRAME_HEADER_BYTES + body.length);
  writeFrameHeader(out, 0, version, body.length);
  out.set(body, FRAME_HEADER_BYTES);
  return out;
}

/**
 * Frames several encoded NetworkMessages back to back into one WebSocket message (a batch).
 * One allocation, one copy per body.
 */
export function encodeFrameBatch(bodies: readonly Uint8Array[], version: number = PROTOCOL_VERSION): Uint8Array {
  let total = 0;
  for (const body of bodies) {
    checkBody(body);
    total += FRAME_HEADER_BYTES + body.length;
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const body of bodies) {
    writeFrameHeader(out, offset, version, body.length);
    out.set(body, offset + FRAME_HEADER_BYTES);
    offset += FRAME_HEADER_BYTES + body.length;
  }
  return out;
}
