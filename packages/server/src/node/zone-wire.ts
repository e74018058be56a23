// Binary frames of the cross-node zone protocol on `toNode(<id>)` topics (hot path: every forwarded
// input and every tick's output for remote viewers). Control messages travel as JSON instead.

/** Frame kind: one PLAYER_MOVE forwarded from the connection's node to the zone's owner. */
export const FRAME_MOVE = 1;
/** Frame kind: a tick's messages from the zone's owner for viewers connected to the receiving node. */
export const FRAME_DELIVER = 2;

/** How the connection's node writes a delivered message (the ViewerSink method the owner called). */
export const DeliveryMode = { state: 0, reliable: 1, volatile: 2 } as const;
export type DeliveryModeValue = (typeof DeliveryMode)[keyof typeof DeliveryMode];

/** One message for one viewer: its type, how to send it, and the packed payload. */
export interface DeliveredMessage {
  type: number;
  mode: DeliveryModeValue;
  priority: number;
  bytes: Uint8Array;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** Longest zone or session id in a frame (one length byte). */
const MAX_ID_BYTES = 255;

function idBytes(id: string): Uint8Array {
  const b = encoder.encode(id);
  if (b.length > MAX_ID_BYTES) throw new RangeError(`id over ${MAX_ID_BYTES} bytes: ${id.slice(0, 40)}`);
  return b;
}

/** `[1][zone len][zone][session len][session][PLAYER_MOVE payload]`. */
export function encodeMove(zoneId: string, sessionId: string, payload: Uint8Array): Uint8Array {
  const z = idBytes(zoneId);
  const s = idBytes(sessionId);
  const out = new Uint8Array(3 + z.length + s.length + payload.length);
  out[0] = FRAME_MOVE;
  out[1] = z.length;
  out.set(z, 2);
  out[2 + z.length] = s.length;
  out.set(s, 3 + z.length);
  out.set(payload, 3 + z.length + s.length);
  return out;
}

export function decodeMove(frame: Uint8Array): { zoneId: string; sessionId: string; payload: Uint8Array } {
  const zl = frame[1]!;
  const zoneId = decoder.decode(frame.subarray(2, 2 + zl));
  const sl = frame[2 + zl]!;
  if (3 + zl + sl > frame.length) throw new RangeError('truncated move frame');
  return { zoneId, sessionId: decoder.decode(frame.subarray(3 + zl, 3 + zl + sl)), payload: frame.subarray(3 + zl + sl) };
}

/**
 * `[2][zone len][zone][sessions u16]`, per session `[len][id][count u16]`, per message
 * `[type u16][mode u8][priority u8][length u32][bytes]` (big endian).
 */
export function encodeDeliveries(zoneId: string, sessions: ReadonlyMap<string, readonly DeliveredMessage[]>): Uint8Array {
  const z = idBytes(zoneId);
  let size = 4 + z.length;
  const ids: Uint8Array[] = [];
  for (const [sid, messages] of sessions) {
    const s = idBytes(sid);
    ids.push(s);
    size += 3 + s.length;
    for (const m of messages) size += 8 + m.bytes.length;
  }
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out[0] = FRAME_DELIVER;
  out[1] = z.length;
  out.set(z, 2);
  let at = 2 + z.length;
  view.setUint16(at, sessions.size);
  at += 2;
  let i = 0;
  for (const messages of sessions.values()) {
    const s = ids[i++]!;
    out[at++] = s.length;
    out.set(s, at);
    at += s.length;
    view.setUint16(at, messages.length);
    at += 2;
    for (const m of messages) {
      view.setUint16(at, m.type);
      out[at + 2] = m.mode;
      out[at + 3] = m.priority;
      view.setUint32(at + 4, m.bytes.length);
      out.set(m.bytes, at + 8);
      at += 8 + m.bytes.length;
    }
  }
  return out;
}

export function decodeDeliveries(frame: Uint8Array): { zoneId: string; sessions: Map<string, DeliveredMessage[]> } {
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const zl = frame[1]!;
  const zoneId = decoder.decode(frame.subarray(2, 2 + zl));
  let at = 2 + zl;
  const count = view.getUint16(at);
  at += 2;
  const sessions = new Map<string, DeliveredMessage[]>();
  for (let i = 0; i < count; i++) {
    const sl = frame[at++]!;
    const sid = decoder.decode(frame.subarray(at, at + sl));
    at += sl;
    const n = view.getUint16(at);
    at += 2;
    const messages: DeliveredMessage[] = [];
    for (let j = 0; j < n; j++) {
      const length = view.getUint32(at + 4);
      if (at + 8 + length > frame.length) throw new RangeError('truncated delivery frame');
      messages.push({ type: view.getUint16(at), mode: frame[at + 2] as DeliveryModeValue, priority: frame[at + 3]!, bytes: frame.subarray(at + 8, at + 8 + length) });
      at += 8 + length;
    }
    sessions.set(sid, messages);
  }
  return { zoneId, sessions };
}
