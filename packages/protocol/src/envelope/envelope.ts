import { PROTOCOL_VERSION } from '../codes.js';
import { ProtocolError, ProtocolErrorCode } from '../errors.js';
import { mmo } from '../gen/mmo.js';
import { canWriteEnvelope, type EnvelopeFields, envelopeSize, writeEnvelope } from './envelope-writer.js';

const NetworkMessage = mmo.v1.NetworkMessage;

/** Highest priority value an envelope may carry. */
export const MAX_PRIORITY = 10;

/** The decoded NetworkMessage envelope, every field present (proto3 defaults filled in). */
export interface MmoEnvelope {
  /** Protocol version of the sender. */
  version: number;
  /** Reliable sequence (> 0), or 0 for a volatile message. */
  sequence: number;
  /** Sender's wall-clock time, ms since the Unix epoch. */
  timestamp: number;
  sessionId: string;
  /** Message type number (built-in or custom >= 1000). */
  type: number;
  /** Encoded payload (empty for payload-less types). A view: copy it if you keep the input buffer. */
  payload: Uint8Array;
  requiresAck: boolean;
  /** 0..10, higher first. */
  priority: number;
  /** Cumulative ack of the peer's reliable stream (0 = nothing received yet). */
  ack: number;
}

/** Fields accepted when encoding an envelope; only `type` is required. */
export type MmoEnvelopeInit = Partial<MmoEnvelope> & Pick<MmoEnvelope, 'type'>;

/**
 * Encodes an envelope to NetworkMessage bytes (without the frame header). Checks field ranges and
 * throws {@link ProtocolError} VALUE_OUT_OF_RANGE for values the receiver would refuse.
 */
export function encodeEnvelope(init: MmoEnvelopeInit): Uint8Array {
  const fields = envelopeFields(init);
  if (canWriteEnvelope(fields.sessionId, fields.payload)) {
    const out = new Uint8Array(envelopeSize(fields));
    writeEnvelope(out, 0, fields);
    return out;
  }
  return NetworkMessage.encode(fields).finish();
}

/**
 * The fields of `init` with defaults filled in, after the range checks of {@link encodeEnvelope}.
 * Internal to the envelope codecs.
 */
export function envelopeFields(init: MmoEnvelopeInit): EnvelopeFields & { sessionId: string } {
  const type = init.type;
  if (!Number.isInteger(type) || type <= 0 || type > 0x7fffffff) {
    throw new ProtocolError(ProtocolErrorCode.VALUE_OUT_OF_RANGE, `message type ${type} is not a positive int32`);
  }
  checkUint(init.sequence, 'sequence');
  checkUint(init.ack, 'ack');
  if (init.timestamp !== undefined && !Number.isSafeInteger(init.timestamp)) {
    throw new ProtocolError(ProtocolErrorCode.VALUE_OUT_OF_RANGE, `timestamp ${init.timestamp} is not a safe integer`);
  }
  const priority = init.priority ?? 0;
  if (!Number.isInteger(priority) || priority < 0 || priority > MAX_PRIORITY) {
    throw new ProtocolError(ProtocolErrorCode.VALUE_OUT_OF_RANGE, `priority ${priority} is outside 0..${MAX_PRIORITY}`);
  }
  return {
    version: init.version ?? PROTOCOL_VERSION,
    sequence: init.sequence ?? 0,
    timestamp: init.timestamp ?? 0,
    sessionId: init.sessionId ?? '',
    type,
    payload: init.payload ?? EMPTY,
    requiresAck: init.requiresAck ?? false,
    priority,
    ack: init.ack ?? 0,
  };
}

const EMPTY = new Uint8Array(0);

function checkUint(value: number | undefined, field: string): void {
  if (value === undefined) return;
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ProtocolError(ProtocolErrorCode.VALUE_OUT_OF_RANGE, `${field} ${value} is not a non-negative safe integer`);
  }
}

/**
 * Decodes NetworkMessage bytes. Every failure, including protobufjs's own Error/RangeError for
 * broken wire data, is thrown as {@link ProtocolError} MALFORMED_ENVELOPE; nothing else escapes.
 * Field rules: type > 0, priority 0..10, sequence and ack below 2^53, version 0 (absent) or 1.
 */
export function decodeEnvelope(body: Uint8Array): MmoEnvelope {
  let m: mmo.v1.NetworkMessage;
  try {
    m = NetworkMessage.decode(body);
  } catch (error) {
    throw new ProtocolError(
      ProtocolErrorCode.MALFORMED_ENVELOPE,
      `envelope is not valid protobuf: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  const env: MmoEnvelope = {
    version: m.version,
    sequence: m.sequence,
    timestamp: m.timestamp,
    sessionId: m.sessionId,
    type: m.type,
    payload: m.payload,
    requiresAck: m.requiresAck,
    priority: m.priority,
    ack: m.ack,
  };
  if (env.version !== 0 && env.version !== PROTOCOL_VERSION) {
    throw malformed(`envelope version ${env.version} is not ${PROTOCOL_VERSION}`);
  }
  if (env.version === 0) env.version = PROTOCOL_VERSION;
  if (env.type <= 0) throw malformed(`envelope type ${env.type} is not a positive message type`);
  if (env.priority > MAX_PRIORITY) throw malformed(`envelope priority ${env.priority} is over ${MAX_PRIORITY}`);
  if (!Number.isSafeInteger(env.sequence) || env.sequence < 0) {
    throw malformed(`envelope sequence ${env.sequence} is not a safe non-negative integer`);
  }
  if (!Number.isSafeInteger(env.ack) || env.ack < 0) {
    throw malformed(`envelope ack ${env.ack} is not a safe non-negative integer`);
  }
  if (!Number.isSafeInteger(env.timestamp)) {
    throw malformed(`envelope timestamp ${env.timestamp} is not a safe integer`);
  }
  return env;
}

function malformed(message: string): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.MALFORMED_ENVELOPE, message);
}
