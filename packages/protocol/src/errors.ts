/**
 * The error hierarchy shared by every @mmo package: one `MmoError` base with a `code` and a `cause`,
 * subclasses only where callers branch. Guards check `name`/`code`, not `instanceof`, so two copies of
 * the package (a bundled client and a server dependency, say) still agree.
 */

/** Options accepted by every MmoError constructor. */
export interface MmoErrorOptions {
  /** The underlying error, if any. */
  cause?: unknown;
}

/** Base class of every error thrown by @mmo packages. */
export class MmoError extends Error {
  override readonly name: string = 'MmoError';
  /** A stable, machine-readable code (string for local errors, see each subclass). */
  readonly code: string;
  /** Brand read by {@link isMmoError}; survives duplicated package copies where instanceof fails. */
  readonly isMmoError = true as const;

  constructor(code: string, message: string, options?: MmoErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

/** Codes of {@link ProtocolError}: every way bytes can fail to be a valid message. */
export const ProtocolErrorCode = {
  /** The frame does not start with magic 0x4D4D. */
  BAD_MAGIC: 'BAD_MAGIC',
  /** The frame header carries a protocol version this side does not speak. */
  UNSUPPORTED_VERSION: 'UNSUPPORTED_VERSION',
  /** The message ends inside a frame header or before the length the header announced. */
  TRUNCATED_FRAME: 'TRUNCATED_FRAME',
  /** Bytes after the last whole frame that cannot start another frame. */
  TRAILING_BYTES: 'TRAILING_BYTES',
  /** A frame's length exceeds the configured maximum. */
  FRAME_TOO_LARGE: 'FRAME_TOO_LARGE',
  /** One WebSocket message holds more frames than the configured maximum. */
  TOO_MANY_FRAMES: 'TOO_MANY_FRAMES',
  /** A WebSocket message with no bytes at all. */
  EMPTY_MESSAGE: 'EMPTY_MESSAGE',
  /** The NetworkMessage envelope is not valid protobuf (or violates a field rule). */
  MALFORMED_ENVELOPE: 'MALFORMED_ENVELOPE',
  /** The payload does not decode as its type's schema. */
  MALFORMED_PAYLOAD: 'MALFORMED_PAYLOAD',
  /** The envelope names a message type nobody registered. */
  UNKNOWN_MESSAGE_TYPE: 'UNKNOWN_MESSAGE_TYPE',
  /** A bit-packed field ran past the end of its buffer, or a bit count is out of range. */
  BITSTREAM_OVERRUN: 'BITSTREAM_OVERRUN',
  /** A value cannot be encoded (out of range for its field or layout). */
  VALUE_OUT_OF_RANGE: 'VALUE_OUT_OF_RANGE',
} as const;
export type ProtocolErrorCodeName = (typeof ProtocolErrorCode)[keyof typeof ProtocolErrorCode];

/** Bytes that are not a valid message. The only error any decoder of this package throws. */
export class ProtocolError extends MmoError {
  override readonly name = 'ProtocolError';
  declare readonly code: ProtocolErrorCodeName;
  /** Byte offset in the input where the problem was found, when known. */
  readonly offset: number | undefined;

  constructor(
    code: ProtocolErrorCodeName,
    message: string,
    options?: MmoErrorOptions & { offset?: number },
  ) {
    super(code, message, options);
    this.offset = options?.offset;
  }
}

/** Misuse of the registry: a duplicate type, a custom type below 1000, an unknown name. */
export class RegistryError extends MmoError {
  override readonly name = 'RegistryError';
}

/** True for any error thrown by an @mmo package (by name, not instanceof). */
export function isMmoError(value: unknown): value is MmoError {
  return value instanceof Error && (value as { isMmoError?: unknown }).isMmoError === true;
}

/** True for a {@link ProtocolError}, optionally with the given code. */
export function isProtocolError(
  value: unknown,
  code?: ProtocolErrorCodeName,
): value is ProtocolError {
  return (
    value instanceof Error &&
    value.name === 'ProtocolError' &&
    (code === undefined || (value as ProtocolError).code === code)
  );
}

/** True for a {@link RegistryError}. */
export function isRegistryError(value: unknown): value is RegistryError {
  return value instanceof Error && value.name === 'RegistryError';
}
