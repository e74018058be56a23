import { type FrameLimits, resolveFrameLimits } from '../framing/frame-header.js';
import { decodeFrames } from '../framing/decode-frames.js';
import { encodeFrame, encodeFrameBatch } from '../framing/encode-frames.js';
import { ProtocolError, ProtocolErrorCode } from '../errors.js';
import { PROTOCOL_VERSION } from '../codes.js';
import { decodeEnvelope, encodeEnvelope, envelopeFields, type MmoEnvelope, type MmoEnvelopeInit } from './envelope.js';
import { canWriteEnvelope, writeFramedEnvelope } from './envelope-writer.js';

/**
 * Encodes one envelope as one framed WebSocket message.
 * @example
 * socket.send(encodeMessage({ type: MessageType.HEARTBEAT }));
 */
export function encodeMessage(init: MmoEnvelopeInit): Uint8Array {
  const fields = envelopeFields(init);
  // Header and envelope written into one buffer: no body buffer to allocate and copy into the frame.
  if (canWriteEnvelope(fields.sessionId, fields.payload)) return writeFramedEnvelope(fields, PROTOCOL_VERSION);
  return encodeFrame(encodeEnvelope(init));
}

/** Encodes several envelopes as one WebSocket message (a batch of frames). */
export function encodeMessageBatch(inits: readonly MmoEnvelopeInit[]): Uint8Array {
  return encodeFrameBatch(inits.map(encodeEnvelope));
}

/**
 * Decodes one WebSocket message into its envelopes, in order. Throws {@link ProtocolError} and
 * nothing else: framing errors keep their code (and `offset`, the byte offset of the failing
 * frame); envelope errors are MALFORMED_ENVELOPE (without an offset).
 * @example
 * for (const env of decodeMessage(new Uint8Array(event.data))) dispatch(env);
 */
export function decodeMessage(data: Uint8Array, limits?: FrameLimits): MmoEnvelope[] {
  const resolved = limits === undefined ? undefined : resolveFrameLimits(limits);
  try {
    const frames = decodeFrames(data, resolved);
    const out: MmoEnvelope[] = new Array<MmoEnvelope>(frames.length);
    for (let i = 0; i < frames.length; i++) out[i] = decodeEnvelope(frames[i]!.body);
    return out;
  } catch (error) {
    if (error instanceof ProtocolError) throw error;
    // Defensive: nothing but ProtocolError may leave this boundary.
    throw new ProtocolError(ProtocolErrorCode.MALFORMED_ENVELOPE, 'message could not be decoded', { cause: error });
  }
}
