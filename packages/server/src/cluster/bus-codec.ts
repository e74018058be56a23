import { ClusterError, ClusterErrorCode } from './cluster-error.js';
import type { ClusterPayload } from './topics.js';

// One bus message on the wire (Redis pub/sub payload, and the in-process hub so both behave alike):
//   byte 0        kind: 1 = bytes, 2 = UTF-8 JSON
//   byte 1        n = byte length of the sender's node id (<= 255)
//   bytes 2..2+n  sender node id (UTF-8)
//   rest          payload
const KIND_BYTES = 1;
const KIND_JSON = 2;
const HEADER_BYTES = 2;
/** Longest node id in bytes (one length byte). */
export const MAX_NODE_ID_BYTES = 255;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Encoded node id, checked once at construction. */
export function encodeNodeId(nodeId: string): Uint8Array {
  const bytes = encoder.encode(nodeId);
  if (bytes.length === 0 || bytes.length > MAX_NODE_ID_BYTES) {
    throw new RangeError(`nodeId must be 1..${MAX_NODE_ID_BYTES} bytes, got ${bytes.length}`);
  }
  return bytes;
}

/** Frames a message; throws {@link ClusterError} INVALID_MESSAGE for what JSON cannot carry. */
export function encodeBusMessage(from: Uint8Array, message: ClusterPayload): Uint8Array {
  let kind: number;
  let body: Uint8Array;
  if (message instanceof Uint8Array) {
    kind = KIND_BYTES;
    body = message;
  } else {
    let json: string | undefined;
    try {
      json = typeof message === 'object' && message !== null ? JSON.stringify(message) : undefined;
    } catch (error) {
      throw new ClusterError(ClusterErrorCode.INVALID_MESSAGE, 'message is not JSON-serialisable', { cause: error });
    }
    if (json === undefined || !json.startsWith('{') && !json.startsWith('[')) {
      throw new ClusterError(ClusterErrorCode.INVALID_MESSAGE, 'message must be a Uint8Array or a JSON object');
    }
    kind = KIND_JSON;
    body = encoder.encode(json);
  }
  const out = new Uint8Array(HEADER_BYTES + from.length + body.length);
  out[0] = kind;
  out[1] = from.length;
  out.set(from, HEADER_BYTES);
  out.set(body, HEADER_BYTES + from.length);
  return out;
}

/** A decoded bus message. */
export interface DecodedBusMessage {
  from: string;
  message: ClusterPayload;
}

/** Unframes a message; undefined for anything malformed (dropped and counted by the caller). */
export function decodeBusMessage(frame: Uint8Array): DecodedBusMessage | undefined {
  if (frame.length < HEADER_BYTES) return undefined;
  const kind = frame[0];
  const fromEnd = HEADER_BYTES + frame[1]!;
  if (fromEnd > frame.length) return undefined;
  try {
    const from = decoder.decode(frame.subarray(HEADER_BYTES, fromEnd));
    // A copy, so a handler may keep it and the receive buffer can be reused.
    if (kind === KIND_BYTES) return { from, message: frame.slice(fromEnd) };
    if (kind !== KIND_JSON) return undefined;
    const message: unknown = JSON.parse(decoder.decode(frame.subarray(fromEnd)));
    if (typeof message !== 'object' || message === null) return undefined;
    return { from, message };
  } catch {
    return undefined;
  }
}
